"""The readable half of « Télécharger mes données »: `archive.md`, the same values as
`data.json` (`export.collect`) written for a person, with headings and dates in the reader's
language (French unless they chose English). Texts people wrote are quoted as they wrote them
(never through gettext, which would retypeset them)."""

from ..economy.money import format_money
from ..i18n import _, long_date, long_datetime
from ..labels import (
    ANSWER_LABELS,
    ATTENDANCE_LABELS,
    GIFT_STATUS_LABELS,
    KIND_LABELS,
    MODE_LABELS,
    NEED_LABELS,
    PROPOSAL_STATUS_LABELS,
    ROLE_LABELS,
)
from ..members.services import role_label


def _when(value):
    if value is None:
        return "—"
    return long_datetime(value) if hasattr(value, "hour") else long_date(value)


def _quote(text):
    """A text someone wrote, as a Markdown block quote (its own headings stay inside it)."""
    lines = (text or "").strip().splitlines() or [""]
    return "\n".join(f"> {line}".rstrip() for line in lines)


def _label(labels, value):
    return str(labels.get(value, value)) if value is not None else "—"


def _pair(what, value):
    """'vendredi 4 décembre 2026 : présent·e' (a no-break space before the colon in French)."""
    return _("%(what)s : %(value)s", what=what, value=value)


def _yes(value):
    return _("oui") if value else _("non")


class _Page:
    def __init__(self):
        self.parts = []

    def heading(self, level, text):
        self.parts.append("#" * level + " " + text)

    def line(self, text):
        self.parts.append(text)

    def items(self, lines):
        self.parts.append("\n".join(f"- {line}" for line in lines) if lines else _("Rien."))

    def section(self, title, rows, render):
        self.heading(2, title)
        self.items([render(row) for row in rows])

    def text(self):
        return "\n\n".join(self.parts) + "\n"


