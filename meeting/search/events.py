"""Socket and form commands of the search feature (the one command registry)."""
