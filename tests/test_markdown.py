"""What members see when their Markdown is rendered, and what an attacker cannot get through."""

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask import Flask, render_template_string
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.tasklists import tasklists_plugin

from meeting import markdown
from meeting.markdown import render

SAFE_TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote"}
SAFE_TAGS |= {"pre", "code", "em", "strong", "del", "s", "a", "table", "thead", "tbody", "tr"}
SAFE_TAGS |= {"th", "td", "input"}
SAFE_SCHEMES = {"", "http", "https", "mailto"}


class _Elements(HTMLParser):
    """Collect every start tag with its attributes, as a browser would parse them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html):
    parser = _Elements()
    parser.feed(str(html))
    parser.close()
    return parser.elements


def tags(html):
    return [tag for tag, _ in elements(html)]


def assert_safe(html):
    """Fail when the HTML could run script, load a frame or form, or restyle the page."""
    html = str(html)
    assert "<script" not in html.lower()
    for tag, attrs in elements(html):
        assert tag in SAFE_TAGS, f"unexpected <{tag}> in {html!r}"
        for name, value in attrs.items():
            assert not re.fullmatch(r"on\w+", name), f"event handler {name} in {html!r}"
            assert name != "style", f"style attribute in {html!r}"
            if name in ("href", "src", "action", "formaction"):
                # Browsers ignore whitespace and control characters inside a scheme.
                url = re.sub(r"[\x00-\x20]", "", value or "").lower()
                assert not url.startswith(("javascript:", "vbscript:", "data:")), html
                assert urlsplit(url).scheme in SAFE_SCHEMES, f"unsafe {name} in {html!r}"
        if tag == "input":
            assert attrs.get("type") == "checkbox" and "disabled" in attrs, html


# --- What members see --------------------------------------------------------------------------


def test_headings_emphasis_and_lists_render():
    html = render(
        "# Ordre du jour\n\n## Points divers\n\n*Important* et **urgent**\n\n"
        "- café\n- budget\n\n1. accueil\n2. vote\n\n> Citation\n\n`code`\n\n---"
    )

    assert "<h1>Ordre du jour</h1>" in html
    assert "<h2>Points divers</h2>" in html
    assert "<em>Important</em> et <strong>urgent</strong>" in html
    assert tags(html).count("li") == 4
    assert "ul" in tags(html) and "ol" in tags(html)
    assert {"blockquote", "code", "hr"} <= set(tags(html))


def test_table_renders_with_alignment():
    html = render("| Poste | Montant |\n|:------|--------:|\n| Café | 12 € |")

    cells = [(tag, attrs) for tag, attrs in elements(html) if tag in ("th", "td")]
    assert cells == [
        ("th", {"align": "left"}),
        ("th", {"align": "right"}),
        ("td", {"align": "left"}),
        ("td", {"align": "right"}),
    ]
    assert '<td align="right">12 €</td>' in html
    assert_safe(html)


def test_strikethrough_renders():
    html = render("Réunion ~~jeudi~~ vendredi")

    assert re.search(r"<(s|del)>jeudi</\1>", html)


def test_task_list_renders_read_only_checkboxes():
    html = render("- [ ] réserver la salle\n- [x] envoyer l'ordre du jour")

    boxes = [attrs for tag, attrs in elements(html) if tag == "input"]
    assert boxes == [
        {"disabled": "disabled", "type": "checkbox"},
        {"checked": "checked", "disabled": "disabled", "type": "checkbox"},
    ]
    assert "réserver la salle" in html and "[ ]" not in html and "[x]" not in html


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("Compte rendu : https://exemple.fr/cr?id=3", "https://exemple.fr/cr?id=3"),
        ("Voir www.le97.fr pour le plan", "http://www.le97.fr"),
        ("Écrire à bureau@le97.fr", "mailto:bureau@le97.fr"),
        ("[le site](https://le97.fr)", "https://le97.fr"),
    ],
)
def test_links_open_without_handing_over_the_page(text, href):
    links = [attrs for tag, attrs in elements(render(text)) if tag == "a"]

    assert links == [{"href": href, "rel": "noopener nofollow"}]


def test_french_text_survives_untouched():
    # No-break spaces (U+00A0, U+202F) carry French typography; they must not become plain spaces.
    text = (
        "«\u00a0Coût de l'été\u00a0»\u00a0: Noël, œuvre, à l’ordre du jour\u202f; 12\u00a0€\u202f!"
    )

    html = render(text)

    assert html.startswith("<p>«")
    assert unescape(html) == f"<p>{text}</p>\n"


def test_image_becomes_a_link_named_by_its_alt_text():
    html = render("![Plan de la salle](https://le97.fr/plan.png)")

    assert "img" not in tags(html)
    assert elements(html) == [
        ("p", {}),
        ("a", {"href": "https://le97.fr/plan.png", "rel": "noopener nofollow"}),
    ]
    assert ">Plan de la salle</a>" in html


def test_html_typed_by_a_member_is_shown_as_text():
    html = render("Tapez <b>gras</b> pour voir")

    assert "b" not in tags(html)
    assert "&lt;b&gt;gras&lt;/b&gt;" in html


@pytest.mark.parametrize("text", ["", None])
def test_empty_text_renders_nothing(text):
    html = render(text)

    assert html == "" and isinstance(html, Markup)


def test_jinja_filter_renders_markdown_and_keeps_it_safe():
    app = Flask(__name__)
    markdown.install(app)

    with app.app_context():
        html = render_template_string("{{ text|markdown }}", text="**oui** <script>x</script>")

    assert html == "<p><strong>oui</strong> &lt;script&gt;x&lt;/script&gt;</p>\n"


# --- What an attacker cannot get through -------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=40></svg>",
    "<body onload=alert(1)>",
    '<p onmouseover="alert(1)">survol</p>',
    "[clic](javascript:alert(1))",
    "[clic](<javascript:alert(1)>)",
    "<javascript:alert(1)>",
    "[clic](JaVaScRiPt:alert(1))",
    "<JaVaScRiPt:alert(1)>",
    "[clic](vbscript:msgbox(1))",
    "<vbscript:msgbox(1)>",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[clic](data:image/png;base64,iVBORw0KGgo=)",
    "![photo](data:image/png;base64,iVBORw0KGgo=)",
    "[clic](&#106;avascript:alert(1))",
    "[clic](&#x6A;&#x61;vascript&#58;alert(1))",
    "[clic][ref]\n\n[ref]: javascript:alert(1)",
    "Bare javascript:alert(1) link",
    "<!-- <script>alert(1)</script> -->",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<style>body { display: none }</style>",
    '<div style="position:fixed;inset:0;background:#fff">Réunion annulée</div>',
    "<a href=x onclick=alert(1)>clic</a>",
    "![x](javascript:alert(1))",
    '![x](https://exemple.fr/a.png"onerror="alert(1))',
    '<form action="https://evil.example"><button>Voter</button></form>',
    "<input autofocus onfocus=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    "- [ ] <input type=text onfocus=alert(1) autofocus>",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_is_neutralised(payload):
    assert_safe(render(payload))


@pytest.fixture
def raw_html_parser(monkeypatch):
    """Swap in a parser that passes raw HTML, to prove the sanitiser holds on its own."""
    parser = (
        MarkdownIt("commonmark", {"html": True, "linkify": True})
        .enable(["table", "strikethrough", "linkify"])
        .use(tasklists_plugin)
    )
    monkeypatch.setattr(markdown, "_parser", parser)
    return parser


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_is_neutralised_by_the_sanitiser_alone(raw_html_parser, payload):
    assert_safe(render(payload))


def test_raw_html_parser_really_lets_html_reach_the_sanitiser(raw_html_parser):
    # Without this, the test above could pass merely because the parser escaped everything.
    unsafe = raw_html_parser.render('<iframe src="x"></iframe>\n\n<p onclick="x()">y</p>')

    with pytest.raises(AssertionError):
        assert_safe(unsafe)


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" java\tscript:alert(1)">x</a>',
        '<a href="DATA:text/html,x">x</a>',
        '<a href="file:///etc/passwd">x</a>',
        '<p onclick="x()">x</p>',
        '<p style="position:fixed">x</p>',
        "<iframe></iframe>",
        "<form></form>",
        "<style></style>",
        "<img src=x>",
        "<input type=text>",
    ],
)
def test_safety_check_rejects_unsafe_html(html):
    with pytest.raises(AssertionError):
        assert_safe(html)
