"""The meeting itself: the agenda the console builds (check-in, carried points, reviews due,
points, needs, proposals), each point in turn with what was decided, then closing — unfinished
points carried to the next Friday, the scribe's summary, the minutes validated and mailed."""

from datetime import timedelta

from .friday import CHECKIN_TITLE, Item
from .rows import french_day
from .vocabulary import AMOUNTS, DAYS, DECLINE_REASONS, THEMES

END_MINUTES = 14 * 60  # a point not reached by 14 h is carried to the next Friday


def fill(rng, text):
    return text.format(day=rng.choice(DAYS), amount=rng.choice(AMOUNTS))


def build_agenda(fridays, day, topics, needs, proposals):
    """The items of the agenda in their order, before the meeting."""
    rng, outcomes = fridays.rng, fridays.outcomes
    items = [Item("checkin", CHECKIN_TITLE, 10)]
    items += fridays.carried
    for decision in outcomes.due_reviews(day.day, day.meeting_id):
        items.append(Item("review", f"Revoir la décision n° {decision['number']}", 10,
                          theme=decision["theme"], review_of=decision))  # fmt: skip
    chosen = [Item("topic", row["title"], 10, theme=theme, entry_id=row["id"])
              for row, theme in rng.sample(topics, min(len(topics), rng.randint(3, 5)))]  # fmt: skip
    chosen += [Item("need", row["title"], 10, entry_id=row["id"])
               for row in needs if row["need_status"] == "open"][: rng.randint(0, 2)]  # fmt: skip
    for proposal in proposals:
        if rng.random() < 0.05:  # withdrawn by its proposer before Friday
            at = fridays.rows.between(proposal["created_at"], fridays.rows.paris(day.day, 11))
            fridays.outcomes.move(proposal, "submitted", "withdrawn", proposal["author"].id, at,
                                  reason="Finalement pas disponible.")  # fmt: skip
            continue
        chosen.append(Item("proposal", proposal["title"], 15, entry_id=proposal["entry_id"],
                           proposal=proposal))  # fmt: skip
    rng.shuffle(chosen)
    items += chosen
    prepared = fridays.rows.paris(day.day, 11, rng.randint(0, 30))
    for item in items:
        item.created_at = item.created_at or prepared
        if item.proposal is not None and item.proposal["status"] == "submitted":
            outcomes.move(item.proposal, "submitted", "on_agenda", day.facilitator.id, prepared)
    return items


def decide_on(fridays, day, item, at, today):
    """What the meeting decided on one point, and who does what."""
    rng, outcomes = fridays.rng, fridays.outcomes
    made = []
    if item.proposal is not None and item.proposal["status"] == "on_agenda":
        proposal = item.proposal
        if rng.random() < 0.92:
            outcome = rng.choices(("accepted", "declined", "to_rework"), (75, 12, 13))[0]
            when = french_day(proposal["moments"][0])
            statement = {
                "accepted": f"La proposition « {proposal['title']} » est **acceptée** : elle "
                f"aura lieu le {when}.",
                "declined": f"La proposition « {proposal['title']} » n’est pas retenue. "
                + rng.choice(DECLINE_REASONS),
                "to_rework": f"La proposition « {proposal['title']} » est à retravailler "
                "(horaires et matériel), puis à reproposer.",
            }[outcome]
            mode = "vote" if rng.random() < 0.2 else "consent"
            decision = outcomes.decide(day, item, at, mode, statement, theme="proposition")
            outcomes.after_decision(proposal, outcome, decision, day, at + timedelta(minutes=2))
            made.append(decision)
            if outcome == "accepted":
                for label in rng.sample([f"Mettre « {proposal['title']} » au calendrier",
                                         f"Préparer la salle pour « {proposal['title']} »",
                                         f"Faire l’affiche de « {proposal['title']} »"],
                                        rng.choice((1, 2, 2, 3, 3))):  # fmt: skip
                    outcomes.action(day, item, decision, label, at, today)
    elif item.kind == "review":
        reviewed = item.review_of
        if reviewed["id"] not in outcomes.superseded and rng.random() < 0.9:
            statement = f"Après revue, la décision n° {reviewed['number']} est remplacée : " + (
                reviewed["statement"] if rng.random() < 0.5 else fill(
                    rng, rng.choice(THEMES[reviewed["theme"]][2]) if reviewed["theme"] in THEMES
                    else reviewed["statement"]))  # fmt: skip
            made.append(outcomes.decide(day, item, at, "consent", statement,
                                        theme=reviewed["theme"], supersedes=reviewed))  # fmt: skip
    elif item.kind == "need":
        if rng.random() < 0.4:
            statement = f"« {item.title} » : la conciergerie s’en occupe cette semaine."
            decision = outcomes.decide(day, item, at, "information", statement)
            made.append(decision)
            outcomes.action(day, item, decision, f"S’occuper de « {item.title} »", at, today)
    elif item.theme in THEMES:
        _titles, _bodies, statements, actions = THEMES[item.theme]
        for n in range(rng.choices((0, 1, 2), (26, 61, 13))[0]):
            mode = rng.choices(("consent", "vote", "information"), (55, 20, 25))[0]
            statement = fill(rng, rng.choice(statements))
            corrected = outcomes.correctable(item.theme) if rng.random() < 0.05 else None
            if corrected:
                statement = f"Corrige la décision n° {corrected['number']} : {statement}"
            moment = at + timedelta(minutes=3 * n)
            decision = outcomes.decide(day, item, moment, mode, statement, item.theme, corrected)
            made.append(decision)
            for label in rng.sample(actions, min(len(actions), rng.choice((1, 2, 2, 2, 3, 3, 4)))):
                outcomes.action(day, item, decision, label, moment, today)
    if not made and item.kind in ("topic", "carried") and rng.random() < 0.5:
        _titles, _bodies, _statements, actions = THEMES.get(item.theme, ([], [], [], []))
        if actions:  # talked about, no decision, someone takes it on
            outcomes.action(day, item, None, rng.choice(actions), at, today)
    return made


