"""The Friday itself: its date, the coming Friday, and the steps that open and close it."""
