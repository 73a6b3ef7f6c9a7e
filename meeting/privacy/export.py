"""« Télécharger mes données »: everything a member wrote and everything Vendredi keeps about
them, as `data.json` (for programs) and `archive.md` (for people: French headings and dates),
in one zip.

The download is reached through a link signed with the app's secret (itsdangerous), bound to
the member and to the browser session that asked for it, valid `LINK_MINUTES`: at download
time the signed-in member must be that member, on that session, and active. Reading it writes
nothing.

What is the member's own only: their billets (others' never), their gifts (as donor), their
uses of the catalogue, the values of what they brought for a need; never another member's
billet, gift, contribution, e-mail address or token. Secrets (password hash, session keys,
token hashes) are never exported.
"""

import hashlib
import io
import json
import zipfile
from datetime import date, datetime

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import or_, select

from .. import permissions
from ..api.models import ApiToken
from ..errors import Forbidden, NotFound, ServiceError, require
from ..extensions import db
from ..i18n import _l
from ..members import sessions
from ..models import (
    Action,
    Attendance,
    CatalogueItem,
    CatalogueUse,
    Decision,
    Entry,
    EntryRevision,
    Event,
    EventProposal,
    Expense,
    FeedToken,
    Gift,
    HandRaise,
    Invitation,
    Meeting,
    MeetingRole,
    MemberSession,
    Notification,
    Round,
    RoundAnswer,
    Trace,
    WeatherGiven,
)
from ..models.base import utcnow
from ..traces.sentences import sentences_for

SALT = "vendredi.privacy.export"
LINK_MINUTES = 15  # `EXPORT_LINK_MINUTES` in the configuration, when set
FORMAT = 1


# -- the signed link -----------------------------------------------------------------------------


def link_minutes():
    return int(current_app.config.get("EXPORT_LINK_MINUTES", LINK_MINUTES))


def _serializer(issued_at=None):
    signer = TimestampSigner
    if issued_at is not None:

        class signer(TimestampSigner):  # a link made at a given moment (a past one, in tests)
            def get_timestamp(self):
                return int(issued_at)

    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT, signer=signer)


def _binding(sid):
    """What the link says of the browser session that asked for it: a hash of its key made for
    this use only (neither the key nor the hash the server stores under it)."""
    return hashlib.sha256(f"{SALT}:{sid or ''}".encode()).hexdigest()[:32]


def make_token(member_id, sid, issued_at=None):
    """The signed token of a download link for `member_id` on the browser session `sid`."""
    return _serializer(issued_at).dumps({"m": member_id, "s": _binding(sid)})


def request_link(actor):
    """The address of a download link for the actor's own data, valid `link_minutes()`."""
    require(permissions.is_member(actor))
    return url_for("privacy.download", token=make_token(actor.id, sessions.current_sid()))


def check_link(token, actor, sid):
    """The member whose data `token` opens, checked now: a valid signature, not expired, the
    signed-in active member it was made for, on the same browser session. Else a French refusal
    (404 unknown, 410 expired, 401 not signed in, 403 someone else's)."""
    try:
        data = _serializer().loads(token, max_age=link_minutes() * 60)
    except SignatureExpired:
        raise ServiceError(
            _l(
                "Ce lien de téléchargement a expiré (il ne vaut que %(n)s minutes). Redemandez "
                "vos données depuis votre profil.",
                n=link_minutes(),
            ),
            code="link_expired",
            status=410,
        ) from None
    except BadSignature:
        raise NotFound(
            _l("Ce lien de téléchargement n’est pas valable."), code="bad_token"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("m"), int):
        raise NotFound(_l("Ce lien de téléchargement n’est pas valable."), code="bad_token")
    if not permissions.is_member(actor):
        raise ServiceError(
            _l(
                "Connectez-vous, puis redemandez vos données depuis votre profil : ce lien ne "
                "sert qu’à la personne qui l’a demandé, dans le navigateur où elle l’a demandé."
            ),
            code="not_signed_in",
            status=401,
        )
    if actor.id != data["m"] or data.get("s") != _binding(sid):
        raise Forbidden(
            _l(
                "Ce lien de téléchargement a été demandé par quelqu’un d’autre ou depuis un "
                "autre appareil : il ne vous ouvre rien. Demandez vos propres données depuis "
                "votre profil."
            )
        )
    return actor


