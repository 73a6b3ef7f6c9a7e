"""Input cleaned at the edge: what a person or a program sends, made fit to store, or refused.

Every door of the command registry (`commands.check_fields`: socket, form and API) and the few
form views outside it (`clean_values`) run the same checks before anything reaches a service:

- texts are put in Unicode NFC (a decomposed "é" is stored as the one character "é") and their
  line breaks as LF (`\\r\\n` and a lone `\\r` become `\\n`);
- half of a UTF-16 pair (a lone surrogate, which JSON can carry) is refused: UTF-8 cannot
  store it;
- C0 and C1 control characters (NUL, which PostgreSQL cannot store, ESC, BEL, backspace…) and
  the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069, which make a text
  read otherwise than it is stored: "Trojan Source") are refused, except the newline and the
  tab in multi-line texts (`MULTILINE_FIELDS`). Refused rather than removed: what is stored is what was sent, or the
  sender is told why not (a text silently changed would differ from the sender's own copy, which
  an edit compares against); the invisible characters come from programs or odd pastes, and the
  message says which field to retype. The right-to-left *marks* (U+200E, U+200F) stay: they
  change no order by themselves;
- integers fit the database's 32-bit signed columns (`API_INT_MIN`..`API_INT_MAX`); the URL
  converter `int` (installed app-wide by `install`) answers 404 past them;
- dates read from input fall within `EARLIEST_DAY` and `YEARS_AHEAD` years after today in the
  place's time zone (`check_day`, called by each feature's date parser).

Each refusal is a `ServiceError` naming its field in French, never an exception that reaches the
log as a traceback.
"""

import re
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date
from werkzeug.routing import IntegerConverter

from .errors import FieldErrors, ServiceError
from .i18n import _l
from .labels import field_label

# The database's integer columns hold 32 bits (signed); no id, revision or count of ours is larger.
API_INT_MIN, API_INT_MAX = -(2**31), 2**31 - 1

# The fields whose text may hold several lines (the pages' <textarea>s); every other text is one
# line. A field name means the same in every command that takes it.
MULTILINE_FIELDS = frozenset(
    {
        "association_address",
        "association_object",
        "body",
        "description",
        "donation_details",
        "donor_address",
        "event_description",
        "material_needs",
        "objections",
        "objections_lifted",
        "options",
        "proposal_reason",
        "question",
        "reason",
        "statement",
        "summary",
    }
)

_SURROGATE = re.compile("[\ud800-\udfff]")
_BIDI = "\u202a-\u202e\u2066-\u2069"
# C0 (but tab and newline), DEL, C1, and the bidi overrides and isolates.
_INVISIBLE_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_LINE_BREAK = re.compile("[\t\n]")
# The JSON Schema patterns of a text the doors take, as `json_schema` publishes them (the same
# refusals: no NUL, no control character but tab, newline and carriage return in a multi-line
# text, none at all in a one-line text, no bidi override or isolate; a lone surrogate cannot be
# written in a pattern, JSON Schema's strings being Unicode).
_BIDI_ESCAPED = "\\u202a-\\u202e\\u2066-\\u2069"
TEXT_PATTERN = f"^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f{_BIDI_ESCAPED}]*$"
LINE_PATTERN = f"^[^\\u0000-\\u001f\\u007f-\\u009f{_BIDI_ESCAPED}]*$"


def text_pattern(name):
    """The JSON Schema pattern of field `name`'s texts (one line or several)."""
    return TEXT_PATTERN if name in MULTILINE_FIELDS else LINE_PATTERN


def _forbidden(name):
    return ServiceError(
        _l("Le champ « %(name)s » contient un caractère interdit.", name=shown_name(name)),
        code="invalid_field",
        field=name,
    )


def shown_name(name):
    """A field's French label, or the name as sent made printable (a program's unknown field)."""
    if not isinstance(name, str):
        return str(name)
    return str(field_label(name)).encode("utf-8", "replace").decode("utf-8")


