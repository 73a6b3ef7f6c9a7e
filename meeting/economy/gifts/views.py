"""Les dons: pages (`/budget/dons/…`).

Endpoints (fixed: other features link to them):
- `gifts.index` GET,POST `/budget/dons/`: treasurer: every gift, record one
- `gifts.pledge` GET,POST `/budget/dons/annoncer`: member: announce a gift
- `gifts.mine` GET `/budget/dons/mes-dons`: member: their own gifts
- `gifts.show` GET `/budget/dons/<int:gift_id>`: treasurer or donor: one gift
- `gifts.confirm` POST `/budget/dons/<int:gift_id>/confirmer`: treasurer: a pledge received
- `gifts.cancel` POST `/budget/dons/<int:gift_id>/annuler`: treasurer (or donor for a pledge)
- `gifts.receipt` GET `/budget/dons/<int:gift_id>/recu`: donor (or treasurer): the receipt, when enabled
"""

from flask import Blueprint, abort

bp = Blueprint("gifts", __name__, url_prefix="/budget/dons")


@bp.route("/", methods=["GET", "POST"])
def index():
    abort(404)  # to be built


@bp.route("/annoncer", methods=["GET", "POST"])
def pledge():
    abort(404)  # to be built


@bp.route("/mes-dons", methods=["GET"])
def mine():
    abort(404)  # to be built


@bp.route("/<int:gift_id>", methods=["GET"])
def show(gift_id):
    abort(404)  # to be built


@bp.route("/<int:gift_id>/confirmer", methods=["POST"])
def confirm(gift_id):
    abort(404)  # to be built


@bp.route("/<int:gift_id>/annuler", methods=["POST"])
def cancel(gift_id):
    abort(404)  # to be built


@bp.route("/<int:gift_id>/recu", methods=["GET"])
def receipt(gift_id):
    abort(404)  # to be built
