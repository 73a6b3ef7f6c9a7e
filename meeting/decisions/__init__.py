"""Decisions and actions recorded during the meeting: the lasting traces of Friday."""
