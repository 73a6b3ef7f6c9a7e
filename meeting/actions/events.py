"""Socket and form commands of the actions feature (the one command registry)."""
