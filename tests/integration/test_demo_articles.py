"""The demo shop comes with two published articles, in both languages, with their products."""

from __future__ import annotations

from markupsafe import escape
from sqlalchemy import func, select

from shop.demo_data import load_demo_data
from shop.models import Article, ArticleStatus

ARTICLES = load_demo_data().articles


def seed(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_demo_publishes_the_demo_articles_with_their_related_products(app, session):
    seed(app)

    articles = session.scalars(select(Article).order_by(Article.published_at)).all()
    assert [a.slug for a in articles] == [data["slug"] for data in ARTICLES]
    for article, data in zip(articles, ARTICLES, strict=True):
        assert article.status == ArticleStatus.PUBLISHED
        assert article.disclaimer_en == data["disclaimer"]["en"]
        assert article.disclaimer_nl == data["disclaimer"]["nl"]
        assert [link.product.slug for link in article.related] == data["related_products"]


def test_the_demo_articles_read_well_in_both_languages(app, session, verified_client):
    seed(app)

    listed = verified_client.get("/articles").get_data(as_text=True)
    for data in ARTICLES:
        english = verified_client.get(f"/articles/{data['slug']}").get_data(as_text=True)
        dutch = verified_client.get(
            f"/articles/{data['slug']}", headers={"Accept-Language": "nl"}
        ).get_data(as_text=True)
        assert str(escape(data["title"]["en"])) in listed
        assert str(escape(data["disclaimer"]["en"])) in english
        assert str(escape(data["disclaimer"]["nl"])) in dutch
        assert str(escape(data["title"]["nl"])) in dutch
        assert 'href="#sec-' in english and 'href="#sec-' in dutch  # a table of contents
        assert "€" in english  # the related products' prices


def test_seed_demo_twice_adds_no_second_copy_of_the_articles(app, session):
    seed(app)

    seed(app)

    assert session.scalar(select(func.count()).select_from(Article)) == len(ARTICLES)


def test_seed_demo_if_empty_leaves_a_shop_with_products_and_its_articles_alone(app, session):
    seed(app)
    session.execute(Article.__table__.delete())
    session.commit()

    output = seed(app, "--if-empty")

    assert "not loaded" in output
    assert session.scalar(select(func.count()).select_from(Article)) == 0
