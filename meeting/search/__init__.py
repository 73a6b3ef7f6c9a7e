"""French full-text search over the lasting traces (one module, two engines)."""
