"""Search with SQL and full-text operator characters, and Markdown meant to run script: the
search answers a normal page and still finds, the product page renders the text harmless.
On both databases (FTS5 and tsquery have different operators; both must see plain words).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shop.services.search import search_terms
from tests.helpers import make_product
from tests.integration.test_search import catalogue, found  # noqa: F401 (a fixture)
from tests.pages import Page
from tests.peers import IN_CI

OPERATOR_QUERIES = [
    "' OR 1=1 --",
    '"',
    '"golden',
    "*",
    "golden*",
    "NEAR(",
    "NEAR(golden mexicana)",
    "AND",
    "golden AND",
    "-x",
    "-golden",
    ":",
    "name_en:golden",
    "^",
    "^golden",
    "(",
    "golden)",
    "&|!",
    "golden & | !",
    "\\",
    "golden\\",
    "'",
    "!!",
    "<->",
    "golden <-> teacher",
    "a:*",
    "{",
    "golden:*A",
    "%",
    "_",
    "; SELECT 1;",
]

OPERATOR_CHARACTERS = "'\"*()^:-&|!\\<>{}[]%_;~+=@#$,.?/"


def results_page(client, query: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get("/search?" + urlencode({"q": query}))
    assert response.status_code == 200, (query, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("query", OPERATOR_QUERIES)
def test_operator_characters_answer_a_normal_results_page(verified_client, catalogue, query):  # noqa: F811
    html = results_page(verified_client, query)

    assert "<h1" in html
    assert "Something went wrong" not in html


@pytest.mark.parametrize("query", OPERATOR_QUERIES)
def test_a_normal_query_still_finds_its_product_after_hostile_ones(
    verified_client,
    catalogue,  # noqa: F811
    query,
):
    results_page(verified_client, query)

    assert found(verified_client, "mexicana") == ["Mexicana truffles"]
    if not search_terms(query):  # only operators: they must not change what a word finds
        assert found(verified_client, f"mexicana {query}") == ["Mexicana truffles"]
        assert found(verified_client, f"{query}mexicana{query}") == ["Mexicana truffles"]


@settings(
    max_examples=60,
    derandomize=IN_CI,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    noise=st.text(alphabet=st.sampled_from(OPERATOR_CHARACTERS + " "), max_size=30),
    before=st.booleans(),
)
def test_operator_noise_around_a_word_never_hides_the_product(
    verified_client,
    catalogue,  # noqa: F811
    noise,
    before,
):
    query = f"{noise} mexicana" if before else f"mexicana {noise}"

    assert found(verified_client, query) == ["Mexicana truffles"]


# --- Markdown in a product description --------------------------------------------------------


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcset", "poster"}


@dataclass(frozen=True)
class LiveParts:
    """Everything in a piece of a page that a browser could run or load from the text."""

    tags: list[str]
    event_attributes: list[str]
    urls: list[str]
    styles: list[str]

    @classmethod
    def of(cls, html: str) -> LiveParts:
        elements = Page(html).select("*")
        return cls(
            tags=[e.name for e in elements],
            event_attributes=[
                f"{e.name} {name}={e[name]!r}"
                for e in elements
                for name in e.attrs
                if name.startswith("on")
            ],
            urls=[
                str(e[name]).strip().lower()
                for e in elements
                for name in e.attrs
                if name in URL_ATTRIBUTES
            ],
            styles=[str(e["style"]) for e in elements if e.has_attr("style")],
        )


HOSTILE_MARKDOWN = [
    "<script>alert('script')</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<iframe src="https://evil.example/"></iframe>',
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "[click](javascript:alert('link'))",
    "[click](  JaVaScRiPt:alert(1))",
    "[click](java&#115;cript:alert(1))",
    "[click](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<p onclick="alert(1)">x</p>',
    '<div onmouseover="alert(1)">hover</div>',
    "<img src=x onerror=alert('img')>",
    '![pic](x" onerror="alert(1))',
    "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    '<form action="https://evil.example/"><button formaction="javascript:alert(1)">x</button>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href='https://evil.example/'>",
    '<a href="https://ok.example/" style="position:fixed">styled</a>',
]

DANGEROUS_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "img",
    "form",
    "button",
    "style",
    "meta",
    "base",
    "link",
}


def description_parts(client, session, markdown: str) -> tuple[LiveParts, str]:  # type: ignore[no-untyped-def]
    product = make_product(
        session, "Harmless truffles", description_md_en=f"Intro.\n\n{markdown}\n\nOutro."
    )
    response = client.get(f"/products/{product.slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    start, end = html.index("Intro."), html.index("Outro.")
    return LiveParts.of(html[start:end]), html


@pytest.mark.parametrize("markdown", HOSTILE_MARKDOWN)
def test_markdown_in_a_description_is_rendered_harmless(verified_client, session, markdown):
    parts, _html = description_parts(verified_client, session, markdown)

    assert not set(parts.tags) & DANGEROUS_TAGS, parts.tags
    assert parts.event_attributes == []
    for url in parts.urls:
        assert url.startswith(("http://", "https://", "mailto:")), url
    assert parts.styles == []


def test_the_page_keeps_a_safe_link_and_shows_the_rest_as_text(verified_client, session):
    markdown = "[Guide](https://example.org/guide) <script>alert(1)</script>"

    parts, html = description_parts(verified_client, session, markdown)

    assert parts.urls == ["https://example.org/guide"]
    assert "&lt;script&gt;" in html  # shown as text, not run
