"""Socket and form commands of notifications."""
