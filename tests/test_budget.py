"""The year's budget (issue 11, items 1 and 7): the treasurer sets the year's lines, records
what went out, closes a finished year; members read totals, anyone reads the public page and
its JSON; the ledger's CSV is the treasurer's. Who sees which amount is tested on what each
audience RECEIVES."""

import csv
import io
import json
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from meeting.economy import facts
from meeting.economy.budget import services as budget
from meeting.economy.budget import settings as budget_settings
from meeting.economy.budget.seed import SEED_LINES
from meeting.economy.summary import year_summary
from meeting.errors import Conflict, FieldErrors, Forbidden, ServiceError
from meeting.extensions import db
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.members import services as members
from meeting.models import (
    BudgetLine,
    BudgetYear,
    CatalogueItem,
    CatalogueUse,
    Entry,
    Expense,
    Gift,
    Trace,
)
from meeting.place import setting
from tests.conftest import post_form, sign_in

NBSP, NNBSP = "\u00a0", "\u202f"
DONOR = "Hortense Généreuse"
SECRET_GIFT = 1234_56  # "1 234,56 €": must never reach a member, a visitor or the public page


def plain(text):
    return text.replace(NBSP, " ").replace(NNBSP, " ")


def body(response):
    return plain(response.get_data(as_text=True))


def this_year():
    return dates.today_in_place().year


def seed_form_lines():
    """The seed's lines as the form door sends them."""
    return [
        {
            "label": line["label"],
            "category": line["category"],
            "period": line["period"],
            "amount": str(line["amount_cents"] // 100),
            "explanation": line["explanation"],
        }
        for line in SEED_LINES
    ]


def line_fields(lines, rows=None):
    """The lines form's fields (`label_1`, `amount_1`…) for these lines."""
    data = {"rows": str(rows or len(lines))}
    for n, line in enumerate(lines, start=1):
        for name, value in line.items():
            data[f"{'line_id' if name == 'id' else name}_{n}"] = str(value)
    return data


@pytest.fixture
def treasurer(make_member):
    member = make_member(name="Trésa Lefèvre")
    member.is_treasurer = True
    db.session.commit()
    return member


@pytest.fixture
def as_treasurer(app, treasurer):
    client = app.test_client()
    sign_in(client, treasurer)
    return client


@pytest.fixture
def year_with_money(treasurer, make_member):
    """This year set from the seed, with two received gifts (one of them of 1 234,56 € from
    Hortense, a member), an anonymous one, a pledge, a catalogue use, a need met with a value and
    an expense: every kind of row of the ledger."""
    year = this_year()
    budget.set_lines(treasurer, year, seed_form_lines(), 0)
    hortense = make_member(name=DONOR)
    user = make_member(name="Ulysse Usager")
    rows = budget.budget_year(year).lines
    jan = date(year, 1, 1)
    db.session.add_all(
        [
            Gift(
                status="received",
                amount_cents=SECRET_GIFT,
                received_on=jan,
                donor_member_id=hortense.id,
                line_id=rows[0].id,
                method="transfer",
            ),
            Gift(status="received", amount_cents=250_00, received_on=jan, anonymous=True),
            Gift(status="received", amount_cents=40_00, received_on=jan, donor_name="=CMD()"),
            Gift(status="pledged", amount_cents=300_00, donor_member_id=user.id),
        ]
    )
    item = CatalogueItem(title="Salle de l’étage", unit="half_day")
    db.session.add(item)
    db.session.flush()
    db.session.add(
        CatalogueUse(
            item_id=item.id,
            member_id=user.id,
            used_on=jan,
            for_whom="Atelier couture",
            quantity=2,
            contribution_cents=35_50,
        )
    )
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    db.session.add(
        Entry(
            meeting_id=meeting.id,
            kind="need",
            title="Du savon",
            body="Du savon noir",
            author_id=user.id,
            need_status="met",
            resolved_at=datetime(year, 1, 1, 12, 0),
            in_kind_cents=12_30,
            in_kind_member_id=user.id,
        )
    )
    db.session.commit()
    budget.record_expense(
        treasurer, year, jan.isoformat(), "150,20", "Entretien chaudière", rows[4].id
    )
    return {"year": year, "hortense": hortense, "user": user}


# -- the lines -------------------------------------------------------------------------------


def test_the_seed_sets_the_year_to_the_cent(treasurer):
    year = this_year()
    row = budget.set_lines(treasurer, year, seed_form_lines(), 0)
    assert row.revision == 1 and [line.label for line in row.lines][:2] == [
        "Loyer et charges locatives",
        "Électricité",
    ]
    summary = year_summary(year)
    assert summary.need_cents == (820 + 150 + 280 + 133) * 12 * 100 + 7000_00 + 5000_00
    assert summary.by_category["charges"] == 16_596_00
    assert summary.by_category["upkeep"] == 7000_00
    trace = db.session.scalar(select(Trace).where(Trace.verb == "budget_lines_set"))
    assert trace.data == {"year": year, "count": 6}


@pytest.mark.parametrize(
    ("written", "cents"),
    [("1 383,50 €", 1383_50), ("820", 820_00), ("12,5", 12_50), ("1\u202f000 €", 1000_00)],
)
def test_amounts_are_read_the_french_way(treasurer, written, cents):
    line = {"label": "Loyer", "category": "charges", "period": "month", "amount": written}
    row = budget.set_lines(treasurer, this_year(), [line], 0)
    assert row.lines[0].amount_cents == cents


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "Le montant doit être positif"),
        ("0", "Le montant doit être supérieur à zéro."),
        ("12.505", "Montant illisible"),
        ("abc", "Montant illisible"),
        ("2 000 000", "Ce montant dépasse"),
        ("", "Indiquez un montant"),
    ],
)
def test_a_bad_amount_is_refused_beside_its_row_and_nothing_is_stored(treasurer, amount, message):
    lines = seed_form_lines()[:2]
    lines[1]["amount"] = amount
    with pytest.raises(FieldErrors) as refused:
        budget.set_lines(treasurer, this_year(), lines, 0)
    fields = refused.value.details["fields"]
    assert set(fields) == {"amount_2"} and message in plain(fields["amount_2"])
    assert db.session.scalar(select(func.count(BudgetYear.id))) == 0


