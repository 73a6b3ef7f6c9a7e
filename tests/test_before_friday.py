"""Before Friday, on a phone: every problem of the proposal form at once, each beside its
field, with what was typed kept; "Mes propositions" as cards; the merge view marking what
differs word by word; the no-JavaScript add landing on the new entry."""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from meeting.errors import FieldErrors, ServiceError
from meeting.extensions import db
from meeting.i18n import french_spacing
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import Entry, EventProposal
from meeting.prep import merge
from meeting.prep import services as prep
from meeting.proposals import services as proposals
from tests.conftest import post_form, sign_in


def coming_friday():
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    return today + timedelta(days=(4 - today.weekday()) % 7)


def url(meeting, rest=""):
    return f"/vendredi/{meeting.scheduled_for.isoformat()}/{rest}"


@pytest.fixture
def friday(app):
    return meetings.ensure_meeting(dates.next_meeting_date())


@pytest.fixture
def ines(make_member):
    return make_member(name="Inès")


def signed_in(app, member):
    client = app.test_client()
    sign_in(client, member)
    return client


def plain(text):
    """A French text with its no-break spaces as plain spaces (to compare wording only)."""
    return str(text).replace("\u00a0", " ").replace("\u202f", " ")


def stored(model):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


PAST = (coming_friday() - timedelta(days=10)).isoformat()
LATER = (coming_friday() + timedelta(days=15)).isoformat()

# Four fields wrong at once, and what the form says beside each.
BAD = {
    "title": "  ",
    "description": "Un apéro au jardin.",
    "date_1": PAST,
    "time_1": "18h",
    "date_2": "",
    "time_2": "",
    "date_3": "",
    "time_3": "",
    "duration_minutes": "deux heures",
    "place": "garden",
    "place_detail": "",
    "expected_attendance": "30",
    "material_needs": "Deux tables",
}
EXPECTED = {
    "title": "Donnez un titre à l’événement.",
    "date_1": "La date souhaitée doit être à venir.",
    "time_1": "« 18h » n’est pas une heure valide (HH:MM).",
    "duration_minutes": "La durée (en minutes) doit être un nombre entier.",
}


def test_several_wrong_fields_of_a_proposal_are_refused_together(friday, ines):
    with pytest.raises(FieldErrors) as refused:
        proposals.propose_event(
            ines,
            friday.id,
            BAD["title"],
            BAD["description"],
            [(BAD["date_1"], BAD["time_1"])],
            BAD["duration_minutes"],
            "elsewhere",
            place_detail="",
            expected_attendance="beaucoup",
        )
    fields = refused.value.details["fields"]
    assert {name: french_spacing(text) for name, text in fields.items()} == {
        **{name: french_spacing(text) for name, text in EXPECTED.items()},
        "place_detail": french_spacing("Précisez où aura lieu l’événement."),
        "expected_attendance": french_spacing(
            "Le nombre de personnes attendues doit être un nombre entier."
        ),
    }
    assert refused.value.status == 400
    assert plain(refused.value.message) == "6 champs sont à corriger : voyez les messages à côté."
    assert stored(EventProposal) == 0 and stored(Entry) == 0


def test_one_wrong_field_keeps_its_own_message_and_names_the_field(friday, ines):
    with pytest.raises(ServiceError) as refused:
        proposals.propose_event(
            ines, friday.id, "Fête", "Une fête", [(LATER, "18:00")], "5", "house"
        )
    assert not isinstance(refused.value, FieldErrors)
    assert refused.value.message == "La durée (en minutes) doit être entre 15 et 1440."
    assert refused.value.details["field"] == "duration_minutes"


def field_of(page, name):
    """The <p class="field"> holding the control named `name`."""
    match = re.search(
        rf'<p class="field">(?:(?!</p>).)*?name="{name}"(?:(?!</p>).)*</p>', page, re.DOTALL
    )
    assert match, f"no field {name}"
    return match.group(0)


