"""CSV that a French spreadsheet opens as it is: UTF-8 with a byte-order mark, semicolons,
CRLF line ends, dates JJ/MM/AAAA (Babel), amounts with a decimal comma
(`economy.money.csv_amount`). The ledger and the life of the place's downloads write through
`csv_text`; a cell typed by a person goes through `text_cell`."""

import csv
import io

from babel.dates import format_date

BOM = "\ufeff"
# A text cell a spreadsheet would read as a formula (a donor named "=HYPERLINK(…)") is written
# with a leading apostrophe, which spreadsheets show as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(text):
    """A cell of text someone typed, never read as a formula."""
    text = str(text or "")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_date(day):
    """'06/03/2026': the day as a French spreadsheet reads a date."""
    return format_date(day, "dd/MM/y", locale="fr")


def csv_text(header, rows):
    """The CSV text (BOM first) of a header row and the rows after it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return BOM + out.getvalue()
