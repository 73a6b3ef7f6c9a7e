"""La vie du lieu: commands (see `meeting.commands`)."""
