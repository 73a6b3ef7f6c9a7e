"""The minutes of a Friday: composed from the live session, summarised by the scribe."""
