"""What differs between two versions of an entry, for the merge view of a stale edit.

The comparison is Python's difflib (standard library) on words, spaces and punctuation; this
module only cuts the texts into those tokens and writes the opcodes as HTML `<del>` / `<ins>`,
each with a hidden word for screen readers (which do not announce the elements themselves).
"""

import re
from difflib import SequenceMatcher

from markupsafe import Markup, escape

from ..i18n import _

# A word (letters, digits, the apostrophes inside "aujourd’hui") or one sign, each with the
# spaces after it (so that spaces alone never count as a match between two changed passages).
TOKEN = re.compile(r"[\w’']+\s*|[^\w\s]\s*|\s+")


def tokens(text):
    return TOKEN.findall(text or "")


def word_diff(mine, theirs):
    """The saved text (`theirs`) marked against the reader's (`mine`): `<ins>` for what only
    the saved version has, `<del>` for what only the reader's has. Returns (html, changes)
    where `changes` counts the places that differ (0: the texts are the same)."""
    old, new = tokens(mine), tokens(theirs)
    # Compared without their spaces ("plein" matches "plein " at the end of a line); shown with.
    matcher = SequenceMatcher(
        None, [t.rstrip() for t in old], [t.rstrip() for t in new], autojunk=False
    )
    parts, changes = [], 0
    only_mine = _("retiré :")
    only_theirs = _("ajouté :")
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(new[j1:j2])))
            continue
        changes += 1
        if op in ("delete", "replace"):
            parts.append(_marked("del", only_mine, "".join(old[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(_marked("ins", only_theirs, "".join(new[j1:j2])))
    return Markup("").join(parts), changes


def _marked(tag, hint, text):
    return Markup('<{tag}><span class="visually-hidden">{hint} </span>{text}</{tag}>').format(
        tag=Markup(tag), hint=hint, text=text
    )
