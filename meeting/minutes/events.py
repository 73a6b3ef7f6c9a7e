"""Socket and form commands of the minutes feature (the one command registry)."""