def test_each_bad_field_is_named_by_its_row(treasurer):
    lines = [
        {"label": "", "amount": "10", "category": "charges", "period": "month"},
        {"label": "", "amount": "", "explanation": ""},  # a blank row: ignored
        {"label": "x" * 121, "amount": "10", "category": "pirate", "period": "week"},
    ]
    with pytest.raises(FieldErrors) as refused:
        budget.set_lines(treasurer, this_year(), lines, 0)
    assert set(refused.value.details["fields"]) == {"label_1", "label_3", "category_3", "period_3"}


def test_blank_and_removed_rows_are_ignored_but_no_line_at_all_is_refused(treasurer):
    lines = seed_form_lines()[:1] + [{"label": "", "amount": ""}, {"label": "Gaz", "removed": True}]
    row = budget.set_lines(treasurer, this_year(), lines, 0)
    assert [line.label for line in row.lines] == ["Loyer et charges locatives"]
    with pytest.raises(ServiceError) as refused:
        budget.set_lines(treasurer, this_year(), [{"label": ""}], row.revision)
    assert refused.value.details["field"] == "lines"


def test_more_than_thirty_lines_are_refused(treasurer):
    lines = [{"label": f"Ligne {n}", "amount": "10"} for n in range(31)]
    with pytest.raises(ServiceError, match="30 lignes au plus"):
        budget.set_lines(treasurer, this_year(), lines, 0)