# -- what is the member's ------------------------------------------------------------------------


def _day_of(meetings, meeting_id):
    meeting = meetings.get(meeting_id)
    return meeting.scheduled_for if meeting is not None else None


def collect(member):
    """Everything the member wrote and everything kept about them, as plain values (dates and
    datetimes as such; `to_json` writes them in ISO form)."""
    mid = member.id
    scalars = lambda query: db.session.scalars(query).all()
    attendances = scalars(select(Attendance).where(Attendance.member_id == mid))
    attendance_ids = {row.id for row in attendances}
    entries = scalars(select(Entry).where(Entry.author_id == mid).order_by(Entry.id))
    claimed = scalars(select(Entry).where(Entry.claimed_by_id == mid).order_by(Entry.id))
    brought = scalars(select(Entry).where(Entry.in_kind_member_id == mid).order_by(Entry.id))
    # Their versions of the document's texts, but never of someone else's billet.
    revisions = db.session.execute(
        select(EntryRevision, Entry.kind, Entry.author_id)
        .join(Entry, Entry.id == EntryRevision.entry_id)
        .where(EntryRevision.author_id == mid)
        .order_by(EntryRevision.id)
    ).all()
    proposals = scalars(
        select(EventProposal).where(EventProposal.proposer_id == mid).order_by(EventProposal.id)
    )
    roles = scalars(select(MeetingRole).where(MeetingRole.member_id == mid))
    answers = db.session.execute(
        select(RoundAnswer, Round)
        .join(Round, Round.id == RoundAnswer.round_id)
        .where(RoundAnswer.attendance_id.in_(attendance_ids or {0}))
        .order_by(RoundAnswer.id)
    ).all()
    hands = scalars(
        select(HandRaise)
        .where(HandRaise.attendance_id.in_(attendance_ids or {0}))
        .order_by(HandRaise.id)
    )
    attended = {row.meeting_id for row in attendances}
    decisions = [
        d
        for d in scalars(
            select(Decision)
            .where(or_(Decision.decided_by_id == mid, Decision.meeting_id.in_(attended or {0})))
            .order_by(Decision.number)
        )
        if d.decided_by_id == mid or attendance_ids & set(d.present or [])
    ]
    actions = scalars(
        select(Action)
        .where(or_(Action.owner_id == mid, Action.created_by_id == mid))
        .order_by(Action.id)
    )
    minutes = scalars(
        select(Meeting)
        .where(or_(Meeting.summary_updated_by_id == mid, Meeting.minutes_validated_by_id == mid))
        .order_by(Meeting.scheduled_for)
    )
    gifts = scalars(select(Gift).where(Gift.donor_member_id == mid).order_by(Gift.id))
    uses = scalars(select(CatalogueUse).where(CatalogueUse.member_id == mid))
    offers = scalars(
        select(CatalogueItem).where(
            or_(CatalogueItem.offered_by_id == mid, CatalogueItem.created_by_id == mid)
        )
    )
    events = scalars(select(Event).where(Event.created_by_id == mid).order_by(Event.starts_at))
    expenses = scalars(select(Expense).where(Expense.recorded_by_id == mid))
    weather = scalars(select(WeatherGiven.meeting_id).where(WeatherGiven.member_id == mid))
    traces = scalars(select(Trace).where(Trace.actor_id == mid).order_by(Trace.id))
    sentences = sentences_for(traces)

    meeting_ids = (
        {row.meeting_id for row in attendances + roles + hands}
        | {e.meeting_id for e in entries + claimed + brought}
        | {t.meeting_id for t in traces if t.meeting_id}
        | {rnd.meeting_id for _answer, rnd in answers}
        | set(weather)
    )
    meetings = {m.id: m for m in scalars(select(Meeting).where(Meeting.id.in_(meeting_ids or {0})))}
    day = lambda meeting_id: _day_of(meetings, meeting_id)

    def entry(e):
        row = {
            "id": e.id,
            "friday": e.meeting.scheduled_for,
            "kind": e.kind,
            "title": e.title,
            "body": e.body,
            "created_at": e.created_at,
            "updated_at": e.updated_at,
            "revision": e.revision,
        }
        if e.kind == "need":
            row["need_status"] = e.need_status
            if e.in_kind_member_id == mid:  # a value is only seen by who brought it
                row["in_kind_cents"] = e.in_kind_cents
        return row

    return {
        "format": FORMAT,
        "generated_at": utcnow(),
        "profile": {
            "id": member.id,
            "display_name": member.display_name,
            "email": member.email,
            "role": member.role,
            "treasurer": bool(member.is_treasurer),
            "created_at": member.created_at,
            "last_sign_in_at": member.last_sign_in_at,
            "caught_up_at": member.caught_up_at,
            "deactivated_at": member.deactivated_at,
        },
        "entries": [entry(e) for e in entries],
        "revisions": [
            {
                "entry_id": r.entry_id,
                "revision": r.revision,
                "title": r.title,
                "body": r.body,
                "created_at": r.created_at,
                "of_your_entry": author_id == mid,
            }
            for r, kind, author_id in revisions
            if kind != "mood" or author_id == mid
        ],
        "needs_taken_on": [
            {
                "entry_id": e.id,
                "friday": e.meeting.scheduled_for,
                "title": e.title,
                "need_status": e.need_status,
                "claim_note": e.claim_note,
                "claimed_at": e.claimed_at,
                "resolved_at": e.resolved_at,
            }
            for e in claimed
        ],
        "contributions_in_kind": [
            {
                "entry_id": e.id,
                "friday": e.meeting.scheduled_for,
                "title": e.title,
                "value_cents": e.in_kind_cents,
                "met_at": e.resolved_at,
            }
            for e in brought
        ],
        "proposals": [
            {
                "id": p.id,
                "title": p.entry.title,
                "description": p.entry.body,
                "status": p.status,
                "wished_dates": p.wished_dates,
                "duration_minutes": p.duration_minutes,
                "place": p.place,
                "place_detail": p.place_detail,
                "expected_attendance": p.expected_attendance,
                "material_needs": p.material_needs,
                "created_at": p.created_at,
                "withdrawn_at": p.withdrawn_at,
                "steps": [
                    {
                        "from": s.from_status,
                        "to": s.to_status,
                        "at": s.created_at,
                        "reason": s.reason,
                    }
                    for s in p.changes
                ],
            }
            for p in proposals
        ],
        "attendance": sorted(
            (
                {"friday": day(a.meeting_id), "status": a.status, "recorded_at": a.created_at}
                for a in attendances
            ),
            key=lambda row: row["friday"] or date.min,
        ),
        "roles_of_the_day": [{"friday": day(r.meeting_id), "role": r.role} for r in roles],
        "round_answers": [
            {
                "friday": day(rnd.meeting_id),
                "kind": rnd.kind,
                "question": rnd.question,
                "answer": a.answer,
                "reason": a.reason,
                "objection": a.objection,
                "answered_at": a.answered_at,
            }
            for a, rnd in answers
        ],
        "hands_raised": [
            {"friday": day(h.meeting_id), "raised_at": h.raised_at, "floor_at": h.given_floor_at}
            for h in hands
        ],
        "decisions": [
            {
                "number": d.number,
                "friday": d.meeting.scheduled_for,
                "statement": d.statement,
                "mode": d.mode,
                "decided_at": d.decided_at,
                "recorded_by_you": d.decided_by_id == mid,
                "present": bool(attendance_ids & set(d.present or [])),
            }
            for d in decisions
        ],
        "actions": [
            {
                "label": a.label,
                "due_on": a.due_on,
                "status": a.status,
                "yours": a.owner_id == mid,
                "added_by_you": a.created_by_id == mid,
                "decision_number": a.decision.number if a.decision else None,
                "done_at": a.done_at,
            }
            for a in actions
        ],
        "minutes": [
            {
                "friday": m.scheduled_for,
                "summary_written_by_you": m.summary_updated_by_id == mid,
                "validated_by_you": m.minutes_validated_by_id == mid,
                "validated_at": m.minutes_validated_at,
            }
            for m in minutes
        ],
        "gifts": [
            {
                "id": g.id,
                "amount_cents": g.amount_cents,
                "status": g.status,
                "received_on": g.received_on,
                "expected_on": g.expected_on,
                "method": g.method,
                "note": g.note,
                "postal_address": g.donor_address,
                "receipt_number": g.receipt_number,
                "receipt_issued_at": g.receipt_issued_at,
                "created_at": g.created_at,
            }
            for g in gifts
        ],
        "catalogue_uses": [
            {
                "item": u.item.title,
                "used_on": u.used_on,
                "quantity": u.quantity,
                "contribution_cents": u.contribution_cents,
                "for_whom": u.for_whom,
                "note": u.note,
                "cancelled_at": u.cancelled_at,
            }
            for u in uses
        ],
        "catalogue_offers": [
            {"title": i.title, "description": i.description, "unit": i.unit, "active": i.active}
            for i in offers
        ],
        "events_created": [
            {"title": e.title, "starts_at": e.starts_at, "status": e.status} for e in events
        ],
        "expenses_recorded": [
            {"label": e.label, "amount_cents": e.amount_cents, "spent_on": e.spent_on}
            for e in expenses
        ],
        "weather_given_on": sorted(filter(None, (day(m) for m in weather))),
        "invitations_made": [
            {"role": i.role, "created_at": i.created_at, "used": i.used_at is not None}
            for i in scalars(select(Invitation).where(Invitation.created_by_id == mid))
        ],
        "sessions": [
            {
                "device": s.user_agent,
                "signed_in_at": s.created_at,
                "last_seen_at": s.last_seen_at,
                "remember": s.remember,
                "ended_at": s.revoked_at,
            }
            for s in scalars(
                select(MemberSession)
                .where(MemberSession.member_id == mid)
                .order_by(MemberSession.id)
            )
        ],
        "feed_tokens": [
            {
                "scope": t.scope,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
            }
            for t in scalars(select(FeedToken).where(FeedToken.member_id == mid))
        ],
        "api_tokens": [
            {
                "label": t.label,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
            }
            for t in scalars(select(ApiToken).where(ApiToken.member_id == mid))
        ],
        "notifications": [
            {"kind": n.kind, "data": n.data, "created_at": n.created_at, "read_at": n.read_at}
            for n in scalars(
                select(Notification).where(Notification.member_id == mid).order_by(Notification.id)
            )
        ],
        "traces": [
            {
                "seq": t.id,
                "at": t.created_at,
                "verb": t.verb,
                "subject_type": t.subject_type,
                "subject_id": t.subject_id,
                "friday": day(t.meeting_id),
                "data": t.data,
                "sentence": sentences[t.id],
            }
            for t in traces
        ],
    }


# -- the files -----------------------------------------------------------------------------------


def _json_value(value):
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"  # stored as naive UTC
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not exportable: {type(value).__name__}")


def to_json(data):
    """`data.json`: the values of `collect`, dates in ISO form (moments in UTC)."""
    return json.dumps(data, default=_json_value, ensure_ascii=False, indent=2, sort_keys=False)


def file_name(member):
    return f"vendredi-mes-donnees-{utcnow().date().isoformat()}.zip"


def archive(member):
    """The zip a member downloads: `data.json` and `archive.md`."""
    from .readable import markdown

    data = collect(member)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("data.json", to_json(data))
        zipped.writestr("archive.md", markdown(data))
    return buffer.getvalue()
