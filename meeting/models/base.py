"""Helpers shared by the models."""

from datetime import UTC, datetime


def utcnow():
    """Return the current time as a naive UTC datetime (how every time is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)
