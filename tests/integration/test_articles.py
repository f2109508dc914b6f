"""The knowledge base as readers see it, and the publishing rule in the service and the database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from itertools import count
from typing import Any
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from shop import clock
from shop.models import Article, ArticleStatus, AuditEntry
from shop.services.articles import (
    ArticleDraft,
    ArticleNotPublishable,
    ArticleRefusal,
    InvalidArticle,
    PublishingNeed,
    save_article,
    set_published,
)
from shop.web.articles import PAGE_SIZE
from tests.helpers import make_product
from tests.integration.test_query_counts import counting_queries
from tests.pages import Page

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
_serial = count(1)

DISCLAIMER_EN = "General information, not medical advice."
DISCLAIMER_NL = "Algemene informatie, geen medisch advies."


def make_article(
    session: Any,
    title: str = "What research shows",
    *,
    publish: bool = True,
    published_at: datetime | None = None,
    related: list[str] | None = None,
    **overrides: Any,
) -> Article:
    """An article written by staff through the service, published by default."""
    number = next(_serial)
    draft = ArticleDraft(
        slug=overrides.pop("slug", f"article-{number}"),
        title_en=title,
        title_nl=overrides.pop("title_nl", f"{title} (nl)"),
        summary_en=overrides.pop("summary_en", f"Summary of {title}"),
        body_md_en=overrides.pop("body_md_en", "## Introduction\n\nSome words to read."),
        disclaimer_en=overrides.pop("disclaimer_en", DISCLAIMER_EN),
        disclaimer_nl=overrides.pop("disclaimer_nl", DISCLAIMER_NL),
        published_at=published_at or NOW - timedelta(days=number),
        related_slugs=related or [],
        **overrides,
    )
    return save_article(session, None, draft, publish=publish, actor=None, now=NOW).article


def page_text(response) -> str:
    return Page.of(response).text


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen_at(NOW):
        yield


# --- the list ---------------------------------------------------------------------------


def test_the_list_shows_published_articles_newest_first_with_date_and_reading_time(
    session, verified_client
):
    make_article(session, "Older article", published_at=datetime(2026, 2, 2, 9, tzinfo=UTC))
    make_article(
        session,
        "Newer article",
        published_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
        body_md_en="word " * 401,
    )

    response = verified_client.get("/articles")

    assert response.status_code == 200
    shown = page_text(response)
    assert shown.index("Newer article") < shown.index("Older article")
    assert "1 March 2026" in shown and "2 February 2026" in shown
    assert "Reading time: 3 minutes" in shown  # 401 words at 200 a minute, rounded up
    assert "Reading time: 1 minute" in shown
    assert "Summary of Newer article" in shown


def test_drafts_and_articles_published_in_the_future_are_not_listed(session, verified_client):
    make_article(session, "Visible article")
    make_article(session, "Draft article", publish=False)
    make_article(session, "Scheduled article", published_at=NOW + timedelta(minutes=1))

    shown = page_text(verified_client.get("/articles"))

    assert "Visible article" in shown
    assert "Draft article" not in shown
    assert "Scheduled article" not in shown


def test_a_scheduled_article_appears_at_its_time(session, verified_client):
    article = make_article(session, "Scheduled article", published_at=NOW + timedelta(hours=1))
    assert verified_client.get(f"/articles/{article.slug}").status_code == 404

    with clock.frozen_at(NOW + timedelta(hours=1)):
        response = verified_client.get(f"/articles/{article.slug}")

    assert response.status_code == 200


def test_the_list_is_paginated(session, verified_client):
    for n in range(PAGE_SIZE + 2):
        make_article(session, f"Article number {n:02d}", published_at=NOW - timedelta(hours=n))

    first = page_text(verified_client.get("/articles"))
    second = page_text(verified_client.get("/articles?page=2"))

    assert "Article number 00" in first and f"Article number {PAGE_SIZE - 1:02d}" in first
    assert f"Article number {PAGE_SIZE:02d}" not in first
    assert (
        f"Article number {PAGE_SIZE:02d}" in second
        and f"Article number {PAGE_SIZE + 1:02d}" in second
    )
    assert "Page 2 of 2" in second
    assert verified_client.get("/articles?page=3").status_code == 404
    assert verified_client.get("/articles?page=abc").status_code == 200


def test_an_empty_knowledge_base_says_so(verified_client):
    response = verified_client.get("/articles")

    assert response.status_code == 200
    assert "No articles yet." in page_text(response)


def test_the_navigation_links_to_the_articles(verified_client):
    html = verified_client.get("/").get_data(as_text=True)

    assert 'href="/articles"' in html


# --- one article -------------------------------------------------------------------------


def test_the_article_page_shows_disclaimer_before_body_contents_and_related_products(
    session, verified_client
):
    truffles = make_product(session, "Mexicana truffles", price_cents=1250, slug="mexicana")
    kit = make_product(session, "Microdosing kit", price_cents=3995, slug="kit")
    article = make_article(
        session,
        "Neurogenesis explained",
        body_md_en="## What is it?\n\nText.\n\n### In animals\n\nMore.\n\n## What is it?\n\nAgain.",
        related=[kit.slug, truffles.slug],
        published_at=datetime(2026, 3, 9, 8, tzinfo=UTC),
    )

    response = verified_client.get(f"/articles/{article.slug}")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = page_text(response)
    assert "<h1>Neurogenesis explained</h1>" in html
    assert "9 March 2026" in shown
    assert "Reading time: 1 minute" in shown
    assert shown.index(DISCLAIMER_EN) < shown.index("Text.")
    assert 'class="article-disclaimer"' in html
    # The contents link to the headings, whose ids are unique.
    assert '<a href="#sec-what-is-it">What is it?</a>' in html
    assert '<a href="#sec-in-animals">In animals</a>' in html
    assert '<a href="#sec-what-is-it-2">What is it?</a>' in html
    assert '<h2 id="sec-what-is-it">' in html and '<h2 id="sec-what-is-it-2">' in html
    assert '<h3 id="sec-in-animals">' in html
    # Related products in the staff's order, with their price.
    assert shown.index("Microdosing kit") < shown.index("Mexicana truffles")
    assert "Microdosing kit €39.95" in shown
    assert "Mexicana truffles €12.50" in shown


def test_a_related_product_taken_out_of_the_shop_is_not_shown(session, verified_client):
    from shop.services.products import unpublish_product

    kept = make_product(session, "Lion's Mane capsules", slug="capsules")
    withdrawn = make_product(session, "Withdrawn powder", slug="powder")
    article = make_article(session, related=[kept.slug, withdrawn.slug])
    unpublish_product(session, withdrawn.id, now=NOW)

    shown = page_text(verified_client.get(f"/articles/{article.slug}"))

    assert "Lion's Mane capsules" in shown
    assert "Withdrawn powder" not in shown


def test_share_links_are_plain_urls_without_third_party_scripts(session, verified_client):
    article = make_article(session, "Lion's Mane & you", slug="lions-mane")

    html = verified_client.get(f"/articles/{article.slug}").get_data(as_text=True)

    hrefs = [unescape(h) for h in re.findall(r'<a href="([^"]+)"', html)]
    address = "http%3A%2F%2F127.0.0.1%3A5000%2Farticles%2Flions-mane"
    assert f"mailto:?subject=Lion%27s%20Mane%20%26%20you&body={address}" in hrefs
    assert any(h.startswith("https://wa.me/?text=") and address in h for h in hrefs)
    assert any(h.startswith("https://x.com/intent/tweet?") and address in h for h in hrefs)
    assert f"https://www.facebook.com/sharer/sharer.php?u={address}" in hrefs
    assert "<script" not in html
    assert "<iframe" not in html
    for tag in re.findall(r"<(?:img|link)[^>]+>", html):
        if 'rel="canonical"' in tag:
            continue  # the page's own public address, named, not loaded
        source = re.search(r'(?:src|href)="([^"]+)"', tag).group(1)
        assert not urlsplit(source).netloc, source  # nothing loaded from another site


@pytest.mark.parametrize("path", ["/articles/no-such-article", "/articles/ARTICLE-1"])
def test_an_unknown_slug_is_404(session, verified_client, path):
    make_article(session, slug="article-one")

    assert verified_client.get(path).status_code == 404


def test_a_draft_is_404_for_readers(session, verified_client):
    article = make_article(session, publish=False)

    assert verified_client.get(f"/articles/{article.slug}").status_code == 404


@pytest.mark.parametrize("path", ["/articles", "/articles/some-article"])
def test_articles_are_behind_the_age_gate(session, client, path):
    make_article(session, slug="some-article")

    response = client.get(path)

    assert response.status_code in {302, 303}
    assert urlsplit(response.headers["Location"]).path == "/age-gate"


# --- harmful Markdown ---------------------------------------------------------------------

HOSTILE_BODY = """
## Safe heading

