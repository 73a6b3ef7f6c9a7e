"""Les dons: pages (`/budget/dons/…`).

Endpoints (fixed: other features link to them):
- `gifts.index` GET,POST `/budget/dons/`: treasurer: every gift, record one
- `gifts.pledge` GET,POST `/budget/dons/annoncer`: member: announce a gift
- `gifts.mine` GET `/budget/dons/mes-dons`: member: their own gifts
- `gifts.show` GET `/budget/dons/<int:gift_id>`: treasurer or donor: one gift
- `gifts.confirm` POST `/budget/dons/<int:gift_id>/confirmer`: treasurer: a pledge received
- `gifts.cancel` POST `/budget/dons/<int:gift_id>/annuler`: treasurer (or donor for a pledge)
- `gifts.receipt` GET `/budget/dons/<int:gift_id>/recu`: donor (or treasurer): the receipt, when enabled
And this feature's own:
- `gifts.issue_receipt` POST `/budget/dons/<int:gift_id>/recu`… `/delivrer`: number it once

Every post runs one command of `events.py` through `commands.run_form`; a refusal shows the
same page again with the message beside the field and the typed values kept.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import permissions, place
from ...commands import current_actor, run_form
from ...errors import ServiceError, field_errors
from ...extensions import login_manager
from ...i18n import _
from ...meetings import dates
from ..money import format_money
from ..summary import asked_year
from . import checks, read, receipts

bp = Blueprint("gifts", __name__, url_prefix="/budget/dons")

STATUS_PARAM = {"annonces": "pledged", "recus": "received", "annules": "cancelled"}
RECORD_FIELDS = (
    "amount",
    "received_on",
    "member_id",
    "donor_name",
    "anonymous",
    "donor_email",
    "donor_address",
    "line_id",
    "method",
    "note",
)
PLEDGE_FIELDS = ("amount", "expected_on", "line_id", "donor_address", "note")


def _members_only():
    """None for a member; else the answer: sign in first."""
    if current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


def _treasurer_only():
    refused = _members_only()
    if refused is None and not permissions.can_keep_accounts(current_user):
        abort(403)
    return refused


def _error_list(errors, order):
    return [(name, errors[name]) for name in order if name in errors]


def _year_arg():
    this_year = dates.today_in_place().year
    return asked_year(request.args.get("annee"), checks.EARLIEST_YEAR, this_year + 1) or this_year


def _index_page(form=None, error=None, failed=None, status=200):
    """The treasurer's page; `error` refused the record form, `failed` = (gift id, form name,
    error, typed values) refused one pledge's confirm or cancel form."""
    year = _year_arg()
    status_param = request.args.get("statut", "")
    status_filter = STATUS_PARAM.get(status_param)
    gifts = read.year_gifts(current_user, year, status_filter)
    received = [g for g in gifts if g.status == "received"]
    errors = field_errors(error) if error is not None else {}
    if failed is not None:
        failed = {
            "gift_id": failed[0],
            "form": failed[1],
            "message": failed[2].message,
            "errors": field_errors(failed[2]),
            "typed": failed[3],
        }
    today = dates.today_in_place()
    return render_template(
        "economy/gifts/index.html",
        year=year,
        this_year=today.year,
        today=today,
        status_param=status_param,
        status_params=STATUS_PARAM,
        gifts=gifts,
        pledges=read.pending_pledges(current_user),
        received_cents=sum(g.amount_cents for g in received),
        received_count=len(received),
        lines=read.year_lines(year),
        members=read.donor_choices(),
        form=form if form is not None else {"received_on": today.isoformat()},
        error=error.message if error is not None else None,
        errors=errors,
        error_list=_error_list(errors, RECORD_FIELDS),
        failed=failed,
        receipts_on=receipts.receipts_enabled(),
    ), status


@bp.route("/", methods=["GET", "POST"])
def index():
    refused = _treasurer_only()
    if refused is not None:
        return refused
    if request.method == "GET":
        return _index_page()
    try:
        result = run_form("record_gift", request.form)
    except ServiceError as exc:
        return _index_page(request.form, exc, status=exc.status)
    gift = read.get_gift(current_user, result["gift_id"])
    flash(
        _(
            "Le don de %(amount)s est enregistré (%(donor)s).",
            amount=format_money(gift.amount_cents),
            donor=read.donor_label(gift),
        ),
        "success",
    )
    return redirect(url_for("gifts.index", annee=gift.received_on.year), code=303)


def _pledge_page(form=None, error=None, status=200):
    today = dates.today_in_place()
    errors = field_errors(error) if error is not None else {}
    return render_template(
        "economy/gifts/pledge.html",
        form=form or {},
        error=error.message if error is not None else None,
        errors=errors,
        error_list=_error_list(errors, PLEDGE_FIELDS),
        lines=read.year_lines(today.year),
        year=today.year,
        today=today,
        donation=_donation(),
    ), status


