"""Articles in the back office: writing both languages, relating products, the publication
date in Amsterdam time, the publishing rule, preview and the audit log."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from shop import clock
from shop.models import Article, ArticleStatus, AuditEntry, Role
from tests.admin_support import admin_csrf, signed_in
from tests.helpers import make_product
from tests.pages import Page

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
NEW = "/admin/articles/new"


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen_at(NOW):
        yield


def form(client: Any, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "csrf_token": admin_csrf(client),
        "title_en": "Lion's Mane explained",
        "title_nl": "Pruikzwam uitgelegd",
        "slug": "",
        "summary_en": "What we know.",
        "summary_nl": "Wat we weten.",
        "body_md_en": "## What is it?\r\n\r\nA mushroom.",
        "body_md_nl": "## Wat is het?\r\n\r\nEen paddenstoel.",
        "disclaimer_en": "Not medical advice.",
        "disclaimer_nl": "Geen medisch advies.",
        "published_at": "",
        "publish": "yes",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def text_of(response) -> str:
    return Page.of(response).text


def test_a_manager_writes_and_publishes_an_article_with_related_products(client, session):
    member = signed_in(client, session, Role.MANAGER)
    capsules = make_product(session, "Lion's Mane capsules", slug="capsules")
    powder = make_product(session, "Lion's Mane powder", slug="powder")

    response = client.post(NEW, data=form(client, related=[powder.slug, capsules.slug]))

    assert response.status_code == 303
    article = session.scalars(select(Article)).one()
    assert article.slug == "lion-s-mane-explained"
    assert article.status == ArticleStatus.PUBLISHED
    assert article.published_at == NOW
    assert article.body_md_en == "## What is it?\n\nA mushroom."
    assert [link.product.slug for link in article.related] == ["powder", "capsules"]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "Article")).one()
    assert (entry.action, entry.staff_id) == ("create", member.id)
    assert json.loads(entry.changes)["related"] == [None, ["powder", "capsules"]]
    assert "Saved. The article is published." in text_of(client.get(response.headers["Location"]))


def test_publishing_without_the_dutch_disclaimer_is_refused_on_the_form_and_nothing_is_saved(
    client, session
):
    signed_in(client, session, Role.MANAGER)

    response = client.post(NEW, data=form(client, disclaimer_nl="  "))

    assert response.status_code == 422
    assert "cannot be published without the disclaimer in Dutch" in text_of(response)
    assert "Nothing was saved" in text_of(response)
    assert session.scalar(select(func.count()).select_from(Article)) == 0
    assert session.scalar(select(AuditEntry).where(AuditEntry.object_type == "Article")) is None


def test_a_draft_may_be_saved_without_a_disclaimer_and_cannot_be_published_later(client, session):
    signed_in(client, session, Role.MANAGER)
    saved = client.post(NEW, data=form(client, disclaimer_en="", publish=None))
    article = session.scalars(select(Article)).one()
    assert saved.status_code == 303 and article.status == ArticleStatus.DRAFT

    page = client.get(f"/admin/articles/{article.id}")
    refused = client.post(
        f"/admin/articles/{article.id}/publish", data={"csrf_token": admin_csrf(client)}
    )

    assert "Missing: the disclaimer in English" in text_of(page)
    assert refused.status_code == 422
    assert "cannot be published without the disclaimer in English" in text_of(refused)
    session.refresh(article)
    assert article.status == ArticleStatus.DRAFT


def test_publish_and_unpublish_buttons_change_the_status_and_are_audited(client, session):
    signed_in(client, session, Role.MANAGER)
    client.post(NEW, data=form(client, publish=None))
    article = session.scalars(select(Article)).one()

    client.post(f"/admin/articles/{article.id}/publish", data={"csrf_token": admin_csrf(client)})
    session.refresh(article)
    assert article.status == ArticleStatus.PUBLISHED
    client.post(f"/admin/articles/{article.id}/unpublish", data={"csrf_token": admin_csrf(client)})
    session.refresh(article)
    assert article.status == ArticleStatus.DRAFT

    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "Article").order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "publish", "unpublish"]


def test_the_publication_time_is_typed_in_amsterdam_time_and_stored_in_utc(client, session):
    signed_in(client, session, Role.MANAGER)

    client.post(NEW, data=form(client, published_at="2026-07-01T14:30"))

    article = session.scalars(select(Article)).one()
    assert article.published_at == datetime(2026, 7, 1, 12, 30, tzinfo=UTC)  # CEST, UTC+2
    page = client.get(f"/admin/articles/{article.id}").get_data(as_text=True)
    assert 'value="2026-07-01T14:30"' in page
    assert "Scheduled" in text_of(client.get("/admin/articles"))


@pytest.mark.parametrize("typed", ["2026-03-29T02:30", "yesterday", "2026-02-30T10:00"])
def test_a_time_that_does_not_exist_in_amsterdam_is_refused(client, session, typed):
    signed_in(client, session, Role.MANAGER)

    response = client.post(NEW, data=form(client, published_at=typed))

    assert response.status_code == 422
    assert "exists in the shop's time zone" in text_of(response)
    assert session.scalar(select(func.count()).select_from(Article)) == 0


def test_only_products_in_the_shop_can_be_related(client, session):
    signed_in(client, session, Role.MANAGER)
    draft_product = make_product(session, "Unpublished kit", slug="unpublished", publish=False)

    page = client.get(NEW)
    response = client.post(NEW, data=form(client, related=[draft_product.slug]))

    assert "Unpublished kit" not in text_of(page)
    assert response.status_code == 422
    assert "Not a product in the shop: unpublished" in text_of(response)
    assert session.scalar(select(func.count()).select_from(Article)) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title_en": "", "title_nl": "", "slug": "x"}, "Please give the article a title"),
        ({"slug": "Not A Slug!"}, "Use only lower-case letters"),
        ({"summary_en": "x" * 501}, "Please use at most 500 characters."),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field(client, session, changes, message):
    signed_in(client, session, Role.MANAGER)

    response = client.post(NEW, data=form(client, **changes))

    assert response.status_code == 422
    assert message in text_of(response)


def test_a_slug_in_use_is_refused(client, session):
    signed_in(client, session, Role.MANAGER)
    client.post(NEW, data=form(client, slug="lions-mane"))

    response = client.post(NEW, data=form(client, slug="lions-mane"))

    assert response.status_code == 422
    assert "Another article has this slug already." in text_of(response)


def test_editing_keeps_what_was_not_changed_and_records_the_change(client, session):
    signed_in(client, session, Role.MANAGER)
    make_product(session, "Capsules", slug="capsules")
    client.post(NEW, data=form(client, slug="lions-mane", related=["capsules"]))
    article = session.scalars(select(Article)).one()

    response = client.post(
        f"/admin/articles/{article.id}",
        data=form(client, slug="lions-mane", title_nl="Pruikzwam", related=["capsules"]),
    )

    assert response.status_code == 303
    session.refresh(article)
    assert article.title_nl == "Pruikzwam"
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "Article").order_by(AuditEntry.id.desc())
    ).first()
    assert entry.action == "update"
    assert set(json.loads(entry.changes)) == {"title_nl"}


def test_the_preview_renders_the_text_sanitised_and_saves_nothing(client, session):
    signed_in(client, session, Role.MANAGER)

    response = client.post(
        NEW,
        data=form(client, action="preview", body_md_en="## Heading\n\n<script>alert(1)</script>"),
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<h2 id="sec-heading">Heading</h2>' in html
    assert "<script>alert(1)</script>" not in html
    assert session.scalar(select(func.count()).select_from(Article)) == 0


def test_a_viewer_sees_the_articles_but_cannot_change_them(client, session):
    signed_in(client, session, Role.VIEWER)

    listing = client.get("/admin/articles")
    refused = client.post(NEW, data=form(client))

    assert listing.status_code == 200
    assert "New article" not in text_of(listing)
    assert refused.status_code == 403


def test_the_back_office_navigation_links_to_the_articles(client, session):
    signed_in(client, session, Role.VIEWER)

    html = client.get("/admin/").get_data(as_text=True)

    assert 'href="/admin/articles"' in html


def test_an_unknown_article_is_404(client, session):
    signed_in(client, session, Role.MANAGER)

    assert client.get("/admin/articles/999").status_code == 404
    token = admin_csrf(client)
    assert client.post("/admin/articles/999/publish", data={"csrf_token": token}).status_code == 404