<script>alert('script')</script>

<iframe src="https://evil.example/"></iframe>

[click me](javascript:alert('link'))

<a href="#" onclick="alert('click')">a link</a>

<img src=x onerror=alert('img')>

<h2 id="main" onmouseover="alert('heading')">Injected heading</h2>

[fine link](https://example.org/)
"""


def test_a_hostile_body_comes_out_harmless(session, verified_client):
    article = make_article(session, body_md_en=HOSTILE_BODY)

    html = verified_client.get(f"/articles/{article.slug}").get_data(as_text=True)
    body = html.split('class="article-body prose">', 1)[1].split("</div>", 1)[0]

    assert "<script" not in body and "<iframe" not in body and "<img" not in body
    assert 'href="javascript:' not in body
    assert not re.search(r"<[^>]+\son\w+=", body)
    assert not re.search(r"<h2[^>]*id=\"main\"", body)  # shown as text, not a heading
    assert '<a href="https://example.org/" rel="nofollow noopener noreferrer">fine link</a>' in body
    assert '<h2 id="sec-safe-heading">Safe heading</h2>' in body
    assert "<script" not in html.split("<body", 1)[1]


# --- languages ----------------------------------------------------------------------------


def test_dutch_readers_see_the_dutch_title_and_disclaimer(session, verified_client):
    article = make_article(
        session,
        "Lion's Mane",
        title_nl="Pruikzwam",
        summary_nl="Over de pruikzwam",
        body_md_nl="## Wat is het?\n\nTekst.",
        published_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    )
    with verified_client.session_transaction() as cookie:
        cookie["locale"] = "nl"

    shown = page_text(verified_client.get(f"/articles/{article.slug}"))
    listed = page_text(verified_client.get("/articles"))

    assert "Pruikzwam" in shown and "Lion's Mane" not in shown
    assert DISCLAIMER_NL in shown and DISCLAIMER_EN not in shown
    assert "Wat is het?" in shown
    assert "2 maart 2026" in shown
    assert "Pruikzwam" in listed and "Over de pruikzwam" in listed


def test_a_missing_dutch_title_falls_back_to_english(session, verified_client):
    article = make_article(session, "Only in English", title_nl="")

    shown = page_text(
        verified_client.get(f"/articles/{article.slug}", headers={"Accept-Language": "nl"})
    )

    assert "Only in English" in shown
    assert DISCLAIMER_NL in shown


# --- the publishing rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "need"),
    [
        ("disclaimer_en", PublishingNeed.DISCLAIMER_EN),
        ("disclaimer_nl", PublishingNeed.DISCLAIMER_NL),
    ],
)
def test_the_service_refuses_to_publish_without_both_disclaimers(session, missing, need):
    with pytest.raises(ArticleNotPublishable) as refused:
        make_article(session, slug="no-disclaimer", **{missing: "  "})

    assert refused.value.reason == ArticleRefusal.SAVED_UNPUBLISHABLE
    assert refused.value.missing == (need,)
    assert session.scalar(select(Article).where(Article.slug == "no-disclaimer")) is None


def test_a_draft_may_lack_a_disclaimer_but_cannot_be_published(session):
    draft = make_article(session, publish=False, disclaimer_nl="")

    with pytest.raises(ArticleNotPublishable):
        set_published(session, draft.id, True, actor=None, now=NOW)

    assert session.get(Article, draft.id).status == ArticleStatus.DRAFT


def test_an_article_needs_a_title_in_a_language(session):
    with pytest.raises(InvalidArticle) as refused:
        make_article(session, "", title_nl="", publish=False)

    assert refused.value.errors["title_en"].reason == ArticleRefusal.TITLE_MISSING


def test_publishing_and_unpublishing_are_audited(session):
    article = make_article(session, publish=False)

    set_published(session, article.id, True, actor=None, now=NOW)
    set_published(session, article.id, False, actor=None, now=NOW)

    actions = session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "Article", AuditEntry.object_id == str(article.id))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "publish", "unpublish"]


@pytest.mark.parametrize("column", ["disclaimer_en", "disclaimer_nl"])
def test_the_database_refuses_a_published_article_without_a_disclaimer(session, column):
    article = make_article(session, publish=False, **{column: ""})

    with pytest.raises(IntegrityError):
        session.execute(
            text("UPDATE articles SET status = 'published', published_at = :at WHERE id = :id"),
            {"at": NOW, "id": article.id},
        )
        session.flush()
    session.rollback()


def test_the_database_refuses_to_empty_the_disclaimer_of_a_published_article(session):
    article = make_article(session)

    with pytest.raises(IntegrityError):
        session.execute(update(Article).where(Article.id == article.id).values(disclaimer_nl=""))
    session.rollback()


def test_the_database_refuses_an_article_without_any_title(session):
    article = make_article(session, publish=False)

    with pytest.raises(IntegrityError):
        session.execute(
            update(Article).where(Article.id == article.id).values(title_en="", title_nl="")
        )
    session.rollback()


# --- queries ------------------------------------------------------------------------------


def _queries(client, path: str) -> int:
    with counting_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


def test_the_article_page_uses_as_many_queries_with_many_related_products_as_with_one(
    session, verified_client
):
    products = [make_product(session, f"Product {n}", slug=f"p-{n}") for n in range(12)]
    one = make_article(session, slug="with-one", related=[products[0].slug])
    many = make_article(session, slug="with-many", related=[p.slug for p in products])

    few_queries = _queries(verified_client, f"/articles/{one.slug}")
    many_queries = _queries(verified_client, f"/articles/{many.slug}")

    assert few_queries == many_queries
    assert many_queries <= 4


def test_the_list_uses_as_many_queries_with_many_articles_as_with_one(session, verified_client):
    make_article(session, slug="the-first")
    one = _queries(verified_client, "/articles")
    for n in range(25):
        make_article(session, f"Article {n}")

    many = _queries(verified_client, "/articles")
    second_page = _queries(verified_client, "/articles?page=2")

    assert one == many == second_page
    assert many <= 4


def test_an_article_is_described_by_its_summary_to_search_engines_and_previews(
    session, verified_client
):
    article = make_article(session, "Lion's Mane", summary_en="What *Hericium* research shows.")

    html = verified_client.get(f"/articles/{article.slug}?utm_source=x").get_data(as_text=True)
    head = BeautifulSoup(html, "html.parser").head

    assert head.find("meta", attrs={"name": "description"})["content"] == (
        "What Hericium research shows."
    )
    assert head.find("meta", property="og:type")["content"] == "article"
    assert head.find("link", rel="canonical")["href"] == (
        f"http://127.0.0.1:5000/articles/{article.slug}"
    )
