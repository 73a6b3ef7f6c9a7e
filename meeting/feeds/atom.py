"""The Atom 1.0 feeds (RFC 4287) of what Fridays leave: the decisions, and the validated minutes.

Built with xml.etree (every text is escaped by the serialiser, characters XML forbids are
dropped first), in the place's language (`xml:lang="fr"`), with absolute links at the place's
public address (PUBLIC_URL, else the request's, sub-path included).

What a feed holds, and why:
- only decisions of closed Fridays (immutable from then on: an entry never changes under a
  reader's feet, except to say that a later decision replaced it), newest first, the latest 50;
- only validated minutes, with the scribe's summary and the Friday's decisions;
- no person's name at all: the author is the place, and the decision's actions, who was
  present and who objected stay on the pages (members only, unless the place publishes), so a
  feed copied anywhere names nobody. Billets d'humeur are never read here.

Ids are `tag:` URIs (RFC 4151) built from the place's host and sub-path and a fixed year:
`tag:le97.example,2026:decision-12`. They never change as long as the place's address stays
the same (set PUBLIC_URL so that they do not depend on how a reader reached the site).
"""

import html
import re
import xml.etree.ElementTree as ET
from datetime import UTC
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import nh3
from flask import current_app, url_for
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..i18n import NBSP, _, capfirst, long_date
from ..labels import DECISION_MODE_PHRASES
from ..markdown import render
from ..models import Decision, Meeting
from ..models.base import utcnow
from ..realtime import place_origin, request_links

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
FEED_SIZE = 50
# The year in every tag: URI of this place. Fixed for good: a year that moved would change
# every id, and feed readers would show every entry again.
TAG_YEAR = 2026
TITLE_LENGTH = 80

# Characters an XML 1.0 document may not hold (control characters but tab and newlines,
# lone surrogates, U+FFFE/U+FFFF): a pasted one would make the whole feed unreadable.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value):
    return _NOT_XML.sub("", str(value))


