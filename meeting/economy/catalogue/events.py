"""Le catalogue des biens et services: commands (see `meeting.commands`).

Offers are added and edited through their pages' forms; uses are recorded and cancelled
through forms or the socket. None broadcasts a fact: a use and its amount belong to its member
and the treasurer, and the year's figures tell their own listeners (`economy.facts`)."""

from ... import permissions
from ...commands import command
from . import services, uses

ITEM_FIELDS = {
    "title": (str, True),
    "description": (str, False),
    "category": (str, False),
    "unit": (str, True),
    "house_minutes": ((int, str), False),
    "offered_by_id": ((int, str), False),
}


@command(
    "add_catalogue_item",
    allowed=permissions.can_manage_catalogue_item,
    fields=ITEM_FIELDS,
    doors=("form",),
)
def add_catalogue_item(actor, **values):
    """Posted by the "Proposer quelque chose" form. Broadcasts nothing."""
    item = services.create_item(actor, **values)
    return {"catalogue_item_id": item.id}


@command(
    "edit_catalogue_item",
    allowed=permissions.is_member,  # the offer's own rule is checked by the service
    fields={"catalogue_item_id": (int, True), **ITEM_FIELDS},
    doors=("form",),
)
def edit_catalogue_item(actor, catalogue_item_id, **values):
    """Posted by an offer's edit form. Broadcasts nothing."""
    item = services.edit_item(actor, catalogue_item_id, **values)
    return {"catalogue_item_id": item.id}


@command(
    "withdraw_catalogue_item",
    allowed=permissions.is_member,
    fields={"catalogue_item_id": (int, True)},
    doors=("form",),
)
def withdraw_catalogue_item(actor, catalogue_item_id):
    """Posted by "Retirer du catalogue" on an offer's edit page. Broadcasts nothing."""
    item = services.set_active(actor, catalogue_item_id, False)
    return {"catalogue_item_id": item.id, "active": item.active}


@command(
    "restore_catalogue_item",
    allowed=permissions.is_member,
    fields={"catalogue_item_id": (int, True)},
    doors=("form",),
)
def restore_catalogue_item(actor, catalogue_item_id):
    """Posted by "Remettre au catalogue" on a withdrawn offer's edit page. Broadcasts nothing."""
    item = services.set_active(actor, catalogue_item_id, True)
    return {"catalogue_item_id": item.id, "active": item.active}


@command(
    "record_catalogue_use",
    allowed=permissions.can_record_use,
    fields={
        "catalogue_item_id": (int, True),
        "used_on": (str, True),
        "contribution": (str, True),
        "quantity": ((int, str), False),
        "for_whom": (str, False),
        "note": (str, False),
    },
    doors=("socket", "form"),
)
def record_catalogue_use(actor, catalogue_item_id, **values):
    """Sent by a member's "J'ai utilisé" form; the ack carries only the new use's id (the
    page shows its amount to its member). Broadcasts nothing."""
    use = uses.record_use(actor, catalogue_item_id, **values)
    return {"use_id": use.id}


@command(
    "cancel_catalogue_use",
    allowed=permissions.can_record_use,  # its member or the treasurer: checked by the service
    fields={"use_id": (int, True)},
    doors=("socket", "form"),
)
def cancel_catalogue_use(actor, use_id):
    """Sent by "Annuler" on "Mes contributions" or the treasurer's list. Broadcasts nothing."""
    use = uses.cancel_use(actor, use_id)
    return {"use_id": use.id, "cancelled": True}
