"""Gifts and receipts (issue 11, item 2): the treasurer records a gift, a member announces one
that the treasurer confirms, either cancels; receipts when the place issues them; and what each
audience receives (a gift is the treasurer's and its donor's only)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from meeting import place
from meeting.economy import facts, summary
from meeting.economy.gifts import read, receipts
from meeting.economy.gifts import services as gifts
from meeting.economy.money import format_money
from meeting.errors import Conflict, FieldErrors, Forbidden, NotFound, ServiceError
from meeting.extensions import db
from meeting.i18n import french_spacing
from meeting.meetings import dates
from meeting.models import BudgetLine, BudgetYear, Gift, Trace
from meeting.models.base import utcnow
from tests.conftest import post_form, sign_in

GIFT_VERBS = ("gift_recorded", "gift_pledged", "gift_confirmed", "gift_cancelled")


def text_of(response):
    return response.get_data(as_text=True)


def today():
    return dates.today_in_place()


@pytest.fixture
def treasurer(make_member):
    member = make_member(name="Tess Trésorière")
    member.is_treasurer = True
    db.session.commit()
    return member


@pytest.fixture
def ines(make_member):
    return make_member(name="Inès Donatrice")


@pytest.fixture
def marc(make_member):
    return make_member(name="Marc Curieux")


def budget(year, closed=False, labels=("Loyer et charges",)):
    """A budget year with one line per label (monthly, 820 €), closed or not."""
    row = BudgetYear(year=year, closed_at=utcnow() if closed else None)
    db.session.add(row)
    for n, label in enumerate(labels):
        row.lines.append(
            BudgetLine(
                position=n, label=label, category="charges", period="month", amount_cents=82000
            )
        )
    db.session.commit()
    return row


def as_client(app, member):
    client = app.test_client()
    sign_in(client, member)
    return client


def gift_count():
    db.session.rollback()
    return db.session.scalar(select(func.count(Gift.id)))


def gift_traces():
    db.session.rollback()
    return db.session.scalars(
        select(Trace).where(Trace.verb.like("gift_%")).order_by(Trace.id)
    ).all()


def receipts_on(admin):
    place.set_setting(admin, "receipts", "on")


# -- services: recording ----------------------------------------------------------------------


def test_the_treasurer_records_a_gift_written_the_french_way(treasurer, ines):
    gift = gifts.record_gift(treasurer, "1 383,50 €", today().isoformat(), donor_member_id=ines.id)
    assert (gift.status, gift.amount_cents, gift.received_on) == ("received", 138350, today())
    assert gift.donor_member_id == ines.id and not gift.anonymous
    assert summary.year_summary(today().year).gifts_cents == 138350
    (trace,) = gift_traces()
    # ids only: never an amount, never a name
    assert (trace.verb, trace.subject_type, trace.data) == (
        "gift_recorded",
        "gift",
        {"gift_id": gift.id},
    )


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Le montant doit être supérieur à zéro."),
        ("-5", "Le montant doit être positif"),
        ("douze euros", "Montant illisible : écrivez-le en euros, par exemple « 1 383,50 € »."),
        ("12,505", "Montant illisible"),
        ("2 000 000", "Ce montant dépasse"),
        ("", "Indiquez un montant"),
    ],
)
def test_a_zero_negative_unreadable_or_absurd_amount_is_refused(treasurer, amount, message):
    with pytest.raises(ServiceError) as refused:
        gifts.record_gift(treasurer, amount, today().isoformat(), donor_name="Zoé")
    assert refused.value.details["field"] == "amount"
    assert french_spacing(message) in refused.value.message
    assert gift_count() == 0 and gift_traces() == []


def test_a_gift_dated_in_the_future_or_in_a_closed_year_is_refused(treasurer):
    with pytest.raises(ServiceError) as future:
        gifts.record_gift(
            treasurer, "50", (today() + timedelta(days=1)).isoformat(), donor_name="Zoé"
        )
    assert future.value.code == "future_date" and future.value.details["field"] == "received_on"
    last_year = today().year - 1
    budget(last_year, closed=True)
    with pytest.raises(ServiceError) as closed:
        gifts.record_gift(treasurer, "50", f"{last_year}-06-01", donor_name="Zoé")
    assert closed.value.code == "year_closed"
    assert f"L’année {last_year} est close" in closed.value.message
    with pytest.raises(ServiceError) as unreadable:
        gifts.record_gift(treasurer, "50", "hier", donor_name="Zoé")
    assert "AAAA-MM-JJ" in unreadable.value.message
    assert gift_count() == 0


def test_only_the_treasurer_records_gifts(ines):
    with pytest.raises(Forbidden):
        gifts.record_gift(ines, "50", today().isoformat(), donor_name="Zoé")
    assert gift_count() == 0


def test_a_gift_names_a_member_or_a_person_or_is_anonymous(treasurer, ines):
    with pytest.raises(ServiceError) as nobody:
        gifts.record_gift(treasurer, "50", today().isoformat())
    assert nobody.value.details["field"] == "donor_name"
    with pytest.raises(ServiceError) as named_anonymous:
        gifts.record_gift(treasurer, "50", today().isoformat(), donor_name="Zoé", anonymous=True)
    assert named_anonymous.value.details["field"] == "anonymous"
    # a member's gift is never anonymous to the treasurer
    with pytest.raises(ServiceError):
        gifts.record_gift(
            treasurer, "50", today().isoformat(), donor_member_id=ines.id, anonymous=True
        )
    with pytest.raises(FieldErrors) as several:
        gifts.record_gift(treasurer, "zéro", "demain", donor_member_id=999999)
    assert set(several.value.details["fields"]) == {"amount", "received_on", "member_id"}
    anonymous = gifts.record_gift(
        treasurer, "20", today().isoformat(), anonymous=True, method="cash"
    )
    outside = gifts.record_gift(
        treasurer, "30", today().isoformat(), donor_name="Zoé Dehors", donor_email="ZOE@exemple.org"
    )
    assert anonymous.anonymous and anonymous.donor_name is None and anonymous.method == "cash"
    assert (outside.donor_name, outside.donor_email) == ("Zoé Dehors", "zoe@exemple.org")
    assert read.donor_label(anonymous) == "Anonyme"


def test_an_earmark_is_a_line_of_the_gifts_year(treasurer):
    this_year = budget(today().year, labels=("Chaudière",))
    other_year = budget(today().year + 1, labels=("Toiture",))
    with pytest.raises(ServiceError) as refused:
        gifts.record_gift(
            treasurer, "50", today().isoformat(), donor_name="Zoé", line_id=other_year.lines[0].id
        )
    assert refused.value.details["field"] == "line_id"
    assert f"Cette ligne est au budget de {today().year + 1}" in refused.value.message
    with pytest.raises(ServiceError):
        gifts.record_gift(treasurer, "50", today().isoformat(), donor_name="Zoé", line_id=999999)
    gift = gifts.record_gift(
        treasurer, "50", today().isoformat(), donor_name="Zoé", line_id=this_year.lines[0].id
    )
    assert gift.line.label == "Chaudière"


# -- services: pledge, confirm, cancel --------------------------------------------------------


def test_a_member_pledges_then_the_treasurer_confirms_a_different_amount(treasurer, ines):
    pledge = gifts.pledge_gift(ines, "50", expected_on=(today() + timedelta(days=3)).isoformat())
    assert (pledge.status, pledge.donor_member_id, pledge.anonymous) == ("pledged", ines.id, False)
    assert summary.year_summary(today().year).gifts_cents == 0
    assert summary.year_summary(today().year).pledged_cents == 5000
    gift = gifts.confirm_gift(
        treasurer, pledge.id, today().isoformat(), amount="45,50", method="transfer"
    )
    assert (gift.status, gift.amount_cents, gift.received_on, gift.method) == (
        "received",
        4550,
        today(),
        "transfer",
    )
    assert gift.confirmed_by_id == treasurer.id
    assert summary.year_summary(today().year).gifts_cents == 4550
    with pytest.raises(Conflict) as twice:
        gifts.confirm_gift(treasurer, pledge.id, today().isoformat())
    assert twice.value.code == "already_confirmed"
    assert [t.verb for t in gift_traces()] == ["gift_pledged", "gift_confirmed"]
    assert all(t.data == {"gift_id": pledge.id} for t in gift_traces())


def test_confirming_keeps_the_announced_amount_and_refuses_bad_dates(treasurer, ines):
    pledge = gifts.pledge_gift(ines, "80")
    with pytest.raises(ServiceError) as future:
        gifts.confirm_gift(treasurer, pledge.id, (today() + timedelta(days=2)).isoformat())
    assert future.value.details["field"] == "received_on"
    with pytest.raises(Forbidden):
        gifts.confirm_gift(ines, pledge.id, today().isoformat())
    assert db.session.get(Gift, pledge.id).status == "pledged"
    assert gifts.confirm_gift(treasurer, pledge.id, today().isoformat()).amount_cents == 8000


def test_pledges_refuse_what_makes_no_sense(ines):
    with pytest.raises(ServiceError) as far:
        gifts.pledge_gift(ines, "50", expected_on=(today() + timedelta(days=900)).isoformat())
    assert far.value.details["field"] == "expected_on"
    with pytest.raises(ServiceError) as zero:
        gifts.pledge_gift(ines, "0,00")
    assert zero.value.code == "invalid_amount"
    other = budget(today().year + 1)
    with pytest.raises(ServiceError) as earmark:
        gifts.pledge_gift(ines, "50", line_id=other.lines[0].id)
    assert earmark.value.details["field"] == "line_id"
    assert gift_count() == 0


def test_who_cancels_what(treasurer, ines, marc):
    pledge = gifts.pledge_gift(ines, "50")
    with pytest.raises(NotFound):  # someone else's gift does not exist for Marc
        gifts.cancel_gift(marc, pledge.id)
    cancelled = gifts.cancel_gift(ines, pledge.id, "J’ai changé d’avis")
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    assert "J’ai changé d’avis" in cancelled.note
    with pytest.raises(Conflict):
        gifts.cancel_gift(ines, pledge.id)
    with pytest.raises(Conflict) as confirm_cancelled:
        gifts.confirm_gift(treasurer, pledge.id, today().isoformat())
    assert confirm_cancelled.value.code == "gift_cancelled"

    received = gifts.record_gift(treasurer, "70", today().isoformat(), donor_member_id=ines.id)
    with pytest.raises(ServiceError) as not_hers:
        gifts.cancel_gift(ines, received.id)
    assert not_hers.value.status == 403
    assert summary.year_summary(today().year).gifts_cents == 7000
    gifts.cancel_gift(treasurer, received.id)
    assert summary.year_summary(today().year).gifts_cents == 0
    traces = gift_traces()
    assert [t.verb for t in traces][-1] == "gift_cancelled"
    assert "changé" not in str([t.data for t in traces])  # the reason stays with the gift


def test_every_change_of_a_gift_tells_who_shows_the_figures(monkeypatch, treasurer, ines):
    told = []
    monkeypatch.setattr(facts, "figures_changed", lambda c: told.append(c))
    pledge = gifts.pledge_gift(ines, "50")
    gifts.confirm_gift(treasurer, pledge.id, today().isoformat())
    gift = gifts.record_gift(treasurer, "20", today().isoformat(), anonymous=True)
    gifts.cancel_gift(treasurer, gift.id)
    assert len(told) == 4


# -- receipts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "words"),
    [
        (5000, "cinquante euros"),
        (138350, "mille trois cent quatre-vingt-trois euros et cinquante centimes"),
        (100, "un euro"),
        (101, "un euro et un centime"),
        (8000, "quatre-vingts euros"),
        (50, "cinquante centimes"),
        (100_000_000, "un million d’euros"),
    ],
)
def test_the_amount_in_full_words(cents, words):
    assert receipts.amount_in_words(cents) == words


def test_no_receipt_when_the_place_issues_none(app, treasurer, ines):
    gift = gifts.record_gift(treasurer, "50", today().isoformat(), donor_member_id=ines.id)
    client = as_client(app, ines)
    page = client.get(f"/budget/dons/{gift.id}/recu")
    assert page.status_code == 404
    assert "Le lieu ne délivre pas de reçus fiscaux." in text_of(page)
    refused = post_form(client, f"/budget/dons/{gift.id}/recu/delivrer", {"op": "issue_receipt"})
    assert refused.status_code == 404
    db.session.rollback()
    assert db.session.get(Gift, gift.id).receipt_number is None


def test_a_receipt_is_numbered_once_and_holds_the_cerfa_fields(app, make_member, treasurer, ines):
    admin = make_member(role="admin")
    receipts_on(admin)
    place.set_setting(admin, "association_quality", "Association d’intérêt général")
    gift = gifts.record_gift(
        treasurer,
        "1 383,50",
        today().isoformat(),
        donor_member_id=ines.id,
        donor_address="3 rue des Granges\n25000 Besançon",
        method="cheque",
    )
    client = as_client(app, ines)
    before = text_of(client.get(f"/budget/dons/{gift.id}/recu"))
    assert "Obtenir mon reçu" in before and "Reçu n°" not in before
    url = f"/budget/dons/{gift.id}/recu/delivrer"
    first = post_form(client, url, {"op": "issue_receipt"})
    assert first.status_code == 303
    number = f"{today().year}-001"
    page = text_of(client.get(f"/budget/dons/{gift.id}/recu"))
    for field in (
        f"Reçu n° {number}",
        "Reçu au titre des dons à certains organismes d’intérêt général",
        "Cerfa n° 11580",
        "Le 97",
        "97 rue Battant, 25000 Besançon",
        "Tiers-lieu coopératif",
        "Association d’intérêt général",
        "Inès Donatrice",
        "3 rue des Granges",
        format_money(138350),
        "mille trois cent quatre-vingt-trois euros et cinquante centimes",
        "Déclaration de don manuel",
        "Numéraire",
        "Fait à Besançon",
        "Imprimer / Enregistrer en PDF",
    ):
        assert field in page, field
    assert "☒</span> Chèque" in page
    assert "200 du CGI" in page and "238 bis du CGI" in page and "978 du CGI" in page
    # a second click, another download: the same number, one trace
    post_form(client, url, {"op": "issue_receipt"})
    again = text_of(client.get(f"/budget/dons/{gift.id}/recu"))
    assert f"Reçu n° {number}" in again
    db.session.rollback()
    assert db.session.get(Gift, gift.id).receipt_number == number
    assert [t.verb for t in gift_traces()].count("gift_receipt_issued") == 1
    # the next receipt of the year takes the next number; a gift with a receipt stays
    other = gifts.record_gift(
        treasurer, "10", today().isoformat(), donor_name="Zoé", donor_address="Ici"
    )
    assert receipts.issue_receipt(treasurer, other.id).receipt_number == f"{today().year}-002"
    with pytest.raises(Conflict) as kept:
        gifts.cancel_gift(treasurer, gift.id)
    assert kept.value.code == "receipt_issued"


def test_a_receipt_asks_for_the_donors_address_first(app, make_member, treasurer, ines):
    receipts_on(make_member(role="admin"))
    gift = gifts.record_gift(treasurer, "50", today().isoformat(), donor_member_id=ines.id)
    client = as_client(app, ines)
    url = f"/budget/dons/{gift.id}/recu/delivrer"
    refused = post_form(client, url, {"op": "issue_receipt"})
    assert refused.status_code == 400
    assert "Indiquez l’adresse postale du donateur" in text_of(refused)
    assert 'aria-invalid="true"' in text_of(refused)
    post_form(client, url, {"op": "issue_receipt", "donor_address": "1 place Granvelle"})
    page = text_of(client.get(f"/budget/dons/{gift.id}/recu"))
    assert "1 place Granvelle" in page and "cinquante euros" in page


def test_no_receipt_for_a_pledge_an_anonymous_gift_or_someone_else(
    app, make_member, treasurer, ines, marc
):
    receipts_on(make_member(role="admin"))
    pledge = gifts.pledge_gift(ines, "50")
    anonymous = gifts.record_gift(treasurer, "20", today().isoformat(), anonymous=True)
    hers = gifts.record_gift(treasurer, "1 234,56", today().isoformat(), donor_member_id=ines.id)
    client = as_client(app, ines)
    assert client.get(f"/budget/dons/{pledge.id}/recu").status_code == 409
    treasurer_client = as_client(app, treasurer)
    page = treasurer_client.get(f"/budget/dons/{anonymous.id}/recu")
    assert page.status_code == 409 and "Un don anonyme ne donne pas de reçu" in text_of(page)
    for who in (as_client(app, marc), app.test_client()):
        refused = who.get(f"/budget/dons/{hers.id}/recu")
        assert refused.status_code == 404
        assert format_money(123456) not in text_of(refused)
        assert "Inès" not in text_of(refused)


# -- pages ----------------------------------------------------------------------------------------


def test_a_member_announces_a_gift_and_is_told_where_to_pay(app, make_member, ines):
    admin = make_member(role="admin")
    place.set_setting(admin, "donation_details", "IBAN FR76 0000 0000 0000")
    place.set_setting(admin, "donation_url", "https://le97.example/dons")
    client = as_client(app, ines)
    form = client.get("/budget/dons/annoncer")
    assert form.status_code == 200 and 'name="amount"' in text_of(form)
    posted = post_form(client, "/budget/dons/annoncer", {"op": "pledge_gift", "amount": "50"})
    assert posted.status_code == 303
    page = text_of(client.get(posted.headers["Location"]))
    assert (
        "Votre promesse de don de 50,00\u00a0€ est enregistrée\u202f; le ou la trésorière la "
        "confirmera à réception."
    ) in page
    assert "IBAN FR76 0000 0000 0000" in page and 'href="https://le97.example/dons"' in page
    mine = text_of(client.get("/budget/dons/mes-dons"))
    assert "50,00\u00a0€" in mine and "annoncé" in mine


def test_a_refused_pledge_says_why_beside_the_field_and_keeps_what_was_typed(app, ines):
    client = as_client(app, ines)
    refused = post_form(
        client,
        "/budget/dons/annoncer",
        {"op": "pledge_gift", "amount": "cinquante", "note": "Pour la chaudière"},
    )
    assert refused.status_code == 400
    page = text_of(refused)
    assert 'id="error-amount"' in page and "Montant illisible" in page
    assert 'value="cinquante"' in page and 'value="Pour la chaudière"' in page
    assert gift_count() == 0


def test_the_treasurer_confirms_a_pledge_from_the_list_and_the_donor_is_thanked(
    app, treasurer, ines, mail_config, smtp_server
):
    app.config.update(mail_config)
    pledge = gifts.pledge_gift(ines, "50")
    client = as_client(app, treasurer)
    page = text_of(client.get("/budget/dons/"))
    assert "Confirmer la réception" in page and "Annuler la promesse" in page
    assert f'value="{today().isoformat()}"' in page and 'value="50"' in page
    assert "Inès Donatrice" in page
    refused = post_form(
        client,
        f"/budget/dons/{pledge.id}/confirmer",
        {
            "op": "confirm_gift",
            "received_on": (today() + timedelta(days=5)).isoformat(),
            "amount": "50",
        },
    )
    assert refused.status_code == 400
    assert f'id="error-received_on-{pledge.id}"' in text_of(refused)
    assert "un don se date du jour où il est arrivé" in text_of(refused)
    done = post_form(
        client,
        f"/budget/dons/{pledge.id}/confirmer",
        {
            "op": "confirm_gift",
            "received_on": today().isoformat(),
            "amount": "50",
            "method": "cash",
        },
    )
    assert done.status_code == 303
    assert "Réception confirmée" in text_of(client.get(done.headers["Location"]))
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == ines.email
    assert "Votre don de 50,00\u00a0€ est bien arrivé. Merci\u202f!" in smtp_server.body(mail)
    again = post_form(
        client,
        f"/budget/dons/{pledge.id}/confirmer",
        {"op": "confirm_gift", "received_on": today().isoformat()},
    )
    assert again.status_code == 409 and "déjà été confirmé" in text_of(again)


def test_the_treasurer_records_gifts_through_the_form(app, treasurer, ines):
    client = as_client(app, treasurer)
    refused = post_form(
        client,
        "/budget/dons/",
        {"op": "record_gift", "amount": "-3", "received_on": "", "donor_name": "Zoé"},
    )
    assert refused.status_code == 400
    page = text_of(refused)
    assert 'id="error-amount"' in page and 'id="error-received_on"' in page
    assert 'value="Zoé"' in page and gift_count() == 0
    for data in (
        {"member_id": str(ines.id)},
        {"donor_name": "Zoé Dehors", "donor_email": "zoe@exemple.org"},
        {"anonymous": "1"},
    ):
        posted = post_form(
            client,
            "/budget/dons/",
            {"op": "record_gift", "amount": "12,50", "received_on": today().isoformat(), **data},
        )
        assert posted.status_code == 303, text_of(posted)[:500]
    listing = text_of(client.get(f"/budget/dons/?annee={today().year}"))
    assert listing.count('<td class="amount">12,50\u00a0€</td>') == 3
    assert "Inès Donatrice" in listing and "Zoé Dehors" in listing and "Anonyme" in listing
    received = text_of(client.get(f"/budget/dons/?annee={today().year}&statut=annules"))
    assert "12,50\u00a0€" not in received


def test_the_donor_cancels_their_pledge_from_its_page(app, ines):
    pledge = gifts.pledge_gift(ines, "50")
    client = as_client(app, ines)
    assert "Annuler ma promesse" in text_of(client.get(f"/budget/dons/{pledge.id}"))
    posted = post_form(client, f"/budget/dons/{pledge.id}/annuler", {"op": "cancel_gift"})
    assert posted.status_code == 303
    db.session.rollback()
    assert db.session.get(Gift, pledge.id).status == "cancelled"


def test_the_treasurers_pages_are_theirs(app, ines):
    member = as_client(app, ines)
    assert member.get("/budget/dons/").status_code == 403
    anonymous = app.test_client()
    response = anonymous.get("/budget/dons/")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert anonymous.get("/budget/dons/mes-dons").status_code == 302
    assert anonymous.get("/budget/dons/annoncer").status_code == 302


# -- audiences: what someone else receives ------------------------------------------------------


def test_nobody_else_receives_a_gift_its_amount_or_its_donor(app, treasurer, ines, marc):
    pledge = gifts.pledge_gift(ines, "1 234,56", note="Pour la chaudière")
    received = gifts.record_gift(treasurer, "987,65", today().isoformat(), donor_name="Zoé Dehors")
    # others gave too: the totals pages may show are never one person's amount
    gifts.pledge_gift(treasurer, "10")
    gifts.record_gift(treasurer, "10", today().isoformat(), anonymous=True)
    amounts = (format_money(123456), "1234,56", format_money(98765), "987,65")
    # what only the gifts tell: the amounts, the outside donor, the note (a member's name is
    # no secret in itself: the trace feed's person filter lists every member)
    secrets = (*amounts, "Zoé Dehors", "chaudière")
    marc_client = as_client(app, marc)
    anonymous = app.test_client()
    bodies = []
    for gift in (pledge, received):
        for client in (marc_client, anonymous):
            page = client.get(f"/budget/dons/{gift.id}")
            assert page.status_code == 404
            assert "Ce don n’existe pas" in text_of(page)
            assert "Inès Donatrice" not in text_of(page)
            bodies.append(text_of(page))
    mine = text_of(marc_client.get("/budget/dons/mes-dons"))
    assert "Inès Donatrice" not in mine
    bodies.append(mine)
    for url in ("/traces/", "/budget/public", "/budget/"):
        bodies.append(text_of(marc_client.get(url)))
    for url in ("/budget/public", "/budget/public.json"):
        bodies.append(text_of(anonymous.get(url)))
    for body in bodies:
        for secret in secrets:
            assert secret not in body
    assert "Vous n’avez encore annoncé aucun don." in text_of(
        marc_client.get("/budget/dons/mes-dons")
    )
    # the donor and the treasurer do receive it
    assert format_money(123456) in text_of(as_client(app, ines).get(f"/budget/dons/{pledge.id}"))
    treasurer_page = text_of(as_client(app, treasurer).get(f"/budget/dons/{received.id}"))
    assert format_money(98765) in treasurer_page and "Zoé Dehors" in treasurer_page


def test_gift_traces_never_reach_the_trace_feed(app, socket_for, treasurer, ines, marc):
    marc_client = as_client(app, marc)
    sock = socket_for(marc_client)
    assert sock.command("sync_traces", {"after": 0})["ok"] is True
    sock.facts()
    pledge = gifts.pledge_gift(ines, "50")
    gifts.confirm_gift(treasurer, pledge.id, today().isoformat())
    assert [t.verb for t in gift_traces()] == ["gift_pledged", "gift_confirmed"]
    assert sock.facts("trace_added") == []
    caught_up = sock.command("sync_traces", {"after": 0})
    assert "gift" not in str(caught_up) and "50,00" not in str(caught_up)


def test_gift_commands_are_forms_only(app, socket_for, treasurer):
    client = as_client(app, treasurer)
    ack = socket_for(client).command(
        "record_gift", {"amount": "50", "received_on": date.today().isoformat(), "anonymous": True}
    )
    assert (ack["ok"], ack["error"]) == (False, "wrong_door")
    assert gift_count() == 0
