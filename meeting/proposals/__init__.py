"""Event proposals: proposed from a Friday's document, followed by their proposer."""
