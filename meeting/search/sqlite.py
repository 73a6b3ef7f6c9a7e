"""The SQL function the SQLite search triggers call, installed on every SQLite connection.

The triggers of migration `9b2c3d4e5f6a` index `vendredi_search_terms(text)`: the text's
French stems without accents (`text.index_terms`), computed in Python because SQLite has no
French stemmer. It is registered as deterministic for each new connection of any engine, so
the app, the CLI, the migrations and the tests all have it. A connection without it (the
`sqlite3` shell) can read everything but cannot write the tables the triggers watch
(decision, entry, event_proposal, agenda_item, meeting): "no such function:
vendredi_search_terms". Write them through the app (`flask shell`) instead.
"""

from sqlalchemy import event
from sqlalchemy.engine import Engine

from .text import index_terms

FUNCTION = "vendredi_search_terms"


def install(dbapi_connection):
    """Register the search function on one sqlite3 connection."""
    dbapi_connection.create_function(FUNCTION, 1, _terms, deterministic=True)


def _terms(value):
    return index_terms(value if isinstance(value, str) else ("" if value is None else str(value)))


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.split(".")[0] in ("sqlite3", "pysqlite2"):
        install(dbapi_connection)
