"""Socket and form commands of the catchup feature (the one command registry)."""
