"""Markdown written by staff, turned into HTML that is safe to put in a page.

markdown-it-py renders (raw HTML in the source is escaped, not passed through), then nh3
keeps only an allow-list of tags and attributes and only http(s)/mailto links, so a
`<script>`, an event attribute or a `javascript:` link can never reach a customer.

Articles (`render_article`) also get a table of contents: their h2 and h3 headings are given
stable, unique ids made from their text, with a prefix of their own so they can never
clash with the page's ids. Those exact ids, and only on those headings, are let through
the sanitiser; every other `id` is removed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
    "code", "pre", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
_URL_SCHEMES = {"http", "https", "mailto"}
_LINK_REL = "nofollow noopener noreferrer"

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

# Headings in the table of contents, and the prefix of their ids.
TOC_LEVELS = ("h2", "h3")
ANCHOR_PREFIX = "sec-"
MAX_SLUG_LENGTH = 60


def sanitise_html(html: str, heading_ids: Iterable[str] = ()) -> str:
    """Keep the allowed tags and attributes; `heading_ids` are the only ids let through."""
    ids = set(heading_ids)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        # An id passes only on a TOC heading and only with a value this module made.
        tag_attribute_values={tag: {"id": ids} for tag in TOC_LEVELS} if ids else None,
        url_schemes=_URL_SCHEMES,
        link_rel=_LINK_REL,
    )


@lru_cache(maxsize=2048)
def render_markdown(source: str) -> Markup:
    """Sanitised HTML for a Markdown text (cached: product texts change rarely)."""
    html = _markdown.render(source or "")
    return Markup(sanitise_html(html))  # sanitised just above


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Wat is neurogenese?" → "wat-is-neurogenese".

    Accents are dropped ("Pruikzwam é" → "pruikzwam-e"); a text with no letters or digits
    left gives "".
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = "-".join(words)[:MAX_SLUG_LENGTH]
    return slug.strip("-")


def unique_anchors(titles: Iterable[str]) -> list[str]:
    """An id for each heading, in order: prefixed, made from its text, never repeated.

    A repeated title gets "-2", "-3", …; a title with nothing to slug becomes "section".
    """
    taken: set[str] = set()
    anchors = []
    for title in titles:
        base = ANCHOR_PREFIX + (slugify(title) or "section")
        anchor, number = base, 1
        while anchor in taken:
            number += 1
            anchor = f"{base}-{number}"
        taken.add(anchor)
        anchors.append(anchor)
    return anchors


@dataclass(frozen=True)
class TocEntry:
    level: int  # 2 or 3
    title: str  # plain text, escaped when shown
    anchor: str  # the heading's id, without "#"


@dataclass(frozen=True)
class RenderedArticle:
    html: Markup
    toc: tuple[TocEntry, ...]


def _plain_text(inline: Token) -> str:
    # The words a reader sees: text and code spans, not the Markdown around them.
    parts = [
        child.content
        for child in inline.children or []
        if child.type in {"text", "code_inline", "softbreak"}
    ]
    return " ".join("".join(parts).split())


@lru_cache(maxsize=256)
def render_article(source: str) -> RenderedArticle:
    """Sanitised HTML for an article's body and its table of contents (h2 and h3)."""
    tokens = _markdown.parse(source or "")
    for token in tokens:
        # The page's title is its only h1: a "# heading" in the body becomes an h2.
        if token.type in {"heading_open", "heading_close"} and token.tag == "h1":
            token.tag = "h2"
    headings = [
        (index, token)
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag in TOC_LEVELS
    ]
    titles = [_plain_text(tokens[index + 1]) for index, _ in headings]
    anchors = unique_anchors(titles)
    toc = []
    for (_, token), title, anchor in zip(headings, titles, anchors, strict=True):
        token.attrSet("id", anchor)
        toc.append(TocEntry(level=int(token.tag[1]), title=title, anchor=anchor))
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return RenderedArticle(html=Markup(sanitise_html(html, anchors)), toc=tuple(toc))


_WORD = re.compile(r"\w+(?:['’-]\w+)*")


def count_words(text: str) -> int:
    """The words in a text ("don't" and "well-known" count once)."""
    return len(_WORD.findall(text or ""))