def test_a_stale_form_is_refused_and_the_lines_stay(treasurer):
    year = this_year()
    budget.set_lines(treasurer, year, seed_form_lines(), 0)
    other = [{"label": "Autre", "amount": "5", "category": "other", "period": "year"}]
    with pytest.raises(Conflict) as refused:
        budget.set_lines(treasurer, year, other, 0)  # shown before the first save
    assert refused.value.code == "stale"
    assert "viennent d’être modifiées" in refused.value.message
    assert len(budget.budget_year(year).lines) == 6
    with pytest.raises(Conflict):
        budget.set_lines(treasurer, year, other, None)


def test_editing_keeps_the_line_a_gift_is_earmarked_for(treasurer):
    year = this_year()
    row = budget.set_lines(treasurer, year, seed_form_lines(), 0)
    rent = row.lines[0]
    gift = Gift(
        status="received", amount_cents=10_00, received_on=date(year, 1, 1), line_id=rent.id
    )
    db.session.add(gift)
    db.session.commit()
    lines = [{**line, "id": rent.id if n == 0 else ""} for n, line in enumerate(seed_form_lines())]
    lines[0]["amount"] = "850"
    row = budget.set_lines(treasurer, year, lines[:2], row.revision)
    assert row.revision == 2 and row.lines[0].id == rent.id and row.lines[0].amount_cents == 850_00
    db.session.refresh(gift)
    assert gift.line_id == rent.id
    assert db.session.scalar(select(func.count(BudgetLine.id))) == 2


def test_only_the_treasurer_and_admins_set_the_lines(make_member):
    year = this_year()
    for role in ("member", "facilitator"):
        with pytest.raises(Forbidden):
            budget.set_lines(make_member(role=role), year, seed_form_lines(), 0)
    assert budget.set_lines(make_member(role="admin"), year, seed_form_lines(), 0).revision == 1


def test_every_change_tells_who_shows_the_figures(treasurer, monkeypatch):
    told = []
    original = facts.figures_changed

    def spy(c):
        told.append(c)
        original(c)

    monkeypatch.setattr(facts, "figures_changed", spy)
    year = this_year()
    budget.set_lines(treasurer, year, seed_form_lines(), 0)
    budget.record_expense(treasurer, year, date(year, 1, 1).isoformat(), "10", "Ampoules")
    budget.close_year(treasurer, year - 1)
    assert len(told) == 3


# -- expenses and closed years ----------------------------------------------------------------


def test_expenses_add_up_to_the_cent(treasurer):
    year = this_year()
    budget.set_lines(treasurer, year, seed_form_lines(), 0)
    first = date(year, 1, 1)
    for amount in ("0,10", "0,20", "1 383,50 €"):
        budget.record_expense(treasurer, year, first.isoformat(), amount, "Achat")
    summary = year_summary(year)
    assert summary.spent_cents == 1383_80 and summary.months[0].spent_cents == 1383_80
    trace = db.session.scalar(select(Trace).where(Trace.verb == "expense_recorded"))
    assert trace.data["year"] == year and trace.data["amount_cents"] == 10


@pytest.mark.parametrize(
    ("spent_on", "amount", "label", "fields"),
    [
        ("future", "10", "Achat", {"spent_on"}),
        ("last_year", "10", "Achat", {"spent_on"}),
        ("hier", "10", "Achat", {"spent_on"}),
        ("today", "-3", "Achat", {"amount"}),
        ("today", "12.505", "", {"amount", "label"}),
    ],
)
def test_a_bad_expense_is_refused_and_nothing_is_stored(treasurer, spent_on, amount, label, fields):
    today = dates.today_in_place()
    day = {
        "future": (today + timedelta(days=1)).isoformat(),
        "last_year": date(today.year - 1, 6, 1).isoformat(),
        "today": today.isoformat(),
    }.get(spent_on, spent_on)
    with pytest.raises(FieldErrors) as refused:
        budget.record_expense(treasurer, today.year, day, amount, label)
    assert set(refused.value.details["fields"]) == fields
    assert db.session.scalar(select(func.count(Expense.id))) == 0


