"""French words for search: cut into words, fold accents, drop stopwords, stem; highlight.

The same steps as PostgreSQL's `to_tsvector('french', unaccent(…))`: fold accents and case
first, drop the words of PostgreSQL's French stopword list (compared after folding, as there),
then the Snowball French stemmer (the algorithm PostgreSQL uses). So "réunions" and "reunion"
give `reunion`, "événement" and "evenement" give `even`; "décidé" gives `decid` and "décision"
`decis`, which do not meet (stemming joins forms of one word, not words of one family).

SQLite calls `index_terms` inside the triggers that keep the index (registered on every
connection by `meeting.search.sqlite`); highlighting uses `stem` on both engines.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from markupsafe import Markup, escape

WORD = re.compile(r"[^\W_]+")
MAX_QUERY = 200  # characters kept of a query; the page says when it cut one
MAX_TERMS = 12  # distinct words searched at once (AND)
# Operators of other search engines, typed in capitals: every word is required anyway, so they
# are left out rather than searched as words ("or", in lower case, is a French word).
OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR", "ET", "OU", "SAUF"})

# PostgreSQL 15's tsearch_data/french.stop (the Snowball French stopword list, BSD licence),
# compared, as there, with the word once folded: "été" and "à" are therefore never dropped.
STOPWORDS = frozenset(
    """au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même mes
    moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton
    tu un une vos votre vous c d j l à m n s t y été étée étées étés étant étante étants étantes
    suis es est sommes êtes sont serai seras sera serons serez seront serais serait serions
    seriez seraient étais était étions étiez étaient fus fut fûmes fûtes furent sois soit
    soyons soyez soient fusse fusses fût fussions fussiez fussent ayant ayante ayantes ayants
    eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais aurait
    aurions auriez auraient avais avait avions aviez avaient eut eûmes eûtes eurent aie aies
    ait ayons ayez aient eusse eusses eût eussions eussiez eussent""".split()  # noqa: SIM905
)
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})
_STEMMER = snowballstemmer.stemmer("french")


def fold(word):
    """Lower case without accents: "Événement" → "evenement", "Œuvre" → "oeuvre"."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_LIGATURES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_LIGATURES)


@lru_cache(maxsize=20_000)
def stem(word):
    """The indexed form of one word, or "" for a stopword."""
    folded = fold(word)
    if not folded or folded in STOPWORDS:
        return ""
    return _STEMMER.stemWord(folded)


def words(text):
    return WORD.findall(text or "")


def index_terms(text):
    """What the SQLite index holds for a text: its stems, separated by spaces (deterministic:
    the triggers delete an old row from the index by recomputing its terms)."""
    return " ".join(s for s in map(stem, words(text)) if s)


class Query:
    """A visitor's query, cleaned: the words kept (never FTS or tsquery syntax) and their stems.

    `truncated` says it was cut at MAX_QUERY characters; `dropped` that only stopwords or signs
    were typed."""

    def __init__(self, raw):
        raw = (raw or "").strip()
        self.truncated = len(raw) > MAX_QUERY
        self.text = raw[:MAX_QUERY]
        kept, stems = [], []
        for word in words(self.text):
            if word in OPERATORS:
                continue
            s = stem(word)
            if s and s not in stems and len(stems) < MAX_TERMS:
                kept.append(word.lower())
                stems.append(s)
        self.words, self.stems = kept, stems
        self.dropped = bool(self.text) and not stems
        self.left_out = False  # words of people's names left out (see privacy.py)

    def __bool__(self):
        return bool(self.stems)

    def without(self, stems):
        """A copy without the words whose stem is in `stems`; `left_out` says if one was."""
        copy = Query("")
        copy.text, copy.truncated = self.text, self.truncated
        pairs = [(w, s) for w, s in zip(self.words, self.stems, strict=True) if s not in stems]
        copy.words, copy.stems = [w for w, _s in pairs], [s for _w, s in pairs]
        copy.left_out = len(pairs) < len(self.stems)
        copy.dropped = self.dropped
        return copy

    def fts5_match(self, any_word=False):
        """An FTS5 MATCH expression: every stem quoted (a phrase of one word), all required
        (or any one of them)."""
        joiner = " OR " if any_word else " AND "
        return joiner.join('"' + s.replace('"', '""') + '"' for s in self.stems)

    def plain(self):
        """The kept words for `plainto_tsquery` (words only: no operator can get through)."""
        return " ".join(self.words)


_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_MARKS = re.compile(r"(^|\s)[#>]+\s|[*_`~]+|^\s*[-+]\s+|^\s*\d+\.\s+", re.MULTILINE)
_SPACES = re.compile(r"\s+")


def plain_text(markdown_text):
    """Markdown source as readable plain text for an excerpt (links keep their words)."""
    text = _MARKDOWN_LINK.sub(r"\1", markdown_text or "")
    text = _MARKDOWN_MARKS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def _marked(text, stems):
    """`text` escaped, every word whose stem was searched inside <mark>."""
    out, last = [], 0
    for match in WORD.finditer(text):
        if stem(match.group(0)) in stems:
            out.append(escape(text[last : match.start()]))
            out.append(Markup("<mark>%s</mark>") % match.group(0))
            last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def highlight(text, stems):
    """A short text (a title) escaped, with the searched words marked."""
    return _marked(text or "", set(stems))


def excerpt(text, stems, width=240):
    """About `width` characters of `text` around its first searched word, escaped, with the
    searched words marked and "…" where it was cut."""
    text = plain_text(text)
    stems = set(stems)
    first = next((m for m in WORD.finditer(text) if stem(m.group(0)) in stems), None)
    start = 0 if first is None else max(0, first.start() - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < (first.start() if first else len(text)) else start
    end = start + width
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    piece = _marked(text[start:end], stems)
    return (
        Markup("…" if start else "") + piece + Markup("…" if end < len(text) else "")
        if text
        else Markup("")
    )
