"""Reading pages as a visitor sees them: BeautifulSoup with CSS selectors, for every test
that looks into HTML (instead of a hand-made HTMLParser per test module).

    page = Page.of(client.get("/cart"))
    page.one("h1").text            # exactly one, or the test fails saying how many
    page.texts(".cart-line .name") # every match's visible text
    page.form("form.checkout")     # the values a browser would send, hidden ones included
"""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, Tag


def words(text: str) -> str:
    """Text as a reader sees it: runs of white space as one space."""
    return " ".join(text.split())


class Page:
    """One HTML page."""

    def __init__(self, html: str) -> None:
        self.html = html
        self.soup = BeautifulSoup(html, "html.parser")

    @classmethod
    def of(cls, response: Any) -> Page:
        """The page a test client's (or requests') response carries."""
        body = response.get_data(as_text=True) if hasattr(response, "get_data") else response.text
        return cls(body)

    @property
    def text(self) -> str:
        """The visible text of the body (scripts and styles left out), as one line."""
        body = self.soup.body or self.soup
        for hidden in body.find_all(["script", "style", "template"]):
            hidden.extract()
        return words(body.get_text(" "))

    def select(self, css: str) -> list[Tag]:
        return list(self.soup.select(css))

    def one(self, css: str) -> Tag:
        found = self.select(css)
        assert len(found) == 1, f"{len(found)} elements match {css!r}, not one"
        return found[0]

    def texts(self, css: str) -> list[str]:
        return [words(tag.get_text(" ")) for tag in self.select(css)]

    def attributes(self, css: str, name: str) -> list[str]:
        return [str(tag.get(name, "")) for tag in self.select(css)]

    def form(self, css: str = "form") -> dict[str, str]:
        """What the form would send as it stands: inputs (checked boxes only), selects'
        chosen options and textareas; the last of repeated names."""
        form = self.one(css)
        values: dict[str, str] = {}
        for control in form.select("input[name], select[name], textarea[name]"):
            name = str(control["name"])
            if control.name == "select":
                chosen = control.select_one("option[selected]") or control.select_one("option")
                values[name] = str(chosen.get("value", chosen.get_text())) if chosen else ""
            elif control.name == "textarea":
                # As browsers do, one line break right after <textarea> is not the text's.
                values[name] = control.get_text().removeprefix("\r").removeprefix("\n")
            elif control.get("type") in {"checkbox", "radio"}:
                if control.has_attr("checked"):
                    values[name] = str(control.get("value", "on"))
            else:
                values[name] = str(control.get("value", ""))
        return values

    @property
    def csrf_token(self) -> str:
        tokens = self.attributes('input[name="csrf_token"]', "value")
        assert tokens, "no CSRF token in the page"
        return tokens[0]
