"""Friday live: the agenda built from the document, the console, the screen, the phones."""
