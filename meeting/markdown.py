"""Render members' Markdown to safe HTML: the only place the app turns Markdown into markup.

Markdown is parsed by markdown-it-py with raw HTML off, then cleaned by nh3 against an explicit
allow-list, so a template may mark the result safe and nothing else.

Images are not shown inline: `![plan](https://example.org/plan.png)` becomes a plain link whose
text is the alt text (`<a href="https://example.org/plan.png">plan</a>`). Inline images would load
third-party content in every participant's browser (tracking pixels, huge files, layout breakage
on the meeting screen); a link keeps the information and leaves the choice to the reader.
"""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markupsafe import Markup
from mdit_py_plugins.tasklists import tasklists_plugin

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "code",
    "em",
    "strong",
    "del",
    "s",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "input",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# Attributes accepted only with these values; anything else is dropped by nh3.
ALLOWED_ATTRIBUTE_VALUES = {
    "th": {"align": {"left", "center", "right"}},
    "td": {"align": {"left", "center", "right"}},
    "input": {"checked": {"checked"}},
}
# Forced on every <input>, so the only input that can survive is a read-only task-list checkbox.
FORCED_ATTRIBUTE_VALUES = {"input": {"type": "checkbox", "disabled": "disabled"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener nofollow"


def _alignment_as_attribute(state: StateCore) -> None:
    # markdown-it writes table alignment as `style="text-align:…"`, but `style` is refused by the
    # sanitiser (it allows overlays and fake UI), so carry the alignment as `align` instead.
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrGet("style")
            if style and style.startswith("text-align:"):
                token.attrs.pop("style")
                token.attrSet("align", style.removeprefix("text-align:"))


def _image_as_link(renderer, tokens, idx, options, env):
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    text = renderer.renderInlineAsText(token.children or [], options, env) or src
    if not src:
        return escapeHtml(text)
    title = token.attrGet("title")
    title_attr = f' title="{escapeHtml(str(title))}"' if title else ""
    return f'<a href="{escapeHtml(src)}"{title_attr}>{escapeHtml(text)}</a>'


def _build_parser() -> MarkdownIt:
    # "js-default" keeps raw HTML off; the default MarkdownIt() preset would pass <script> through.
    parser = (
        MarkdownIt("js-default", {"html": False, "linkify": True})
        .enable(["table", "strikethrough", "linkify"])
        .use(tasklists_plugin)
    )
    parser.core.ruler.push("alignment_as_attribute", _alignment_as_attribute)
    parser.add_render_rule("image", _image_as_link)
    return parser


# Built once: configuration is done here, and render() keeps its state per call, so threads and
# greenlets can share both objects.
_parser = _build_parser()
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
    set_tag_attribute_values=FORCED_ATTRIBUTE_VALUES,
    url_schemes=URL_SCHEMES,
    link_rel=LINK_REL,
    strip_comments=True,
)


def render(text: str | None) -> Markup:
    """Render a member's Markdown as sanitised HTML, safe to insert in any page."""
    if not text:
        return Markup("")
    return _rendered(str(text))


@lru_cache(maxsize=4096)
def _rendered(text: str) -> Markup:
    # A pure function of the text (no locale, no request): the register, the minutes and the
    # feeds render the same statements again and again.
    return Markup(_cleaner.clean(_parser.render(text)))


def install(app) -> None:
    """Register the `markdown` Jinja filter so templates render Markdown through this module."""
    app.add_template_filter(render, "markdown")
