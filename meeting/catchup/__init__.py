"""Ce que vous avez manqué: what happened since the last Friday a member attended."""