def markdown(data):
    """`archive.md` from the values of `export.collect`."""
    page = _Page()
    profile = data["profile"]
    page.heading(1, _("Mes données sur Vendredi"))
    page.line(
        _(
            "Archive de %(name)s, préparée le %(when)s. Elle reprend en clair ce que contient "
            "le fichier data.json : ce que vous avez écrit et ce que Vendredi garde sur vous.",
            name=profile["display_name"],
            when=_when(data["generated_at"]),
        )
    )
    page.heading(2, _("Profil"))
    page.items(
        [
            _("Nom affiché : %(v)s", v=profile["display_name"]),
            _("Adresse e-mail : %(v)s", v=profile["email"] or "—"),
            _("Rôle : %(v)s", v=role_label(profile["role"])),
            _("Tient les comptes du lieu : %(v)s", v=_yes(profile["treasurer"])),
            _("Compte créé le %(v)s", v=_when(profile["created_at"])),
            _("Dernière connexion : %(v)s", v=_when(profile["last_sign_in_at"])),
        ]
        + (
            [_("« Ce que vous avez manqué » lu jusqu’au %(v)s", v=_when(profile["caught_up_at"]))]
            if profile["caught_up_at"]
            else []
        )
    )

    page.heading(2, _("Ce que vous avez écrit dans les documents du vendredi"))
    if not data["entries"]:
        page.line(_("Rien."))
    for entry in data["entries"]:
        kind = _label(KIND_LABELS, entry["kind"])
        if entry["title"]:
            kind = _pair(kind, entry["title"])
        page.heading(3, f"{kind} — {_when(entry['friday'])}")
        page.line(_quote(entry["body"]))
        details = [_("Écrit le %(v)s", v=_when(entry["created_at"]))]
        if entry["revision"] > 1:
            details.append(
                _("version %(n)s du %(v)s", n=entry["revision"], v=_when(entry["updated_at"]))
            )
        if entry.get("need_status"):
            details.append(_label(NEED_LABELS, entry["need_status"]))
        if entry.get("in_kind_cents"):
            details.append(_("valeur apportée : %(v)s", v=format_money(entry["in_kind_cents"])))
        page.line(" · ".join(details))

    page.section(
        _("Autres versions que vous avez enregistrées"),
        # The first version of their own entry is the entry above.
        [r for r in data["revisions"] if r["revision"] > 1 or not r["of_your_entry"]],
        lambda r: _(
            "Contribution n° %(id)s, version %(n)s, le %(v)s",
            id=r["entry_id"],
            n=r["revision"],
            v=_when(r["created_at"]),
        ),
    )
    page.section(
        _("Besoins que vous avez pris en charge"),
        data["needs_taken_on"],
        lambda e: (
            _(
                "%(title)s (%(day)s) : %(status)s",
                title=e["title"] or "—",
                day=_when(e["friday"]),
                status=_label(NEED_LABELS, e["need_status"]),
            )
            + (f" — {e['claim_note']}" if e["claim_note"] else "")
        ),
    )
    page.section(
        _("Ce que vous avez apporté pour des besoins"),
        data["contributions_in_kind"],
        lambda e: _(
            "%(title)s : %(value)s, le %(v)s",
            title=e["title"] or "—",
            value=format_money(e["value_cents"]),
            v=_when(e["met_at"]),
        ),
    )

    page.heading(2, _("Vos propositions d’événement"))
    if not data["proposals"]:
        page.line(_("Rien."))
    for proposal in data["proposals"]:
        page.heading(
            3,
            f"{proposal['title']} — {_label(PROPOSAL_STATUS_LABELS, proposal['status'])}",
        )
        page.line(_quote(proposal["description"]))
        page.items(
            [
                _(
                    "%(v)s : %(status)s",
                    v=_when(step["at"]),
                    status=_label(PROPOSAL_STATUS_LABELS, step["to"]),
                )
                + (f" — {step['reason']}" if step["reason"] else "")
                for step in proposal["steps"]
            ]
        )

    page.section(
        _("Vos présences aux vendredis"),
        data["attendance"],
        lambda a: _pair(_when(a["friday"]), _label(ATTENDANCE_LABELS, a["status"])),
    )
    page.section(
        _("Vos rôles du jour"),
        data["roles_of_the_day"],
        lambda r: _pair(_when(r["friday"]), _label(ROLE_LABELS, r["role"])),
    )
    page.section(
        _("Vos réponses aux tours"),
        data["round_answers"],
        lambda a: (
            _(
                "%(day)s, « %(question)s » : %(answer)s",
                day=_when(a["friday"]),
                question=a["question"],
                answer=_label(ANSWER_LABELS, a["answer"]),
            )
            + (f" — {a['reason']}" if a["reason"] else "")
            + (" " + _("(objection : %(v)s)", v=a["objection"]) if a["objection"] else "")
        ),
    )
    page.section(
        _("Vos mains levées"),
        data["hands_raised"],
        lambda h: _("le %(v)s", v=_when(h["raised_at"])),
    )

    page.heading(2, _("Décisions auxquelles vous avez pris part"))
    if not data["decisions"]:
        page.line(_("Rien."))
    for decision in data["decisions"]:
        page.heading(
            3,
            _(
                "Décision n° %(n)s, %(day)s (%(mode)s)",
                n=decision["number"],
                day=_when(decision["friday"]),
                mode=_label(MODE_LABELS, decision["mode"]),
            ),
        )
        page.line(_quote(decision["statement"]))
        part = []
        if decision["present"]:
            part.append(_("Vous étiez présent·e."))
        if decision["recorded_by_you"]:
            part.append(_("Vous l’avez enregistrée."))
        page.line(" ".join(part))

    page.section(
        _("Actions (qui fait quoi pour quand)"),
        data["actions"],
        lambda a: (
            _(
                "%(label)s, pour le %(due)s : %(status)s",
                label=a["label"],
                due=_when(a["due_on"]),
                status=_("faite") if a["status"] == "done" else _("à faire"),
            )
            + (" " + _("(la vôtre)") if a["yours"] else " " + _("(ajoutée par vous)"))
        ),
    )
    page.section(
        _("Comptes rendus"),
        data["minutes"],
        lambda m: _pair(
            _when(m["friday"]),
            ", ".join(
                filter(
                    None,
                    [
                        _("résumé écrit par vous") if m["summary_written_by_you"] else "",
                        _("validé par vous") if m["validated_by_you"] else "",
                    ],
                )
            ),
        ),
    )
    page.section(
        _("Vos dons"),
        data["gifts"],
        lambda g: (
            _(
                "%(amount)s, %(status)s, le %(v)s",
                amount=format_money(g["amount_cents"]),
                status=_label(GIFT_STATUS_LABELS, g["status"]),
                v=_when(g["received_on"] or g["expected_on"] or g["created_at"]),
            )
            + (
                " — " + _("reçu fiscal n° %(n)s", n=g["receipt_number"])
                if g["receipt_number"]
                else ""
            )
        ),
    )
    page.section(
        _("Vos utilisations du catalogue"),
        data["catalogue_uses"],
        lambda u: (
            _(
                "%(item)s, le %(v)s : %(amount)s",
                item=u["item"],
                v=_when(u["used_on"]),
                amount=format_money(u["contribution_cents"]),
            )
            + (" " + _("(annulée)") if u["cancelled_at"] else "")
        ),
    )
    page.section(
        _("Vos offres du catalogue"),
        data["catalogue_offers"],
        lambda i: i["title"] + ("" if i["active"] else " " + _("(retirée)")),
    )
    page.section(
        _("Événements que vous avez mis à l’agenda"),
        data["events_created"],
        lambda e: f"{e['title']} — {_when(e['starts_at'])}",
    )
    page.section(
        _("Dépenses que vous avez enregistrées"),
        data["expenses_recorded"],
        lambda e: _pair(e["label"], f"{format_money(e['amount_cents'])}, {_when(e['spent_on'])}"),
    )
    page.section(
        _("Vendredis où vous avez donné une météo (jamais laquelle : elle n’est pas gardée)"),
        data["weather_given_on"],
        _when,
    )
    page.section(
        _("Invitations que vous avez faites"),
        data["invitations_made"],
        lambda i: _("le %(v)s (%(role)s)", v=_when(i["created_at"]), role=role_label(i["role"])),
    )
    page.section(
        _("Vos appareils connectés"),
        data["sessions"],
        lambda s: (
            _(
                "%(device)s : connecté·e le %(v)s, vu·e pour la dernière fois le %(seen)s",
                device=s["device"] or _("appareil inconnu"),
                v=_when(s["signed_in_at"]),
                seen=_when(s["last_seen_at"]),
            )
            + (
                " " + _("(session terminée le %(v)s)", v=_when(s["ended_at"]))
                if s["ended_at"]
                else ""
            )
        ),
    )
    page.section(
        _("Vos flux personnels et jetons d’API (jamais leur secret)"),
        [("feed", t) for t in data["feed_tokens"]] + [("api", t) for t in data["api_tokens"]],
        lambda pair: (
            (
                _("Flux personnel (%(scope)s)", scope=pair[1]["scope"])
                if pair[0] == "feed"
                else _("Jeton d’API « %(label)s »", label=pair[1]["label"])
            )
            + ", "
            + _("créé le %(v)s", v=_when(pair[1]["created_at"]))
            + (
                ", " + _("révoqué le %(v)s", v=_when(pair[1]["revoked_at"]))
                if pair[1]["revoked_at"]
                else ""
            )
        ),
    )
    page.section(
        _("Vos notifications"),
        data["notifications"],
        lambda n: _("le %(v)s", v=_when(n["created_at"])) + f" ({n['kind']})",
    )
    page.section(
        _("Traces que vous avez laissées"),
        data["traces"],
        lambda t: f"{_when(t['at'])} — {t['sentence']}",
    )
    return page.text()
