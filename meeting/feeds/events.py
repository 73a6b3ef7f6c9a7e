"""Socket and form commands of the feeds feature (the one command registry)."""
