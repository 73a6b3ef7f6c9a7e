"""Pages of the search feature: `/recherche?q=` over decisions, minutes, proposals, points
and needs (never billets d'humeur)."""

from dataclasses import dataclass

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from .. import labels, permissions
from ..extensions import login_manager
from ..i18n import _, long_date
from . import privacy, service
from .text import MAX_QUERY, Query, excerpt, highlight

bp = Blueprint("search", __name__)

# URL values of the kind filter (French, like the register's), and what each shows.
KIND_PARAMS = {
    "decisions": "decision",
    "comptes-rendus": "minutes",
    "propositions": "proposal",
    "points": "point",
    "besoins": "need",
}


def _filter_labels():
    return {
        "decision": _("Décisions"),
        "minutes": _("Comptes rendus"),
        "proposal": _("Propositions d’événement"),
        "point": _("Points"),
        "need": _("Besoins"),
    }


@dataclass
class Row:
    kind_label: str
    title: Markup
    url: str
    day: object
    status: str
    excerpt: Markup


def _viewer():
    return current_user if current_user.is_authenticated else None


def _int(value, low, high):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


@bp.route("/recherche")
def index():
    viewer = _viewer()
    if not permissions.can_search_archive(viewer):
        return login_manager.unauthorized()  # the sign-in page, then back here
    allowed = service.visible_filters(viewer)
    notices = []
    query = Query(request.args.get("q", ""))
    if query.truncated:
        notices.append(
            _(
                "Votre recherche était trop longue : seuls ses %(n)s premiers caractères ont "
                "été cherchés.",
                n=MAX_QUERY,
            )
        )
    if query.dropped:
        notices.append(
            _("Ces mots sont trop courants pour être cherchés seuls : ajoutez un mot plus précis.")
        )
    kinds = [KIND_PARAMS[k] for k in request.args.getlist("type") if KIND_PARAMS.get(k) in allowed]
    raw_year = (request.args.get("annee") or "").strip()
    year = _int(raw_year, 1900, 9999) if raw_year else None
    if raw_year and year is None:
        notices.append(_("Année « %(value)s » ignorée : toutes les années.", value=raw_year[:20]))
    page = _int(request.args.get("page", "1"), 1, 10**6) or 1
    results = service.search(query, kinds=kinds or None, year=year, page=page, viewer=viewer)
    if results.query.left_out:
        notices.append(_("Les noms de personnes ne sont pas cherchés dans les pages publiques."))
    # Published texts are read without people's names, as in the published register.
    redact = (
        (lambda value: value)
        if permissions.can_search_everything(viewer)
        else privacy.redactor(privacy.people_names())
    )
    params = {"q": query.text, "type": [k for k, v in KIND_PARAMS.items() if v in kinds]}
    if year:
        params["annee"] = year
    return render_template(
        "search/index.html",
        query=results.query,
        results=results,
        rows=[_row(doc, results, redact) for doc in results.documents],
        notices=notices,
        kinds=kinds,
        year=year,
        years=service.years(viewer),
        filters=[
            (param, key, _filter_labels()[key])
            for param, key in KIND_PARAMS.items()
            if key in allowed
        ],
        params=params,
    )


def _friday(doc):
    return doc.day.isoformat() if doc.day else None


def _decision_text(decision):
    """A decision's indexed texts, each part named: the statement, the objections, how they
    were lifted."""
    parts = [decision.statement]
    if decision.objections:
        parts.append(_("Objections") + "\u00a0: " + decision.objections)
    if decision.objections_lifted:
        parts.append(_("Levées ainsi") + "\u00a0: " + decision.objections_lifted)
    return " · ".join(parts)


def _row(doc, results, redact):
    """What one result shows: its kind, its title and excerpt with the words marked, a link."""
    stems = results.query.stems
    day = _friday(doc)
    status = ""
    body = doc.body
    if doc.kind == "decision":
        decision = results.decisions.get(doc.ref_id)
        number = decision.number if decision else doc.ref_id
        kind_label = _("Décision n° %(n)s", n=number)
        title = doc.title or kind_label
        url = url_for("decisions.show", number=number)
        if decision is not None:
            body = _decision_text(decision)
        if doc.ref_id in results.superseded:
            status = _("remplacée")
    elif doc.kind == "minutes":
        kind_label = _("Compte rendu")
        title = _("Compte rendu du %(date)s", date=long_date(doc.day))
        url = url_for("prep.document", day=day) + "compte-rendu"
    elif doc.kind == "point":
        kind_label = _("Point de l’ordre du jour")
        title = doc.title or ""
        url = url_for("prep.document", day=day)
        status = labels.ITEM_STATUS_LABELS.get(doc.status, "")
    else:
        kind_label = labels.KIND_LABELS.get(doc.kind, doc.kind)
        title = doc.title or _("Sans titre")
        url = url_for("prep.document", day=day, _anchor=f"entree-{doc.ref_id}")
        if doc.kind == "need":
            status = labels.NEED_LABELS.get(doc.status, "")
        else:
            status = labels.PROPOSAL_STATUS_LABELS.get(doc.status, "")
            proposal = results.proposals.get(doc.ref_id)
            if proposal is not None:
                url = url_for("proposals.show", proposal_id=proposal.id)
    return Row(
        kind_label=str(kind_label),
        title=highlight(redact(str(title)), stems),
        url=url,
        day=doc.day,
        status=str(status),
        excerpt=excerpt(redact(body), stems),
    )