def clean_text(name, text, multiline=None):
    """The text of field `name`, NFC and LF, or ServiceError naming the field. `multiline`
    defaults to whether `name` is one of `MULTILINE_FIELDS`."""
    if multiline is None:
        multiline = name in MULTILINE_FIELDS
    if _SURROGATE.search(text):
        raise _forbidden(name)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if _INVISIBLE_MULTILINE.search(text):
        raise ServiceError(
            _l(
                "Le champ « %(name)s » contient des caractères invisibles non admis : retirez-les.",
                name=shown_name(name),
            ),
            code="invalid_field",
            field=name,
        )
    if not multiline and _LINE_BREAK.search(text):
        raise ServiceError(
            _l(
                "Le champ « %(name)s » tient sur une ligne : retirez les retours à la ligne "
                "et les tabulations.",
                name=shown_name(name),
            ),
            code="invalid_field",
            field=name,
        )
    return text


def check_int(name, number):
    """`number` when it fits the database's integers, else ServiceError naming the field."""
    if number > API_INT_MAX:
        message = _l("Le champ « %(name)s » est un nombre trop grand.", name=shown_name(name))
    elif number < API_INT_MIN:
        message = _l("Le champ « %(name)s » est un nombre trop petit.", name=shown_name(name))
    else:
        return number
    raise ServiceError(message, code="invalid_field", field=name)


def clean_value(name, value):
    """One field's value as sent (a text, a number, a yes/no, a list or an object of them),
    cleaned; ServiceError naming the field when it cannot be stored."""
    if isinstance(value, str):
        return clean_text(name, value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return check_int(name, value)
    if isinstance(value, list):
        return [clean_value(name, item) for item in value]
    if isinstance(value, dict):
        return {clean_text(name, key, False): clean_value(name, v) for key, v in value.items()}
    return value


def clean_values(values, multiline=None):
    """A form's values ({name: text or None}) cleaned field by field; every refused field at
    once (FieldErrors), a single one as its own ServiceError. `multiline` names the fields
    holding several lines (default: `MULTILINE_FIELDS`). For the form views outside the
    command registry (passwords are not given here: they are hashed as typed)."""
    lines = MULTILINE_FIELDS if multiline is None else frozenset(multiline)
    cleaned, problems = {}, {}
    for name, value in values.items():
        try:
            if isinstance(value, str):
                cleaned[name] = clean_text(name, value, name in lines)
            else:
                cleaned[name] = clean_value(name, value)
        except ServiceError as error:
            problems[name] = error
    if len(problems) == 1:
        raise next(iter(problems.values()))
    if problems:
        raise FieldErrors({name: error.message for name, error in problems.items()})
    return cleaned


def form_text(form, name, multiline=None):
    """The cleaned text of one posted field (None when absent), or ServiceError naming it: for
    the form views outside the command registry."""
    value = form.get(name)
    return None if value is None else clean_text(name, value, multiline)


# -- dates -------------------------------------------------------------------------------------

EARLIEST_DAY = date(2000, 1, 1)
YEARS_AHEAD = 10


def _today():
    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Paris"
    return datetime.now(ZoneInfo(zone)).date()


def latest_day():
    """The last day a date read from input may name: ten years after today (Europe/Paris)."""
    today = _today()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def day_window_error(field=None):
    """The French refusal of a date outside the window, beside `field` when given."""
    details = {"field": field} if field else {}
    return ServiceError(
        _l(
            "La date doit être comprise entre le %(first)s et le %(last)s.",
            first=format_date(EARLIEST_DAY, "long"),
            last=format_date(latest_day(), "long"),
        ),
        code="date_out_of_range",
        **details,
    )


def in_window(day):
    """True when `day` (a date or a datetime) falls within the window."""
    if isinstance(day, datetime):
        day = day.date()
    return EARLIEST_DAY <= day <= latest_day()


def check_day(day, field=None):
    """`day` (a date or a datetime) when it falls within the window, else ServiceError."""
    if day is not None and not in_window(day):
        raise day_window_error(field)
    return day


# -- URLs --------------------------------------------------------------------------------------


class DatabaseIntConverter(IntegerConverter):
    """`<int:…>` in a route, at most the database's largest integer (a larger one is a 404,
    never a query the database cannot run)."""

    def __init__(self, map, fixed_digits=0, min=None, max=API_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install(app):
    """Make every `<int:…>` route of `app` use `DatabaseIntConverter` (before blueprints)."""
    app.url_map.converters["int"] = DatabaseIntConverter
