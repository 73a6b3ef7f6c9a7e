"""Socket commands of the members feature: none yet (accounts change through pages)."""
