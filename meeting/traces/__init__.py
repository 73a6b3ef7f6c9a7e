"""The trace feed: every change leaves a trace, and everyone sees them arrive live."""
