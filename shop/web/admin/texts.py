"""What the back office's forms for staff-written Markdown share (articles, information
pages): the refusals of the service put back on their fields, and the preview of each
language's text as readers will see it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from shop.text import render_article
from shop.web.forms import ShopForm
from shop.web.wording import refusal_text

LANGUAGES = ("en", "nl")


class MarkdownForm(ShopForm):
    """A form with a `body_md_<language>` text per language."""

    def refused(self, invalid: Any) -> None:
        """Add the service's refusals (`invalid.errors`, by field), in words, to the fields."""
        errors: Mapping[str, Any] = invalid.errors
        for name, error in errors.items():
            self[name].errors = [*self[name].errors, refusal_text(error)]

    def previews(self) -> dict[str, Markup]:
        """Each language's text rendered as readers will see it."""
        return {
            language: render_article(self[f"body_md_{language}"].data or "").html
            for language in LANGUAGES
        }
