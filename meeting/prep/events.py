"""Socket commands of the preparation feature: none yet."""
