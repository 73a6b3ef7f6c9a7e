"""Les dons: commands (see `meeting.commands`)."""
