"""Le catalogue des biens et services: pages (`/catalogue/…`).

Endpoints (fixed: other features link to them):
- `catalogue.index` GET `/catalogue/`: anyone: what the place and its members offer
- `catalogue.new` GET,POST `/catalogue/nouveau`: member: offer something
- `catalogue.show` GET `/catalogue/<int:item_id>`: anyone: one good or service, its reference
- `catalogue.edit` GET,POST `/catalogue/<int:item_id>/modifier`: who offers it, facilitators, treasurer
- `catalogue.record_use` GET,POST `/catalogue/<int:item_id>/utiliser`: member: record a use and a contribution
- `catalogue.mine` GET `/catalogue/mes-contributions`: member: their uses and contributions in kind
- `catalogue.uses` GET `/catalogue/utilisations`: treasurer: every use
"""

from flask import Blueprint, abort

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue")


@bp.route("/", methods=["GET"])
def index():
    abort(404)  # to be built


@bp.route("/nouveau", methods=["GET", "POST"])
def new():
    abort(404)  # to be built


@bp.route("/<int:item_id>", methods=["GET"])
def show(item_id):
    abort(404)  # to be built


@bp.route("/<int:item_id>/modifier", methods=["GET", "POST"])
def edit(item_id):
    abort(404)  # to be built


@bp.route("/<int:item_id>/utiliser", methods=["GET", "POST"])
def record_use(item_id):
    abort(404)  # to be built


@bp.route("/mes-contributions", methods=["GET"])
def mine():
    abort(404)  # to be built


@bp.route("/utilisations", methods=["GET"])
def uses():
    abort(404)  # to be built
