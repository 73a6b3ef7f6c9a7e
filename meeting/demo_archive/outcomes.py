"""What a Friday leaves behind: rounds and their answers, numbered decisions (objections and
how they were lifted, review dates, supersession), actions and their completion, and the moves
of event proposals along their lifecycle — each row as the service that writes it would."""

import re
from datetime import timedelta

from ..models import CONSENT_ANSWERS
from .vocabulary import OBJECTIONS

VOTE_OPTIONS = (["Pour", "Contre", "Abstention"], ["Oui", "Non", "Abstention"])


def plain(markdown):
    """A round's question from a decision's Markdown (no emphasis marks)."""
    return re.sub(r"[*_]{1,2}", "", markdown)


class Outcomes:
    """Decisions, actions, rounds and proposal moves, numbered across the whole archive."""

    def __init__(self, rows):
        self.rows, self.rng = rows, rows.rng
        self.number = 0
        self.decisions = []  # every decision: {id, number, theme, statement, review_on, …}
        self.superseded = set()  # ids of decisions another one supersedes
        self.to_review = []  # decisions with a review date not yet on an agenda

    # -- proposals --------------------------------------------------------------------------

    def move(self, proposal, from_status, to_status, actor_id, at, reason=None, decision_id=None):
        """`proposals.services.move_status`: a history row, the status, a trace."""
        rows = self.rows
        rows.add("proposal_status_change", proposal_id=proposal["id"], from_status=from_status,
                 to_status=to_status, actor_id=actor_id, reason=reason,
                 decision_id=decision_id, created_at=at)  # fmt: skip
        proposal.update(status=to_status, status_changed_at=at)
        if from_status is None:
            return  # the proposal's creation: its trace is the entry's `entry_added`
        if to_status == "withdrawn":
            proposal["withdrawn_at"] = at
        rows.trace(at, actor_id, "proposal_status_changed", "event_proposal", proposal["id"],
                   proposal["meeting_id"], title=proposal["title"], from_status=from_status,
                   to_status=to_status)  # fmt: skip
        if to_status == "withdrawn":
            rows.trace(at, actor_id, "proposal_withdrawn", "event_proposal", proposal["id"],
                       proposal["meeting_id"], title=proposal["title"])  # fmt: skip

    def after_decision(self, proposal, outcome, decision, day, at):
        """The proposal's life after the Friday decided on it: scheduled, then held once its
        date has passed; reworked and proposed again, or withdrawn."""
        rows, rng = self.rows, self.rng
        runner = day.facilitator.id
        self.move(proposal, "on_agenda", outcome, runner, at, decision_id=decision["id"])
        # Every draw is made whatever today is, so that the same seed gives the same archive
        # on any day of the week (only what has happened by now differs).
        later = at + timedelta(
            days=rng.randint(1, 6) if outcome == "accepted" else rng.randint(2, 20)
        )
        roll = rng.random()
        if later >= rows.now:
            return
        if outcome == "accepted":
            self.move(proposal, "accepted", "scheduled", runner, later)
            held = rows.paris(proposal["moments"][0] + timedelta(days=1), 10)
            if held < rows.now and roll < 0.95:
                self.move(proposal, "scheduled", "held", proposal["author"].id, held)
        elif outcome == "to_rework":
            author = proposal["author"].id
            if roll < 0.6:
                self.move(proposal, "to_rework", "submitted", author, later,
                          reason="Nouvelle version, plus courte.")  # fmt: skip
            else:
                self.move(proposal, "to_rework", "withdrawn", author, later,
                          reason="On le fera ailleurs.")  # fmt: skip

    # -- decisions --------------------------------------------------------------------------

    def round(self, day, item, mode, statement, at, objector):
        """A closed round on `item` and its answers; returns (round id, result, vote note)."""
        rows, rng = self.rows, self.rng
        options = list(rng.choice(VOTE_OPTIONS)) if mode == "vote" else []
        opened, closed = at - timedelta(minutes=4), at - timedelta(minutes=1)
        round_id = rows.add("round", meeting_id=day.meeting_id, item_id=item.id, kind=mode,
                            question=plain(statement)[:500], options=options,
                            opened_by_id=day.facilitator.id, opened_at=opened,
                            closed_at=closed)  # fmt: skip
        rows.trace(opened, day.facilitator.id, "round_opened", "round", round_id, day.meeting_id,
                   kind=mode, title=item.title)  # fmt: skip
        choices = list(CONSENT_ANSWERS) if mode == "consent" else options
        counts = {choice: {"members": 0, "guests": 0} for choice in choices}
        objection_at = day.attendance_of.get(objector.id) if objector else None
        total = 0
        for attendance_id in day.attendance_ids:
            if attendance_id != objection_at and rng.random() > 0.92:
                continue
            if mode == "consent":
                answer = "abstain" if rng.random() < 0.1 else "for"
            else:
                answer = rng.choices(options, (70, 15, 15))[0]
            objection = objector and attendance_id == objection_at
            if objection:
                answer = "for"  # objected, then consented once it was lifted
            rows.add("round_answer", round_id=round_id, attendance_id=attendance_id,
                     answer=answer, reason=None,
                     objection=objector.objection if objection else None,
                     answered_at=rows.between(opened, closed))  # fmt: skip
            counts[answer]["guests" if attendance_id in day.guests else "members"] += 1
            total += 1
        rows.trace(closed, day.facilitator.id, "round_closed", "round", round_id, day.meeting_id,
                   total=total)  # fmt: skip
        note = None
        if mode == "vote":
            said = ", ".join(f"{c['members'] + c['guests']} « {o} »" for o, c in counts.items())
            note = f"\n\nVote : {said}."
        return round_id, {"counts": counts, "objections": [], "total": total}, note

    def decide(self, day, item, at, mode, statement, theme=None, supersedes=None):
        """Record a decision on `item` (`decisions.services.record_decision`), numbered next."""
        rows, rng = self.rows, self.rng
        objector = objections = lifted = None
        if mode == "consent" and rng.random() < 0.22:
            members = [p for p in day.present if p is not day.scribe]
            objector = rng.choice(members)
            objector.objection, lifted = rng.choice(OBJECTIONS)
            objections = f"{objector.first_name} : {objector.objection}"
        round_id, result, note = None, {}, None
        if mode in ("consent", "vote"):
            round_id, result, note = self.round(day, item, mode, statement, at, objector)
        review_on = None
        if mode != "information" and rng.random() < 0.12:
            review_on = day.day + timedelta(days=rng.choice((91, 182, 273, 364)))
        self.number += 1
        decision_id = rows.add(
            "decision", number=self.number, meeting_id=day.meeting_id, item_id=item.id,
            statement=statement + (note or ""), mode=mode, objections=objections,
            objections_lifted=lifted, round_id=round_id, result=result,
            present=list(day.attendance_ids), review_on=review_on,
            supersedes_id=supersedes["id"] if supersedes else None,
            decided_by_id=day.scribe.id, decided_at=at,
        )  # fmt: skip
        rows.trace(at, day.scribe.id, "decision_recorded", "decision", decision_id,
                   day.meeting_id, number=self.number, mode=mode, title=item.title)  # fmt: skip
        decision = {"id": decision_id, "number": self.number, "theme": theme,
                    "statement": statement, "review_on": review_on,
                    "meeting_id": day.meeting_id}  # fmt: skip
        if supersedes:
            self.superseded.add(supersedes["id"])
        self.decisions.append(decision)
        if review_on:
            self.to_review.append(decision)
        item.decisions.append(decision)
        return decision

    def correctable(self, theme):
        """An earlier decision on `theme` still in force, that a correction may supersede."""
        for decision in reversed(self.decisions[-400:]):
            if decision["theme"] == theme and decision["id"] not in self.superseded:
                return decision
        return None

    def due_reviews(self, day, meeting_id):
        """Decisions whose review date has come by `day` (`live.items.ensure_standing_items`)."""
        due = [d for d in self.to_review if d["review_on"] <= day and d["meeting_id"] != meeting_id]
        self.to_review = [d for d in self.to_review if d not in due]
        return due

    # -- actions ----------------------------------------------------------------------------

    def action(self, day, item, decision, label, at, today):
        """`decisions.services.add_action`, then, for most, the owner marking it done."""
        rows, rng = self.rows, self.rng
        owner = rng.choice(day.present)
        due_on = day.day + timedelta(days=rng.choice((3, 5, 7, 7, 10, 14, 14, 21, 28, 45, 60)))
        created = at + timedelta(minutes=1)
        action_id = rows.add(
            "action", meeting_id=day.meeting_id, item_id=item.id,
            decision_id=decision["id"] if decision else None, label=label, owner_id=owner.id,
            due_on=due_on, status="open", created_by_id=day.scribe.id, created_at=created,
            done_at=None, done_by_id=None,
        )  # fmt: skip
        rows.trace(created, day.scribe.id, "action_added", "action", action_id, day.meeting_id,
                   label=label, owner_id=owner.id, due_on=due_on.isoformat())  # fmt: skip
        overdue_by = (today - due_on).days
        chance = 0.92 if overdue_by > 14 else 0.6 if overdue_by > 0 else 0.3
        roll, slack = rng.random(), rng.randint(-2, 12)  # drawn whatever today is
        end = rows.paris(due_on + timedelta(days=slack), 18)
        done = rows.between(created + timedelta(hours=2), max(end, created))
        if roll < chance and done < rows.now:
            rows.tables["action"][-1].update(status="done", done_at=done, done_by_id=owner.id)
            rows.trace(done, owner.id, "action_completed", "action", action_id,
                       day.meeting_id, label=label, owner_id=owner.id,
                       due_on=due_on.isoformat())  # fmt: skip
        return action_id
