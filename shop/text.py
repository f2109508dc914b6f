"""Markdown written by staff, turned into HTML that is safe to put in a page.

markdown-it-py renders (raw HTML in the source is escaped, not passed through), then nh3
keeps only an allow-list of tags and attributes and only http(s)/mailto links, so a
`<script>`, an event attribute or a `javascript:` link can never reach a customer.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
    "code", "pre", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


@lru_cache(maxsize=2048)
def render_markdown(source: str) -> Markup:
    """Sanitised HTML for a Markdown text (cached: product texts change rarely)."""
    html = _markdown.render(source or "")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)  # sanitised just above
