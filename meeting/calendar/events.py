"""Socket and form commands of the calendar."""
