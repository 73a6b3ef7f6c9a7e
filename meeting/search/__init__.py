"""French full-text search over the lasting traces (one module, two engines).

Importing the package registers the `search_document` model and the SQLite function the index
triggers call (`sqlite.py`); `service.search()` answers queries on SQLite FTS5 or PostgreSQL
`tsvector('french')`, whichever `db.engine` is.
"""

from . import models, sqlite  # noqa: F401  (the model on db.metadata, the SQLite function)
