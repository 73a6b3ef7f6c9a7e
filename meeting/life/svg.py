"""A chart of the life of the place as a standalone SVG, drawn on the server by pygal: no
script, no comment, no external font or address; a `<title>` and a `<desc>` named by
`aria-labelledby`; French numbers and amounts; colours readable on white."""

import sys

from ..economy.money import format_money_short
from ..i18n import _
from .charts import GREY, locale_name, number


def _pygal():
    """pygal, imported the first time a chart is drawn (a process that draws none, such as one
    serving Friday's live pages, never holds its 6 MB)."""
    import pygal
    import pygal.style

    # pygal appends to `sys.meta_path` a finder for its map plugins that has no `find_spec`:
    # every later failed import (an optional dependency tried by another library) then warns
    # (ImportWarning, an error under the tests' filterwarnings). The maps are not used here.
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]
    return pygal


SVG_NS = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 720, 420
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif'


def _count_ticks(top):
    """Whole-number ticks from 0 to at least `top`, at most about eight of them."""
    top = max(int(top), 1)
    step = 1
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        step = candidate
        if top / candidate <= 8:
            break
    last = -(-top // step) * step
    return list(range(0, last + 1, step))


def _accessible(chart):
    """An `xml_filters` step: no comment (pygal's hold addresses) and no script; the chart's
    `<title>` and `<desc>` first, named by `aria-labelledby`, with `role="img"`."""

    def apply(root):
        def clean(node):
            for child in list(node):
                tag = child.tag
                if callable(tag) or str(tag).rsplit("}", 1)[-1] == "script":
                    node.remove(child)
                else:
                    clean(child)

        clean(root)
        for child in list(root):
            if str(child.tag).rsplit("}", 1)[-1] in ("title", "desc"):
                root.remove(child)
        prefix = "{" + SVG_NS + "}" if str(root.tag).startswith("{") else ""
        title = root.makeelement(prefix + "title", {"id": f"{chart.name}-titre"})
        title.text = f"{chart.title} — {chart.period}"
        desc = root.makeelement(prefix + "desc", {"id": f"{chart.name}-description"})
        desc.text = chart.description
        root.insert(0, desc)
        root.insert(0, title)
        root.set("role", "img")
        root.set("aria-labelledby", f"{chart.name}-titre {chart.name}-description")
        root.set("{http://www.w3.org/XML/1998/namespace}lang", locale_name()[:2])
        return root

    return apply


def _formatter(chart):
    if chart.money:
        return lambda value: "" if value is None else format_money_short(round(value))
    return lambda value: "" if value is None else number(round(value))


def render_svg(chart):
    """The chart as a standalone SVG document (text)."""
    style = _pygal().style.Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1f2937",
        foreground_strong="#111827",
        foreground_subtle="#4b5563",
        colors=tuple(s.colour for s in chart.series) or (GREY,),
        font_family=FONT,
        label_font_size=14,
        major_label_font_size=14,
        legend_font_size=15,
        title_font_size=18,
        value_font_size=14,
        tooltip_font_size=14,
        no_data_font_size=24,
        opacity="1",
        stroke_opacity="1",
        opacity_hover=".85",
        transition="0ms",
        stroke_width="3" if chart.kind == "line" else "1",
        stroke_width_hover="4" if chart.kind == "line" else "1",
        guide_stroke_color="#9ca3af",
        major_guide_stroke_color="#6b7280",
    )
    many = len(chart.x_labels) > 16
    config = {
        "js": [],
        "disable_xml_declaration": True,
        "style": style,
        "width": WIDTH,
        "height": HEIGHT,
        "title": chart.title,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": max(len(chart.series), 1),
        "show_legend": len(chart.series) > 1,
        "no_data_text": _("Aucune donnée sur cette période"),
        "value_formatter": _formatter(chart),
        "x_label_rotation": 40 if len(chart.x_labels) > 6 else 0,
        "truncate_label": -1,
        "truncate_legend": -1,
        "show_minor_x_labels": not many,
    }
    if many:
        config["x_labels_major_every"] = max(len(chart.x_labels) // 12, 1)
    if chart.empty:
        pass  # pygal draws its "no data" text (and fails on fixed labels without series)
    elif not chart.money:
        if chart.kind == "stacked":
            top = max(
                (sum(v or 0 for v in values) for values in zip(*(s.values for s in chart.series))),
                default=0,
            )
        else:
            top = max((v or 0 for s in chart.series for v in s.values), default=0)
        config["y_labels"] = _count_ticks(top)
    else:
        config["include_x_axis"] = True  # money from 0 €
    pygal = _pygal()
    cls = {"bar": pygal.Bar, "stacked": pygal.StackedBar, "line": pygal.Line}[chart.kind]
    picture = cls(**config)
    picture.add_xml_filter(_accessible(chart))
    picture.x_labels = chart.x_labels
    if not chart.empty:
        for s in chart.series:
            options = {"stroke_style": {"width": 3, "dasharray": "8, 6"}} if s.dashed else {}
            picture.add(s.label, s.values, **options)
    return picture.render(is_unicode=True)
