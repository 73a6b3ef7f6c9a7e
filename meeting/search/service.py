"""Search the index: one function, two engines (SQLite FTS5, PostgreSQL tsvector('french')).

The visitor's text never reaches MATCH or a tsquery as syntax: `text.Query` keeps words only
(letters and digits), then SQLite gets each stem quoted and ANDed (`"reunion" AND "jardin"`),
PostgreSQL `plainto_tsquery('french', unaccent(words))`, both as bound parameters.
Ranking: bm25 on SQLite (a title weighs 4 times the body), ts_rank on PostgreSQL (title A,
body B); then the most recent Friday first.
"""

from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, select, text

from .. import permissions
from ..extensions import db
from ..models import Decision, EventProposal, Meeting
from . import privacy
from .models import SearchDocument
from .text import Query

PER_PAGE = 20
# The kinds a visitor filters on, and the rows each covers ("points" are agenda points and
# points à discuter alike).
FILTERS = {
    "decision": ("decision",),
    "minutes": ("minutes",),
    "proposal": ("proposal",),
    "point": ("point", "topic"),
    "need": ("need",),
}
PUBLIC_FILTERS = ("decision", "minutes")  # what the place publishes, when it does


def visible_filters(viewer):
    """The filters `viewer` may search: all for members; decisions and minutes for anyone
    else when the place publishes them; none otherwise (a guest is anyone else)."""
    if permissions.can_search_everything(viewer):
        return tuple(FILTERS)
    if permissions.can_search_archive(viewer):
        return PUBLIC_FILTERS
    return ()


@dataclass
class Results:
    query: Query
    documents: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1
    decisions: dict = field(default_factory=dict)  # decision id -> Decision (for its number)
    superseded: set = field(default_factory=set)  # ids of decisions another one replaces
    proposals: dict = field(default_factory=dict)  # entry id -> EventProposal
    any_word: bool = False  # no row had every word: these have at least one


def search(query, kinds=None, year=None, page=1, viewer=None):
    """The page `page` of what `viewer` may find for `query` (a text or a `Query`), best
    first, optionally only of some `kinds` (keys of FILTERS) and one `year`. A visitor who
    may not see people searches without the words of people's names (`privacy`)."""
    query = query if isinstance(query, Query) else Query(query)
    if not permissions.can_search_everything(viewer):
        query = privacy.without_names(query, privacy.people_names())
    allowed = visible_filters(viewer)
    chosen = [k for k in (kinds or allowed) if k in allowed]
    rows = tuple(kind for k in chosen for kind in FILTERS[k])
    results = Results(query=query)
    if not query or not rows:
        return results
    engine = _postgresql if db.engine.dialect.name == "postgresql" else _sqlite
    where, params = _filters(rows, year)
    matched, total = _count(engine, query, where, params, any_word=False)
    if not total and len(query.stems) > 1:
        # No row has every word: show those that have some, and say so.
        results.any_word = True
        matched, total = _count(engine, query, where, params, any_word=True)
    results.total = total
    results.pages = max(1, -(-total // PER_PAGE))
    results.page = min(max(1, int(page or 1)), results.pages)
    if not total:
        return results
    ranked = db.session.execute(
        engine.page(where, matched),
        {**params, "limit": PER_PAGE, "offset": (results.page - 1) * PER_PAGE},
    ).all()
    ids = [row[0] for row in ranked]
    found = {
        d.id: d
        for d in db.session.scalars(select(SearchDocument).where(SearchDocument.id.in_(ids)))
    }
    results.documents = [found[i] for i in ids if i in found]
    _load_links(results)
    return results


def _count(engine, query, where, params, any_word):
    matched, values = engine.match(query, any_word)
    params.update(values)
    return matched, db.session.execute(engine.count(where, matched), params).scalar() or 0


def _filters(rows, year):
    where = "d.kind IN :kinds"
    params = {"kinds": list(rows)}
    if year:
        where += " AND d.year = :year"
        params["year"] = int(year)
    return where, params


def _expanding(sql):
    return text(sql).bindparams(bindparam("kinds", expanding=True))


class _sqlite:
    @staticmethod
    def match(query, any_word):
        return "search_fts MATCH :match", {"match": query.fts5_match(any_word)}

    @staticmethod
    def count(where, matched):
        return _expanding(
            "SELECT count(*) FROM search_fts JOIN search_document d ON d.id = search_fts.rowid "
            f"WHERE {matched} AND {where}"
        )

    @staticmethod
    def page(where, matched):
        return _expanding(
            "SELECT d.id, bm25(search_fts, 4.0, 1.0) AS rank FROM search_fts "
            "JOIN search_document d ON d.id = search_fts.rowid "
            f"WHERE {matched} AND {where} "
            "ORDER BY rank, d.day DESC, d.id DESC LIMIT :limit OFFSET :offset"
        )


class _postgresql:
    @staticmethod
    def match(query, any_word):
        """`d.search_tsv @@ <tsquery>`: all the words through plainto_tsquery; any of them as
        one plainto_tsquery per word joined by `||` (each word a bound parameter)."""
        if not any_word:
            tsquery = "plainto_tsquery('french', unaccent(:words))"
            return f"d.search_tsv @@ {tsquery}", {"words": query.plain()}
        values = {f"w{i}": word for i, word in enumerate(query.words)}
        tsquery = " || ".join(f"plainto_tsquery('french', unaccent(:{k}))" for k in values)
        return f"d.search_tsv @@ ({tsquery})", values

    @staticmethod
    def count(where, matched):
        return _expanding(f"SELECT count(*) FROM search_document d WHERE {matched} AND {where}")

    @staticmethod
    def page(where, matched):
        tsquery = matched.removeprefix("d.search_tsv @@ ")
        return _expanding(
            f"SELECT d.id, ts_rank(d.search_tsv, {tsquery}) AS rank FROM search_document d "
            f"WHERE {matched} AND {where} "
            "ORDER BY rank DESC, d.day DESC, d.id DESC LIMIT :limit OFFSET :offset"
        )


def _load_links(results):
    """What the result list shows besides the indexed text: decisions' numbers and whether
    another decision replaces them, proposals' pages (one query per kind on the page)."""
    decision_ids = [d.ref_id for d in results.documents if d.kind == "decision"]
    if decision_ids:
        results.decisions = {
            d.id: d
            for d in db.session.scalars(select(Decision).where(Decision.id.in_(decision_ids)))
        }
        results.superseded = set(
            db.session.scalars(
                select(Decision.supersedes_id).where(Decision.supersedes_id.in_(decision_ids))
            )
        )
    entry_ids = [d.ref_id for d in results.documents if d.kind == "proposal"]
    if entry_ids:
        results.proposals = {
            p.entry_id: p
            for p in db.session.scalars(
                select(EventProposal).where(EventProposal.entry_id.in_(entry_ids))
            )
        }


def years(viewer):
    """The years of the year filter, newest first: those of the place's Fridays (two index
    lookups on `meeting.scheduled_for`; reading them from the index itself scanned every
    document on each search)."""
    if not visible_filters(viewer):
        return []
    first, last = db.session.execute(
        select(func.min(Meeting.scheduled_for), func.max(Meeting.scheduled_for))
    ).one()
    if first is None:
        return []
    return list(range(last.year, first.year - 1, -1))
