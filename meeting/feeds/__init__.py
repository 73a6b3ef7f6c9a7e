"""Feeds and publication: /decisions.atom, public or members-only, personal tokens."""