def test_an_expense_names_a_line_of_its_own_year(treasurer):
    year = this_year()
    old = budget.set_lines(treasurer, year - 1, seed_form_lines(), 0)
    with pytest.raises(FieldErrors) as refused:
        budget.record_expense(treasurer, year, date(year, 1, 1), "10", "Achat", old.lines[0].id)
    assert set(refused.value.details["fields"]) == {"line_id"}


def test_a_closed_year_records_nothing_more(treasurer):
    last = this_year() - 1
    budget.set_lines(treasurer, last, seed_form_lines(), 0)
    row = budget.close_year(treasurer, last)
    assert row.is_closed and row.closed_by_id == treasurer.id
    with pytest.raises(ServiceError) as refused:
        budget.ensure_year_open(date(last, 12, 31), field="received_on")
    assert plain(refused.value.message).startswith(f"L’année {last} est close :")
    assert refused.value.details == {"field": "received_on"} and refused.value.code == "year_closed"
    budget.ensure_year_open(date(last + 1, 1, 1))  # the next year is open
    with pytest.raises(ServiceError, match="est close"):
        budget.record_expense(treasurer, last, date(last, 3, 1), "10", "Achat")
    with pytest.raises(ServiceError, match="est close"):
        budget.set_lines(treasurer, last, seed_form_lines(), row.revision)
    with pytest.raises(Conflict, match="déjà close"):
        budget.close_year(treasurer, last)
    assert db.session.scalar(select(func.count(Expense.id))) == 0


def test_a_year_not_over_cannot_be_closed(treasurer, make_member):
    with pytest.raises(ServiceError, match="n’est pas finie"):
        budget.close_year(treasurer, this_year())
    with pytest.raises(Forbidden):
        budget.close_year(make_member(), this_year() - 1)
    assert budget.budget_year(this_year()) is None


def test_a_year_without_budget_can_be_closed_too(treasurer):
    row = budget.close_year(treasurer, this_year() - 3)
    assert row.is_closed and row.lines == []
    trace = db.session.scalar(select(Trace).where(Trace.verb == "budget_year_closed"))
    assert trace.data == {"year": this_year() - 3}


# -- the members' page -------------------------------------------------------------------------


def test_a_member_sees_totals_only(app, make_member, year_with_money):
    client = app.test_client()
    sign_in(client, make_member(name="Marc"))
    page = body(client.get("/budget/"))
    summary = year_summary(year_with_money["year"])
    assert "Où en est-on ?" in page
    assert f'<meter class="gauge-meter" min="0" max="{summary.need_cents}"' in page
    assert f"{plain(format_short(summary.came_in_cents))} sur 28 596 € (5 %)" in page
    assert "1 524,56 €" in page  # gifts' total (1 234,56 + 250 + 40)
    assert "300,00 €" in page  # pledges awaited: total only
    assert "Mois par mois" in page and '<th scope="row">Janvier</th>' in page
    assert "Charges fixes" in page and "environ 17 000 € par an" in page
    assert "1 234,56" not in page and DONOR not in page and "Ulysse" not in page
    assert "grand-livre" not in page and "Trésorerie" not in page
    for link in ("/budget/dons/annoncer", "/budget/dons/mes-dons", "/catalogue/mes-contributions"):
        assert link in page


def format_short(cents):
    from meeting.economy.money import format_money_short

    return format_money_short(cents, locale="fr")


def test_the_treasurer_sees_their_tools(as_treasurer, year_with_money):
    page = body(as_treasurer.get("/budget/"))
    year = year_with_money["year"]
    for link in (
        f"/budget/{year}/lignes",
        f"/budget/{year}/depenses",
        f"/budget/{year}/grand-livre.csv",
        "/budget/reglages",
        "/budget/dons/",
    ):
        assert link in page
    assert "Clore l’année" not in page  # this year is not over
    last = body(as_treasurer.get(f"/budget/?annee={year - 1}"))
    assert f"Clore l’année {year - 1}" in last