def run_meeting(fridays, day, items, today):
    """Each point in turn from noon; returns (items done, items carried, closing moment)."""
    rows, rng = fridays.rows, fridays.rng
    clock = 12 * 60 + rng.randint(0, 8)
    started = rows.paris(day.day, 12, clock - 12 * 60)
    done, carried = [], []
    for position, item in enumerate(items):
        item.position = position
        minutes = max(3, round(item.timebox * rng.uniform(0.45, 1.15)))
        skip = item.kind in ("topic", "carried") and rng.random() < 0.04
        if clock + minutes > END_MINUTES + 5 or skip:
            item.status, item.start, item.end = "postponed", None, None
            carried.append(item)
            continue
        item.start = rows.paris(day.day, clock // 60, clock % 60)
        clock += minutes
        item.end = rows.paris(day.day, clock // 60, clock % 60)
        item.status = "done"
        item.id = _item_row(rows, day, item, minutes)
        if item.kind != "checkin":
            decide_on(fridays, day, item, item.end - timedelta(minutes=1), today)
        done.append(item)
    for item in carried:
        item.id = _item_row(rows, day, item, 0)
        if item.start is None:
            rows.trace(started + timedelta(minutes=90), day.facilitator.id, "item_postponed",
                       "agenda_item", item.id, day.meeting_id, title=item.title)  # fmt: skip
    closing = max(clock, 13 * 60 + 40)
    return started, rows.paris(day.day, closing // 60, closing % 60), carried


def _item_row(rows, day, item, minutes):
    return rows.add(
        "agenda_item", meeting_id=day.meeting_id, position=item.position, title=item.title,
        kind=item.kind, source_entry_id=item.entry_id,
        source_proposal_id=item.proposal["id"] if item.proposal else None,
        carried_from_id=item.carried_from_id, review_of_decision_id=None,
        review_of=item.review_of["id"] if item.review_of else None,
        timebox_minutes=item.timebox, status=item.status, started_at=item.start,
        ended_at=item.end or (rows.paris(day.day, 13, 55) if item.status == "postponed" else None),
        timer_started_at=None, elapsed_seconds=minutes * 60, extra_minutes=0,
        created_at=item.created_at,
    )  # fmt: skip


def summary(day, done, carried, next_day):
    """The scribe's summary (Markdown), written during the meeting."""
    lines = [
        f"Réunion animée par {day.facilitator.first_name}, compte rendu de "
        f"{day.scribe.first_name} ; {len(day.present)} présent·es"
        + (f" et {len(day.guests)} invité·es." if day.guests else "."),
        "",
        "## En bref",
        "",
    ]
    for item in done[1:]:
        if item.decisions:
            numbers = ", ".join(f"n° {d['number']}" for d in item.decisions)
            lines.append(f"- **{item.title}** : décidé ({numbers}).")
        else:
            lines.append(f"- **{item.title}** : discuté, pas de décision.")
    if carried:
        lines += ["", "## Reporté", ""]
        lines += [f"- {item.title}" for item in carried]
    lines += ["", f"Prochaine réunion le {french_day(next_day)}, à midi."]
    return "\n".join(lines)


def close(fridays, day, items, today):
    """Run the meeting, close it, carry what is unfinished, write and validate the minutes."""
    rows, rng = fridays.rows, fridays.rng
    started, closed, carried = run_meeting(fridays, day, items, today)
    done = [i for i in items if i.status == "done"]
    next_day = day.day + timedelta(days=7)
    next_id = fridays.meeting_row(next_day, closed)
    fridays.next_meeting = (next_id, next_day)
    fridays.carried = [
        Item("carried", i.title, i.timebox, theme=i.theme, entry_id=i.entry_id,
             proposal=i.proposal, carried_from_id=i.id, created_at=closed)
        for i in carried
    ]  # fmt: skip
    meeting = rows.tables["meeting"][day.meeting_id - rows.tables["meeting"][0]["id"]]
    roll, hours = rng.random(), rng.randint(2, 60)  # drawn whatever today is
    validated = None
    if closed + timedelta(days=3) < rows.now and roll < 0.92:
        validated = closed + timedelta(hours=hours)
    text = summary(day, done, carried, next_day)
    revision = rng.randint(2, 12)
    meeting.update(
        status="closed", started_at=started, closed_at=closed,
        live_revision=rng.randint(30, 120), agenda_revision=rng.randint(2, 9),
        summary=text, summary_revision=revision,
        summary_updated_by_id=day.scribe.id, minutes_validated_at=validated,
        minutes_validated_by_id=day.scribe.id if validated else None,
        minutes_mailed_at=validated + timedelta(seconds=4) if validated else None,
    )  # fmt: skip
    iso = day.day.isoformat()
    rows.trace(started, day.facilitator.id, "meeting_started", "meeting", day.meeting_id,
               day.meeting_id, date=iso)  # fmt: skip
    rows.trace(closed, day.facilitator.id, "meeting_closed", "meeting", day.meeting_id,
               day.meeting_id, date=iso, carried=len(carried))  # fmt: skip
    rows.trace(closed - timedelta(minutes=2), day.scribe.id, "minutes_summary_written",
               "meeting", day.meeting_id, day.meeting_id, date=iso, revision=revision,
               chars=len(text))  # fmt: skip
    if validated:
        rows.trace(validated, day.scribe.id, "minutes_validated", "meeting", day.meeting_id,
                   day.meeting_id, date=iso)  # fmt: skip
