"""Le budget de l’année: commands (see `meeting.commands`)."""