def test_an_unknown_year_is_an_empty_state(client_as):
    client, _member = client_as()
    for url in ("/budget/?annee=1999", "/budget/?annee=abc", "/budget/?annee=2999"):
        response = client.get(url)
        assert response.status_code == 200
    page = body(client.get("/budget/?annee=1999"))
    assert "Le budget de 1999 n’est pas encore établi." in page
    assert "Rien n’est encore entré ni sorti en 1999." in page


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/budget/")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


# -- the public page and its JSON --------------------------------------------------------------


def test_the_public_page_holds_totals_and_no_one(client, year_with_money):
    response = client.get("/budget/public")
    assert response.status_code == 200
    page = body(response)
    assert "Où en est-on ?" in page and "À quoi serviront les dons ?" in page
    assert "1 524,56 €" in page  # the gifts' total
    assert "Loyer et charges locatives : 820 € par mois" in page
    for secret in ("1 234,56", "1 234", DONOR, "Ulysse", "Salle de l’étage", "Atelier couture"):
        assert secret not in page
    assert "Faire un don" not in page  # the place set no way to give


def test_faire_un_don_follows_the_settings(app, client, treasurer):
    budget_settings.save(
        treasurer,
        {
            **budget_settings.current(),
            "donation_url": "https://le97.example/don",
            "donation_details": "IBAN FR76 0000",
        },
    )
    page = body(client.get("/budget/public"))
    assert 'href="https://le97.example/don"' in page and "IBAN FR76 0000" in page