def _donation():
    """Where to pay (Vendredi takes no payment): the place's page, or its bank details."""
    url = place.setting("donation_url").strip()
    return {
        "url": url if url.startswith(("https://", "http://")) else "",
        "details": place.setting("donation_details").strip(),
    }


@bp.route("/annoncer", methods=["GET", "POST"])
def pledge():
    refused = _members_only()
    if refused is not None:
        return refused
    if request.method == "GET":
        return _pledge_page()
    try:
        result = run_form("pledge_gift", request.form)
    except ServiceError as exc:
        return _pledge_page(request.form, exc, exc.status)
    return redirect(url_for("gifts.show", gift_id=result["gift_id"], annonce=1), code=303)


@bp.route("/mes-dons", methods=["GET"])
def mine():
    refused = _members_only()
    if refused is not None:
        return refused
    return render_template(
        "economy/gifts/mine.html",
        gifts=read.my_gifts(current_user),
        receipts_on=receipts.receipts_enabled(),
    )


def _show_page(gift, error=None, status=200):
    actor = current_actor()
    return render_template(
        "economy/gifts/show.html",
        gift=gift,
        donor=read.donor_label(gift),
        treasurer=permissions.can_keep_accounts(actor),
        is_donor=gift.donor_member_id == getattr(actor, "id", None),
        just_pledged=request.args.get("annonce") == "1" and gift.status == "pledged",
        donation=_donation(),
        receipts_on=receipts.receipts_enabled(),
        receipt_refusal=receipts.refusal(gift),
        error=error.message if error is not None else None,
        errors=field_errors(error) if error is not None else {},
        form=request.form if error is not None else {},
    ), status


@bp.route("/<int:gift_id>", methods=["GET"])
def show(gift_id):
    gift = read.get_gift(current_actor(), gift_id)  # 404 for anyone but donor and treasurer
    return _show_page(gift)


@bp.route("/<int:gift_id>/confirmer", methods=["POST"])
def confirm(gift_id):
    refused = _treasurer_only()
    if refused is not None:
        return refused
    try:
        run_form("confirm_gift", request.form, gift_id=gift_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return _index_page(failed=(gift_id, "confirm", exc, request.form), status=exc.status)
    gift = read.get_gift(current_user, gift_id)
    flash(
        _(
            "Réception confirmée : %(amount)s de %(donor)s.",
            amount=format_money(gift.amount_cents),
            donor=read.donor_label(gift),
        ),
        "success",
    )
    return redirect(url_for("gifts.index", annee=gift.received_on.year), code=303)


@bp.route("/<int:gift_id>/annuler", methods=["POST"])
def cancel(gift_id):
    refused = _members_only()
    if refused is not None:
        return refused
    from_index = request.form.get("retour") == "index" and permissions.can_keep_accounts(
        current_user
    )
    try:
        run_form("cancel_gift", request.form, gift_id=gift_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        if from_index:
            return _index_page(failed=(gift_id, "cancel", exc, request.form), status=exc.status)
        return _show_page(read.get_gift(current_user, gift_id), exc, exc.status)
    flash(_("Le don est annulé."), "success")
    if from_index:
        return redirect(url_for("gifts.index"), code=303)
    return redirect(url_for("gifts.show", gift_id=gift_id), code=303)


def _receipt_page(gift, error=None, status=200):
    actor = current_actor()
    return render_template(
        "economy/gifts/receipt.html",
        gift=gift,
        donor=receipts.donor_fields(gift),
        beneficiary=receipts.beneficiary(),
        words=receipts.amount_in_words(gift.amount_cents),
        method_box=receipts.METHOD_BOXES.get(gift.method),
        issued_on=receipts.issued_day(gift),
        treasurer=permissions.can_keep_accounts(actor),
        error=error.message if error is not None else None,
        errors=field_errors(error) if error is not None else {},
        form=request.form if error is not None else {},
    ), status


@bp.route("/<int:gift_id>/recu", methods=["GET"])
def receipt(gift_id):
    """The receipt (once issued), else the button that issues it. Refused with a French page:
    404 to anyone but the donor and the treasurer, and when the place issues no receipts; 409
    for a gift not received or anonymous."""
    return _receipt_page(receipts.get_receipt_gift(current_actor(), gift_id))


@bp.route("/<int:gift_id>/recu/delivrer", methods=["POST"])
def issue_receipt(gift_id):
    refused = _members_only()
    if refused is not None:
        return refused
    try:
        run_form("issue_receipt", request.form, gift_id=gift_id)
    except ServiceError as exc:
        if exc.status in (404, 409) and not field_errors(exc):
            raise
        return _receipt_page(receipts.get_receipt_gift(current_user, gift_id), exc, exc.status)
    return redirect(url_for("gifts.receipt", gift_id=gift_id), code=303)
