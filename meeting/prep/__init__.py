"""Before Friday: the home page and (later) the shared document of the coming Friday."""