def test_the_public_json_is_readable_from_the_place_s_website(client, year_with_money):
    response = client.get("/budget/public.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.get_json()
    summary = year_summary(year_with_money["year"])
    assert data["year"] == summary.year
    assert data["need"]["cents"] == summary.need_cents == 28_596_00
    assert plain(data["need"]["formatted"]) == "28 596,00 €"
    assert data["gifts"]["cents"] == 1524_56 and data["contributions"]["cents"] == 35_50
    assert data["in_kind"]["cents"] == 12_30
    assert data["came_in"]["cents"] == summary.came_in_cents
    assert [part["category"] for part in data["breakdown"]] == ["charges", "upkeep", "conciergerie"]
    assert data["breakdown"][0]["cents"] == 16_596_00 and plain(data["breakdown"][0]["about"]) == (
        "17 000 €"
    )
    raw = plain(json.dumps(data, ensure_ascii=False))
    for secret in ("123456", "1 234,56", DONOR, "Ulysse", "pledged", "300,00"):
        assert secret not in raw


# -- the lines form ----------------------------------------------------------------------------


def test_the_lines_form_offers_the_seed_then_the_previous_year(as_treasurer, treasurer):
    year = this_year()
    page = body(as_treasurer.get(f"/budget/{year}/lignes"))
    assert "Pré-rempli avec les chiffres de la présentation du 97" in page
    assert 'value="Loyer et charges locatives"' in page and 'name="amount_1" ' in page
    assert 'value="820"' in page and 'value="7000"' in page
    assert 'name="label_11"' in page and 'name="label_12"' not in page  # 6 lines + 5 empty rows
    budget.set_lines(treasurer, year - 1, [{"label": "Loyer 2025", "amount": "800"}], 0)
    page = body(as_treasurer.get(f"/budget/{year}/lignes"))
    assert f"Pré-rempli avec les lignes de {year - 1}" in page and 'value="Loyer 2025"' in page


def test_the_lines_form_saves_and_shows_each_error_beside_its_field(as_treasurer):
    year = this_year()
    lines = seed_form_lines()
    lines[2]["amount"] = "abc"
    response = post_form(
        as_treasurer, f"/budget/{year}/lignes", {**line_fields(lines), "revision": "0"}
    )
    assert response.status_code == 400
    page = body(response)
    assert 'id="error-amount_3"' in page and "Montant illisible" in page
    assert 'aria-describedby="error-amount_3"' in page
    assert 'value="abc"' in page and 'value="Assurances"' in page  # typed values kept
    assert budget.budget_year(year) is None
    lines[2]["amount"] = "280"
    response = post_form(
        as_treasurer, f"/budget/{year}/lignes", {**line_fields(lines), "revision": "0"}
    )
    assert response.status_code == 302
    assert year_summary(year).need_cents == 28_596_00
    assert "sont enregistrées" in body(as_treasurer.get(response.headers["Location"]))


def test_a_stale_lines_form_keeps_what_was_typed(as_treasurer, treasurer):
    year = this_year()
    budget.set_lines(treasurer, year, seed_form_lines(), 0)
    typed = [{"label": "Ma ligne à moi", "amount": "99", "category": "other", "period": "year"}]
    response = post_form(
        as_treasurer, f"/budget/{year}/lignes", {**line_fields(typed), "revision": "0"}
    )
    assert response.status_code == 409
    page = body(response)
    assert "viennent d’être modifiées" in page and 'value="Ma ligne à moi"' in page
    assert "Les lignes enregistrées entre-temps" in page and "Gaz : 280,00 €" in page
    assert 'name="revision" value="1"' in page  # saving again is a deliberate choice
    assert budget.budget_year(year).lines[0].label == "Loyer et charges locatives"


def test_rows_are_added_and_removed_without_a_script(as_treasurer, treasurer):
    year = this_year()
    lines = seed_form_lines()[:2]
    data = {**line_fields(lines), "revision": "0", "more_rows": "1"}
    page = body(post_form(as_treasurer, f"/budget/{year}/lignes", data))
    assert 'name="label_7"' in page and 'name="label_8"' not in page
    assert budget.budget_year(year) is None  # nothing saved
    data = {**line_fields(lines), "revision": "0", "remove_2": "1"}
    assert post_form(as_treasurer, f"/budget/{year}/lignes", data).status_code == 302
    assert [line.label for line in budget.budget_year(year).lines] == ["Loyer et charges locatives"]


def test_a_closed_year_s_lines_are_shown_not_edited(as_treasurer, treasurer):
    last = this_year() - 1
    budget.set_lines(treasurer, last, seed_form_lines(), 0)
    budget.close_year(treasurer, last)
    page = body(as_treasurer.get(f"/budget/{last}/lignes"))
    assert (
        "est close depuis" in page and '<form method="post" class="stack budget-lines' not in page
    )
    response = post_form(as_treasurer, f"/budget/{last}/lignes", line_fields(seed_form_lines()))
    assert "est close" in body(response)


def test_a_year_out_of_range_has_no_lines_page(as_treasurer):
    assert as_treasurer.get("/budget/1999/lignes").status_code == 404
    assert as_treasurer.get(f"/budget/{this_year() + 2}/lignes").status_code == 404


# -- expenses and closing through the pages ----------------------------------------------------


def test_the_expenses_page_records_and_lists(as_treasurer, treasurer):
    year = this_year()
    budget.set_lines(treasurer, year, seed_form_lines(), 0)
    url = f"/budget/{year}/depenses"
    form = {"spent_on": date(year, 1, 1).isoformat(), "amount": "-4", "label": "", "line_id": ""}
    response = post_form(as_treasurer, url, form)
    assert response.status_code == 400
    page = body(response)
    assert 'id="error-amount"' in page and 'id="error-label"' in page and 'value="-4"' in page
    form.update(amount="1 383,50", label="Chaudière")
    response = post_form(as_treasurer, url, form)
    assert response.status_code == 302
    page = body(as_treasurer.get(url))
    assert "Dépense enregistrée : Chaudière, 1 383,50 €." in page
    assert '<th scope="row">Chaudière</th>' in page and "1 383,50 €" in page


def test_closing_asks_for_a_confirmation(as_treasurer, treasurer):
    last = this_year() - 1
    url = f"/budget/{last}/clore"
    response = post_form(as_treasurer, url, {})
    assert response.status_code == 400 and "Cochez la case pour confirmer" in body(response)
    assert budget.budget_year(last) is None
    response = post_form(as_treasurer, url, {"confirm": "1"})
    assert response.status_code == 302 and budget.budget_year(last).is_closed
    page = body(as_treasurer.get(response.headers["Location"]))
    assert f"L’année {last} est close depuis" in page
    response = post_form(as_treasurer, f"/budget/{this_year()}/clore", {"confirm": "1"})
    assert response.status_code == 400 and "n’est pas finie" in body(response)


# -- the ledger --------------------------------------------------------------------------------


def test_the_ledger_opens_in_a_french_spreadsheet(as_treasurer, year_with_money):
    year = year_with_money["year"]
    response = as_treasurer.get(f"/budget/{year}/grand-livre.csv")
    assert response.status_code == 200
    assert (
        response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    )
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Date",
        "Nature",
        "Libellé",
        "Ligne budgétaire",
        "Personne",
        "Recette",
        "Dépense",
    ]
    body_rows, total = rows[1:-1], rows[-1]
    assert {row[1] for row in body_rows} == {
        "Don",
        "Contribution (catalogue)",
        "Apport en nature",
        "Dépense",
    }
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", row[0]) for row in body_rows)

    def cents(text):
        return int(text.replace(",", "")) if text else 0

    hortense = next(row for row in body_rows if row[4] == DONOR)
    assert hortense[5] == "1234,56" and hortense[3] == "Loyer et charges locatives"
    assert any(row[4] == "Anonyme" and row[5] == "250,00" for row in body_rows)
    assert any(row[4] == "'=CMD()" for row in body_rows)  # never read as a formula
    use = next(row for row in body_rows if row[1] == "Contribution (catalogue)")
    assert use[2] == "Salle de l’étage × 2, pour Atelier couture" and use[5] == "35,50"
    expense = next(row for row in body_rows if row[1] == "Dépense")
    assert expense[6] == "150,20" and expense[3] == "Réparations et entretien"
    summary = year_summary(year)
    assert sum(cents(row[5]) for row in body_rows) == summary.came_in_cents == cents(total[5])
    assert sum(cents(row[6]) for row in body_rows) == summary.spent_cents == cents(total[6])
    assert [row[0][-4:] + row[0][3:5] + row[0][:2] for row in body_rows] == sorted(
        row[0][-4:] + row[0][3:5] + row[0][:2] for row in body_rows
    )


