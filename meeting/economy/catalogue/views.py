"""Le catalogue des biens et services: pages (`/catalogue/…`).

Endpoints (fixed: other features link to them):
- `catalogue.index` GET `/catalogue/`: anyone: what the place and its members offer
- `catalogue.new` GET,POST `/catalogue/nouveau`: member: offer something
- `catalogue.show` GET `/catalogue/<int:item_id>`: anyone: one good or service, its reference
- `catalogue.edit` GET,POST `/catalogue/<int:item_id>/modifier`: who offers it, facilitators, treasurer
- `catalogue.record_use` GET,POST `/catalogue/<int:item_id>/utiliser`: member: record a use and a contribution
- `catalogue.mine` GET `/catalogue/mes-contributions`: member: their uses and contributions in kind
- `catalogue.uses` GET `/catalogue/utilisations`: treasurer: every use
and this feature's own:
- `catalogue.cancel_use` POST `/catalogue/utilisations/<int:use_id>/annuler`: its member, the treasurer

Amounts one by one (a use's contribution, a need's value) appear only on `mine` (the
person's own) and `uses` (the treasurer's); the catalogue's pages show counts and the
reference of the "contribution consciente", never who gave what.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ... import permissions, place
from ...commands import current_actor, run_form
from ...errors import ServiceError, field_errors
from ...i18n import _
from ...labels import CATALOGUE_UNIT_LABELS
from ...meetings import dates
from ...models.economy import CATALOGUE_UNITS
from ...prep.services import short_title
from .. import money
from ..summary import asked_year
from . import in_kind, services
from . import uses as use_records

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue")

ITEM_FORM_FIELDS = ("title", "category", "unit", "house_minutes", "offered_by_id", "description")
USE_FORM_FIELDS = ("used_on", "quantity", "for_whom", "contribution", "note")


def _year():
    """The year a page shows: `?annee=2026`, else this year."""
    this_year = dates.today_in_place().year
    text = request.args.get("annee")
    if text is None:
        return this_year
    year = asked_year(text, 2000, this_year + 1)
    if year is None:
        abort(404)
    return year


def _errors_context(error, order):
    errors = field_errors(error) if error is not None else {}
    return {
        "error": error.message if error is not None else None,
        "errors": errors,
        "error_list": [(name, errors[name]) for name in order if name in errors],
    }


@bp.route("/", methods=["GET"])
def index():
    actor = current_actor()
    return render_template(
        "economy/catalogue/index.html",
        groups=services.catalogue(),
        withdrawn=services.withdrawn_items_of(actor),
        hour_cents=services.hour_of_house(),
        actor=actor,
        is_member=permissions.is_member(actor),
        offer_name=services.offered_by_label,
    )


def _item_form_page(form, item=None, error=None):
    return render_template(
        "economy/catalogue/form.html",
        form=form,
        item=item,
        units=CATALOGUE_UNITS,
        unit_labels=CATALOGUE_UNIT_LABELS,
        suggestions=services.CATEGORY_SUGGESTIONS,
        as_place=permissions.can_offer_as_place(current_user),
        place_name=place.setting("association_name"),
        **_errors_context(error, ITEM_FORM_FIELDS),
    ), (error.status if error is not None else 200)


@bp.route("/nouveau", methods=["GET", "POST"])
@login_required
def new():
    if not permissions.can_manage_catalogue_item(current_user):
        abort(403)
    if request.method == "GET":
        return _item_form_page({"unit": "hour", "house_minutes": "0"})
    try:
        ack = run_form("add_catalogue_item", request.form)
    except ServiceError as error:
        return _item_form_page(request.form, error=error)
    flash(_("Votre offre est dans le catalogue."), "success")
    return redirect(url_for("catalogue.show", item_id=ack["catalogue_item_id"]))


@bp.route("/<int:item_id>", methods=["GET"])
def show(item_id):
    actor = current_actor()
    item = services.get_item(item_id)
    hour_cents = services.hour_of_house()
    return render_template(
        "economy/catalogue/show.html",
        item=item,
        hour_cents=hour_cents,
        reference_cents=services.item_reference(item, hour_cents),
        offered_by=services.offered_by_label(item, actor),
        used_count=use_records.count_this_year(item.id),
        year=dates.today_in_place().year,
        can_manage=permissions.can_manage_catalogue_item(actor, item),
        can_use=permissions.can_record_use(actor) and item.active,
        is_member=permissions.is_member(actor),
    )


EDIT_COMMANDS = {
    "edit": "edit_catalogue_item",
    "withdraw": "withdraw_catalogue_item",
    "restore": "restore_catalogue_item",
}


@bp.route("/<int:item_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(item_id):
    item = services.get_item(item_id)
    if not permissions.can_manage_catalogue_item(current_user, item):
        abort(403)
    if request.method == "GET":
        return _item_form_page(services.item_form_values(item), item=item)
    op = request.form.get("op", "edit")
    name = EDIT_COMMANDS.get(op, op if op in EDIT_COMMANDS.values() else None)
    if name is None:
        abort(400)
    try:
        run_form(name, request.form, catalogue_item_id=item.id)
    except ServiceError as error:
        return _item_form_page(request.form, item=item, error=error)
    flash(
        {
            "edit_catalogue_item": _("Offre modifiée."),
            "withdraw_catalogue_item": _("Offre retirée du catalogue."),
            "restore_catalogue_item": _("Offre remise au catalogue."),
        }[name],
        "success",
    )
    return redirect(url_for("catalogue.show", item_id=item.id))


def _use_form_page(item, form, error=None):
    hour_cents = services.hour_of_house()
    return render_template(
        "economy/catalogue/use_form.html",
        item=item,
        form=form,
        hour_cents=hour_cents,
        reference_cents=services.item_reference(item, hour_cents),
        today=dates.today_in_place(),
        **_errors_context(error, USE_FORM_FIELDS),
    ), (error.status if error is not None else 200)


@bp.route("/<int:item_id>/utiliser", methods=["GET", "POST"])
@login_required
def record_use(item_id):
    if not permissions.can_record_use(current_user):
        abort(403)
    item = services.get_item(item_id)
    if request.method == "GET":
        if not item.active:
            return render_template(
                "errors/error.html",
                status=409,
                message=_("Cette offre a été retirée du catalogue."),
            ), 409
        return _use_form_page(
            item, {"used_on": dates.today_in_place().isoformat(), "quantity": "1"}
        )
    try:
        ack = run_form("record_catalogue_use", request.form, catalogue_item_id=item.id)
    except ServiceError as error:
        return _use_form_page(item, request.form, error=error)
    use = use_records.get_use(current_user, ack["use_id"])
    # The confirmation names the amount: this page is its member's own.
    flash(
        _(
            "Merci ! Votre utilisation de « %(title)s » est enregistrée, avec une contribution "
            "de %(amount)s.",
            title=item.title,
            amount=money.format_money(use.contribution_cents),
        ),
        "success",
    )
    return redirect(url_for("catalogue.mine", annee=use.used_on.year, _anchor=f"use-{use.id}"))


@bp.route("/mes-contributions", methods=["GET"])
@login_required
def mine():
    year = _year()
    own_uses = use_records.uses_of(current_user, year)
    own_in_kind = in_kind.contributions_of(current_user, year)
    uses_total = use_records.total_cents(own_uses)
    in_kind_total = sum(entry.in_kind_cents for entry in own_in_kind)
    return render_template(
        "economy/catalogue/mine.html",
        year=year,
        this_year=dates.today_in_place().year,
        uses=own_uses,
        in_kind=own_in_kind,
        uses_total=uses_total,
        in_kind_total=in_kind_total,
        total=uses_total + in_kind_total,
        need_title=short_title,
    )


@bp.route("/utilisations", methods=["GET"])
@login_required
def uses():
    if not permissions.can_keep_accounts(current_user):
        abort(403)
    year = _year()
    every_use = use_records.all_uses(year)
    every_in_kind = in_kind.all_contributions(year)
    uses_total = use_records.total_cents(every_use)
    in_kind_total = sum(entry.in_kind_cents for entry in every_in_kind)
    return render_template(
        "economy/catalogue/uses.html",
        year=year,
        this_year=dates.today_in_place().year,
        uses=every_use,
        in_kind=every_in_kind,
        uses_total=uses_total,
        in_kind_total=in_kind_total,
        total=uses_total + in_kind_total,
        need_title=short_title,
    )


@bp.route("/utilisations/<int:use_id>/annuler", methods=["POST"])
@login_required
def cancel_use(use_id):
    run_form("cancel_catalogue_use", request.form, use_id=use_id)
    flash(_("Utilisation annulée : elle ne compte plus."), "success")
    back = request.form.get("next")
    if back == "uses" and permissions.can_keep_accounts(current_user):
        return redirect(url_for("catalogue.uses", annee=request.form.get("annee")))
    return redirect(url_for("catalogue.mine", annee=request.form.get("annee")))
