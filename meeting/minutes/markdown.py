"""The minutes as a Markdown file (`compte-rendu-2026-12-04.md`), also the body of the
e-mail: the same content as the page, from the same read model, for the same audience."""

from flask import render_template
from markdown_it import MarkdownIt

_parser = MarkdownIt("commonmark")


def demote_headings(text, levels):
    """Push the headings of a member's Markdown `levels` deeper (a summary's "# Budget" must
    not become a section of the minutes beside "## Décisions"); other lines are kept as typed.
    Read by markdown-it, so that a "#" in a code block or a paragraph is left alone."""
    if not text:
        return ""
    lines = text.split("\n")
    for token in _parser.parse(text):
        if token.type != "heading_open" or token.map is None:
            continue
        level = min(6, int(token.tag[1]) + levels)
        start, end = token.map
        if token.markup.startswith("#"):
            line = lines[start].lstrip()
            lines[start] = "#" * level + line[len(token.markup) :]
        else:  # a setext heading: its text lines, then an underline of "=" or "-"
            title = " ".join(line.strip() for line in lines[start : end - 1])
            lines[start] = "#" * level + " " + title
            for index in range(start + 1, end):
                lines[index] = None
    return "\n".join(line for line in lines if line is not None)


def one_line(text):
    """A title or a label on one line (a Markdown list item or heading ends at a newline)."""
    return " ".join(str(text or "").split())


def minutes_markdown(minutes):
    """The Markdown text of `minutes` (from `services.minutes_for` or `services.compose`)."""
    text = render_template(
        "minutes/minutes.md", m=minutes, demote=demote_headings, one_line=one_line
    )
    # Blank lines at most two in a row, one final newline.
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


def filename(minutes):
    return f"compte-rendu-{minutes.day.isoformat()}.md"
