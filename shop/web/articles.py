"""The knowledge base as readers see it: the list of articles and one article.

Behind the age gate like every storefront page. Each view uses a fixed number of queries
whatever the number of articles and related products: the list comes with its total in the
same query, and an article with its related products in one. Share links are plain URLs to
the networks' share pages: no script, picture or tracker of theirs is loaded.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from shop import clock
from shop.extensions import db
from shop.models import Article
from shop.rules.input import page_number
from shop.services import articles
from shop.services.articles import ArticleNotFound
from shop.text import render_article
from shop.web.cards import cards_for_this_visitor

bp = Blueprint("articles", __name__)

PAGE_SIZE = 10


def share_links(title: str, address: str) -> list[tuple[str, str]]:
    """(label, URL) for sharing an article by e-mail, WhatsApp, X and Facebook."""
    return [
        (
            _("E-mail"),
            "mailto:?" + urlencode({"subject": title, "body": address}, quote_via=quote),
        ),
        (
            "WhatsApp",
            "https://wa.me/?" + urlencode({"text": f"{title} {address}"}, quote_via=quote),
        ),
        (
            "X",
            "https://x.com/intent/tweet?"
            + urlencode({"text": title, "url": address}, quote_via=quote),
        ),
        (
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?"
            + urlencode({"u": address}, quote_via=quote),
        ),
    ]


def _public_address(article: Article) -> str:
    # The shop's public address, not the request's host: a shared link must work for others.
    base = current_app.config["SHOP_BASE_URL"].rstrip("/")
    return base + url_for("articles.show", slug=article.slug)


@bp.route("/articles")
def index() -> str:
    """Show one page of the published articles, newest first."""
    number = page_number(request.args.get("page"))
    page = articles.published_articles(db.session(), number=number, size=PAGE_SIZE, now=clock.now())
    if number > page.page_count:
        abort(404)
    locale = str(get_locale())
    minutes = {a.id: articles.reading_minutes(a.body_md(locale)) for a in page.items}
    return render_template("articles/list.html", page=page, minutes=minutes)


@bp.route("/articles/<slug>")
def show(slug: str) -> str:
    """Show the article: its disclaimer, contents, body, related products and share links."""
    try:
        article = articles.article_for_reader(db.session(), slug, now=clock.now())
    except ArticleNotFound:
        abort(404)
    locale = str(get_locale())
    body = article.body_md(locale)
    return render_template(
        "articles/show.html",
        article=article,
        rendered=render_article(body),
        minutes=articles.reading_minutes(body),
        products=cards_for_this_visitor(
            "articles/_products.html", list(articles.products_for_sale(article))
        ),
        shares=share_links(article.title(locale), _public_address(article)),
    )