def test_only_the_treasurer_receives_the_ledger(app, client, make_member, year_with_money):
    url = f"/budget/{year_with_money['year']}/grand-livre.csv"
    response = client.get(url)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    for role in ("member", "facilitator"):
        other = app.test_client()
        sign_in(other, make_member(role=role))
        response = other.get(url)
        assert response.status_code == 403
        assert DONOR not in body(response) and "1234,56" not in body(response)
    admin = app.test_client()
    sign_in(admin, make_member(role="admin"))
    assert DONOR in body(admin.get(url))


# -- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("donation_url", "javascript:alert(1)", "commençant par https://"),
        ("donation_url", "le97.example/don", "commençant par https://"),
        ("donation_details", "x" * 201, "200 caractères au plus"),
        ("association_name", "", "Indiquez le nom de l’association"),
        ("open_hours_per_week", "0", "entre 1 et 168"),
        ("open_hours_per_week", "169", "entre 1 et 168"),
        ("open_hours_per_week", "douze", "entre 1 et 168"),
    ],
)
def test_a_bad_setting_is_refused_beside_its_field(as_treasurer, field, value, message):
    form = {**budget_settings.current(), field: value}
    before = db.session.scalar(select(func.count(Trace.id)))
    response = post_form(as_treasurer, "/budget/reglages", form)
    assert response.status_code == 400
    page = body(response)
    assert f'id="error-{field}"' in page and message in page
    assert db.session.scalar(select(func.count(Trace.id))) == before


