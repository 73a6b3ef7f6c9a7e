"""Le catalogue des biens et services: commands (see `meeting.commands`)."""