def test_the_proposal_form_shows_every_error_beside_its_field_and_keeps_what_was_typed(
    app, friday, ines
):
    client = signed_in(app, ines)
    response = post_form(client, url(friday, "proposer"), BAD)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for name, message in EXPECTED.items():
        field = field_of(page, name)
        assert 'aria-invalid="true"' in field and f'aria-describedby="error-{name}"' in field
        shown = re.search(rf'<span class="field-error" id="error-{name}">(.*?)</span>', field)
        assert shown and html.unescape(shown.group(1)) == french_spacing(message)
    # Fields that were right are not marked.
    for name in ("description", "expected_attendance", "material_needs", "place_detail"):
        assert "aria-invalid" not in field_of(page, name)
    # What was typed is kept, the wrong values too (to be corrected, not retyped) — except
    # where a time input can hold only a time: "18h" is named in its message instead.
    assert 'value="deux heures"' in page and f'value="{PAST}"' in page
    assert 'value="18h"' not in page and "18h" in field_of(page, "time_1")
    assert ">Un apéro au jardin.</textarea>" in page and ">Deux tables</textarea>" in page
    assert 'id="place-garden" name="place" value="garden" checked' in page
    # The summary at the top says how many and links to each field, in the form's order.
    summary = page[page.index('class="error-summary"') : page.index('id="proposal-form"')]
    assert "4 champs sont à corriger : voyez les messages à côté." in plain(html.unescape(summary))
    assert re.findall(r'<a href="#([\w-]+)">', summary) == [
        "title",
        "date_1",
        "time_1",
        "duration_minutes",
    ]
    assert stored(EventProposal) == 0


def test_an_unknown_place_is_marked_on_the_place_choices(app, friday, ines):
    client = signed_in(app, ines)
    response = post_form(
        client, url(friday, "proposer"), {**BAD, "title": "Fête", "place": "lune", "time_1": ""}
    )
    page = response.get_data(as_text=True)
    for place in ("house", "garden", "elsewhere"):
        radio = re.search(rf'<input type="radio" id="place-{place}"[^>]*>', page).group(0)
        assert 'aria-invalid="true" aria-describedby="error-place"' in radio
    assert 'id="error-place"' in page
    assert '<a href="#place-house">' in page  # the summary leads to the first choice


def test_my_proposals_are_cards_not_a_table(app, friday, ines):
    proposal = proposals.propose_event(
        ines, friday.id, "Atelier vélo", "Réparer ensemble", [(LATER, None)], "90", "house"
    )
    page = signed_in(app, ines).get("/propositions/").get_data(as_text=True)
    assert "<table" not in page
    card = page[page.index(f'id="proposition-{proposal.id}"') :]
    card = card[: card.index("</li>")]
    assert f'<a href="/propositions/{proposal.id}">Atelier vélo</a>' in card
    assert 'class="status status-submitted">proposée<' in card
    assert "Pour le repas du vendredi" in card


def test_the_merge_view_marks_the_changed_words(app, friday, make_member, ines):
    camille = make_member(role="facilitator", name="Camille")
    entry = prep.add_entry(ines, friday.id, "topic", "Compost", "Le bac est plein.")
    prep.edit_entry(camille, entry.id, 1, "Compost", "Le bac est vide.")
    client = signed_in(app, ines)
    response = post_form(
        client,
        url(friday, f"entrees/{entry.id}/modifier"),
        {"revision": "1", "title": "Compost", "body": "Le bac est plein, vite."},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    diff = page[page.index('id="merge-diff"') :]
    diff = diff[: diff.index("</div>")]
    # Only the words that differ are marked; the rest reads as it is.
    assert re.sub(r'<span class="visually-hidden">[^<]*</span>', "", diff) == (
        'id="merge-diff">Le bac est <del>plein, vite</del><ins>vide</ins>.'
    )
    assert '<span class="visually-hidden">retiré : </span>' in plain(diff)
    # Worded for both layouts: never "left" or "right".
    merge_section = page[page.index('class="merge"') :]
    assert "gauche" not in merge_section and "droite" not in merge_section
    assert "sous « Votre version »" in plain(html.unescape(merge_section))
    assert "Un passage diffère du vôtre" in plain(html.unescape(merge_section))


def test_the_word_diff_escapes_html_and_counts_the_changes():
    marked, changes = merge.word_diff("a <b> c", "a <i> c d")
    assert "<b>" not in marked and "<i>" not in marked
    assert "&lt;<del>" in marked and "</del><ins>" in marked and "&gt; c <ins>" in plain(marked)
    assert changes == 2  # b → i, and d added
    assert merge.word_diff("même texte", "même texte") == ("même texte", 0)


def test_the_add_form_without_javascript_lands_on_the_new_entry(app, friday, ines):
    client = signed_in(app, ines)
    response = post_form(client, url(friday, "entrees"), {"kind": "topic", "body": "Le compost"})
    entry_id = db.session.scalar(select(Entry.id))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#entree-{entry_id}")  # :target highlights it