def test_settings_are_saved_through_the_place(as_treasurer, treasurer):
    form = {
        **budget_settings.current(),
        "donation_url": "https://le97.example/don",
        "receipts": "on",
        "open_hours_per_week": "35",
    }
    response = post_form(as_treasurer, "/budget/reglages", form)
    assert response.status_code == 302
    assert setting("donation_url") == "https://le97.example/don"
    assert setting("receipts") == "on" and setting("open_hours_per_week") == "35"
    form.pop("receipts")  # unticked
    post_form(as_treasurer, "/budget/reglages", form)
    assert setting("receipts") == "off"
    keys = db.session.scalars(select(Trace.data).where(Trace.verb == "setting_changed")).all()
    assert {"key": "receipts"} in keys and all("https" not in str(k) for k in keys)


def test_members_cannot_reach_the_treasurer_s_pages(app, make_member):
    client = app.test_client()
    sign_in(client, make_member(role="facilitator"))
    year = this_year()
    for url in (
        f"/budget/{year}/lignes",
        f"/budget/{year}/depenses",
        "/budget/reglages",
    ):
        assert client.get(url).status_code == 403
        assert post_form(client, url, {"rows": "0"}).status_code == 403
    assert post_form(client, f"/budget/{year - 1}/clore", {"confirm": "1"}).status_code == 403
    assert budget.budget_year(year - 1) is None


# -- the treasurer flag ------------------------------------------------------------------------


def test_an_admin_gives_and_takes_the_accounts(app, make_member):
    admin = make_member(role="admin", name="Ada")
    marc = make_member(name="Marc")
    client = app.test_client()
    sign_in(client, admin)
    page = body(client.get("/admin/membres"))
    assert f'action="/admin/membres/{marc.id}/tresorerie"' in page and "Confier les comptes" in page
    response = post_form(client, f"/admin/membres/{marc.id}/tresorerie", {"treasurer": "1"})
    assert response.status_code == 302
    db.session.refresh(marc)
    assert marc.is_treasurer
    trace = db.session.scalar(select(Trace).where(Trace.verb == "treasurer_changed"))
    assert trace.data == {"member_id": marc.id, "value": True}
    marc_client = app.test_client()
    sign_in(marc_client, marc)
    assert marc_client.get(f"/budget/{this_year()}/grand-livre.csv").status_code == 200
    post_form(client, f"/admin/membres/{marc.id}/tresorerie", {"treasurer": "0"})
    db.session.refresh(marc)
    assert not marc.is_treasurer
    assert marc_client.get(f"/budget/{this_year()}/grand-livre.csv").status_code == 403


def test_only_admins_give_the_accounts(app, make_member):
    marc = make_member(name="Marc")
    with pytest.raises(Forbidden):
        members.set_treasurer(make_member(role="facilitator"), marc.id, True)
    client = app.test_client()
    sign_in(client, make_member(role="facilitator"))
    response = post_form(client, f"/admin/membres/{marc.id}/tresorerie", {"treasurer": "1"})
    assert response.status_code == 403
    db.session.refresh(marc)
    assert not marc.is_treasurer
    assert (
        db.session.scalar(select(func.count(Trace.id)).where(Trace.verb == "treasurer_changed"))
        == 0
    )


def test_the_public_page_speaks_english_too(client, year_with_money):
    post_form(client, "/langue", {"lang": "en"})
    page = body(client.get("/budget/public"))
    assert "Where do we stand?" in page and "What will gifts pay for?" in page
    assert "€1,572 of €28,596 (5%)" in page and "€1,524.56" in page
    assert "1 234,56" not in page and "€1,234.56" not in page and DONOR not in page