def _sub(parent, name, text=None, **attrs):
    element = ET.SubElement(parent, name, {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


def rfc3339(value):
    """A stored naive UTC datetime as RFC 3339 in the place's time zone, with its offset:
    '2026-12-04T12:35:00+01:00'."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Paris")
    return value.replace(tzinfo=UTC).astimezone(zone).isoformat(timespec="seconds")


def tag_prefix():
    """'tag:le97.example,2026:' (and the sub-path: 'tag:le97.example,2026:vendredi/')."""
    origin = place_origin()
    host = (urlsplit("//" + origin.host).hostname if origin else None) or "localhost"
    path = origin.prefix.strip("/") if origin else ""
    return f"tag:{host},{TAG_YEAR}:" + (f"{path}/" if path else "")


def plain_excerpt(markdown_text, length=TITLE_LENGTH):
    """The first words of a Markdown text as plain text (for a title)."""
    text = html.unescape(nh3.clean(str(render(markdown_text)), tags=set()))
    text = " ".join(text.split())
    if len(text) > length:
        text = text[: length - 1].rstrip() + "…"
    return text


def decision_title(decision):
    """The item it was decided on, else the start of its statement."""
    if decision.item is not None and decision.item.title:
        return decision.item.title
    return plain_excerpt(decision.statement)


def _feed(title, feed_id, self_url, alternate_url, updated):
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: current_app.config["BABEL_DEFAULT_LOCALE"]})
    _sub(feed, "id", feed_id)
    _sub(feed, "title", title)
    _sub(feed, "updated", rfc3339(updated))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=alternate_url)
    author = _sub(feed, "author")
    _sub(author, "name", _("Le 97"))
    _sub(author, "uri", url_for("prep.home", _external=True))
    _sub(feed, "generator", "Vendredi")
    return feed


def _entry(feed, entry_id, title, link, published, updated, content_html):
    entry = _sub(feed, "entry")
    _sub(entry, "id", entry_id)
    _sub(entry, "title", title)
    _sub(entry, "link", rel="alternate", type="text/html", href=link)
    _sub(entry, "published", rfc3339(published))
    _sub(entry, "updated", rfc3339(updated))
    _sub(entry, "content", content_html, type="html")
    return entry


def _serialise(feed):
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


# -- decisions ----------------------------------------------------------------------------


def _closed_decisions():
    return db.session.scalars(
        select(Decision)
        .join(Meeting, Decision.meeting_id == Meeting.id)
        .where(Meeting.status == "closed")
        .options(selectinload(Decision.meeting), selectinload(Decision.item))
        .order_by(Decision.number.desc())
        .limit(FEED_SIZE)
    ).all()


def _supersession(decisions):
    """(superseded_by, supersedes) by decision id, counting only decisions of closed Fridays."""
    ids = [d.id for d in decisions]
    if not ids:
        return {}, {}
    newer = db.session.scalars(
        select(Decision)
        .join(Meeting, Decision.meeting_id == Meeting.id)
        .where(Decision.supersedes_id.in_(ids), Meeting.status == "closed")
        .options(selectinload(Decision.meeting))
    ).all()
    superseded_by = {d.supersedes_id: d for d in newer}
    older_ids = {d.supersedes_id for d in decisions if d.supersedes_id}
    older = (
        {d.id: d for d in db.session.scalars(select(Decision).where(Decision.id.in_(older_ids)))}
        if older_ids
        else {}
    )
    supersedes = {d.id: older[d.supersedes_id] for d in decisions if d.supersedes_id in older}
    return superseded_by, supersedes


def _decision_link(number):
    return url_for("decisions.show", number=number, _external=True)


def _decision_html(decision, newer, older):
    parts = []
    meta = [escape(capfirst(long_date(decision.meeting.scheduled_for)))]
    if decision.item is not None and decision.item.title:
        meta.append(escape(decision.item.title))
    meta.append(escape(DECISION_MODE_PHRASES.get(decision.mode, decision.mode)))
    parts.append("<p>" + " · ".join(meta) + "</p>")
    parts.append(str(render(decision.statement)))
    if decision.objections:
        parts.append(
            f"<p><strong>{escape(_('Objections'))}</strong>{NBSP}: {escape(decision.objections)}</p>"
        )
        if decision.objections_lifted:
            parts.append(
                f"<p><strong>{escape(_('Levées ainsi'))}</strong>{NBSP}: "
                f"{escape(decision.objections_lifted)}</p>"
            )
    if decision.review_on:
        parts.append(
            f"<p>{escape(_('À revoir le %(date)s', date=long_date(decision.review_on)))}</p>"
        )
    for other, message in (
        (older, _("Remplace la décision n° %(n)s.", n=older.number) if older else None),
        (newer, _("Remplacée par la décision n° %(n)s.", n=newer.number) if newer else None),
    ):
        if other is not None:
            parts.append(
                f'<p><a href="{escape(_decision_link(other.number))}">{escape(message)}</a></p>'
            )
    return "\n".join(parts)


def decisions_feed(token=None):
    """The Atom document of the latest decisions of closed Fridays, as bytes."""
    from .tokens import TOKEN_PARAM

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]), request_links():
        decisions = _closed_decisions()
        superseded_by, supersedes = _supersession(decisions)
        updates = {}
        for d in decisions:
            newer = superseded_by.get(d.id)
            updates[d.id] = max(d.decided_at, _shown_at(newer)) if newer else d.decided_at
        prefix = tag_prefix()
        params = {TOKEN_PARAM: token} if token else {}
        feed = _feed(
            _("Décisions du 97"),
            prefix + "decisions",
            url_for("feeds.decisions_atom", _external=True, **params),
            url_for("decisions.index", _external=True),
            max(updates.values(), default=None) or utcnow(),
        )
        for d in decisions:
            _entry(
                feed,
                f"{prefix}decision-{d.number}",
                _("Décision n° %(n)s : %(title)s", n=d.number, title=decision_title(d)),
                _decision_link(d.number),
                d.decided_at,
                updates[d.id],
                _decision_html(d, superseded_by.get(d.id), supersedes.get(d.id)),
            )
        return _serialise(feed)


def _shown_at(decision):
    """When a decision became part of the record: its Friday's close (else its own time)."""
    return decision.meeting.closed_at or decision.decided_at


# -- minutes ------------------------------------------------------------------------------


def _minutes_link(day):
    # The minutes' public URL (a contract: `/vendredi/<YYYY-MM-DD>/compte-rendu`), under the
    # place's address; written here rather than asked of the minutes feature's views.
    return url_for("prep.home", _external=True) + f"vendredi/{day.isoformat()}/compte-rendu"


def _minutes_html(meeting, decisions):
    parts = [str(render(meeting.summary))] if meeting.summary else []
    if decisions:
        parts.append(f"<h3>{escape(_('Décisions'))}</h3>")
        items = [
            f'<li><a href="{escape(_decision_link(d.number))}">'
            f"{escape(_('Décision n° %(n)s : %(title)s', n=d.number, title=decision_title(d)))}"
            "</a></li>"
            for d in decisions
        ]
        parts.append("<ul>" + "".join(items) + "</ul>")
    else:
        parts.append(f"<p>{escape(_('Aucune décision ce vendredi-là.'))}</p>")
    return "\n".join(parts)


def minutes_feed(token=None):
    """The Atom document of the latest validated minutes, as bytes."""
    from .tokens import TOKEN_PARAM

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]), request_links():
        meetings = db.session.scalars(
            select(Meeting)
            .where(Meeting.status == "closed", Meeting.minutes_validated_at.is_not(None))
            .order_by(Meeting.scheduled_for.desc())
            .limit(FEED_SIZE)
        ).all()
        by_meeting = {m.id: [] for m in meetings}
        if meetings:
            for d in db.session.scalars(
                select(Decision)
                .where(Decision.meeting_id.in_(list(by_meeting)))
                .options(selectinload(Decision.item))
                .order_by(Decision.number)
            ):
                by_meeting[d.meeting_id].append(d)
        prefix = tag_prefix()
        params = {TOKEN_PARAM: token} if token else {}
        feed = _feed(
            _("Comptes rendus du 97"),
            prefix + "minutes",
            url_for("feeds.minutes_atom", _external=True, **params),
            url_for("prep.home", _external=True),
            max((m.minutes_validated_at for m in meetings), default=None) or utcnow(),
        )
        for m in meetings:
            _entry(
                feed,
                f"{prefix}minutes-{m.scheduled_for.isoformat()}",
                _("Compte rendu du %(date)s", date=long_date(m.scheduled_for)),
                _minutes_link(m.scheduled_for),
                m.minutes_validated_at,
                m.minutes_validated_at,
                _minutes_html(m, by_meeting[m.id]),
            )
        return _serialise(feed)
