"""The one check for every redirect a visitor chooses (`next` after sign-in, the language
switch's way back): only to a path of this app, never to another host.

A target is a path inside the app, as `request.path` gives it (without the sub-path prefix the
app is served at): `/profil`, `/recherche?q=pain#resultats`. It is parsed with `urllib.parse`
after refusing whatever a browser or Werkzeug would read differently from us: control and
whitespace characters inside it (Werkzeug drops a tab from a `Location`, so `/\\t/evil.example`
becomes `//evil.example`), backslashes (browsers read `\\` as `/`), a scheme or a host, a path
starting with `//`, and the same once percent-decoded (`/%2F%2Fevil.example`, `/%5Cevil`,
`/%09/evil`), dot segments included (`/.//evil.example`).
"""

import unicodedata
from urllib.parse import unquote, urlsplit, urlunsplit

from flask import request, url_for

# Unicode categories a path never needs: controls, invisible formatting, line and paragraph
# separators (whitespace is refused with str.isspace).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_DECODE_ROUNDS = 4


def _has_refused_character(text):
    return any(
        char.isspace() or char == "\\" or unicodedata.category(char) in _REFUSED_CATEGORIES
        for char in text
    )


def _path_is_plain(path):
    """`path` (raw, as received) is a path of this site however many times it is decoded."""
    for _round in range(_DECODE_ROUNDS):
        if not path.startswith("/") or path.startswith("//"):
            return False
        if _has_refused_character(path):
            return False
        segments = path.split("/")
        if any(segment in (".", "..") for segment in segments):
            return False
        decoded = unquote(path)
        if decoded == path:
            return True
        path = decoded
    return False  # still encoded after several rounds: nothing of ours looks like that


def app_path(target):
    """The target as a plain path of this app (path, query and fragment), or None when it could
    lead anywhere else."""
    if not isinstance(target, str):
        return None
    target = target.strip()
    if not target or len(target) > 2000 or _has_refused_character(target):
        return None
    # Before parsing: urlsplit reads "///evil.example" as an empty host and the path
    # "/evil.example", where a browser reads the host evil.example.
    if not target.startswith("/") or target.startswith("//"):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not _path_is_plain(parts.path):
        return None
    # A query or fragment written with `%2F` or `%5C` stays encoded in the Location (browsers
    # do not decode them), so only the raw characters were refused above.
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))


def safe_target(target, default="prep.home"):
    """Where to redirect for `target` (an app path): under the app's sub-path prefix, or the
    page of the endpoint `default` when the target is missing or not safe."""
    path = app_path(target)
    if path is None:
        return url_for(default)
    return request.script_root + path


def is_app_path(target):
    """True when `target` is a plain path of this app (see `app_path`)."""
    return app_path(target) is not None
