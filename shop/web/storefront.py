"""The catalogue as customers see it: home, categories, product pages and search.

Every page here is behind the age gate (see `web.agegate`). Each view uses a fixed number
of queries whatever the catalogue size: the navigation's categories are loaded once per
request and reused, and lists come with their total in the same query.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, g, render_template, request
from flask_babel import get_locale

from shop.extensions import db
from shop.labels import allergen_name
from shop.models import Category
from shop.services import catalog
from shop.services.catalog import CatalogNotFound, Sort

bp = Blueprint("storefront", __name__)

MAX_PAGE = 10_000


def nav_categories() -> list[Category]:
    """The categories for the navigation, one query per request at most."""
    if "nav_categories" not in g:
        g.nav_categories = catalog.list_categories(db.session)
    return g.nav_categories


@bp.record_once
def _install_globals(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    app.jinja_env.globals["nav_categories"] = nav_categories
    app.jinja_env.globals["allergen_name"] = allergen_name


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


def _sort() -> Sort:
    try:
        return Sort(request.args.get("sort", Sort.NAME))
    except ValueError:
        return Sort.NAME


@bp.route("/")
def home() -> str:
    """Show the categories and the featured products."""
    featured = catalog.featured_products(db.session)
    return render_template("storefront/home.html", featured=featured)


@bp.route("/category/<slug>")
def category(slug: str) -> str:
    """Show one page of a category's products, sorted as asked."""
    found = next((c for c in nav_categories() if c.slug == slug), None)
    if found is None:
        abort(404)
    number, sort = _page_number(), _sort()
    page = catalog.category_products(
        db.session,
        found,
        number=number,
        size=current_app.config["SHOP_PAGE_SIZE"],
        sort=sort,
        locale=str(get_locale()),
    )
    if number > page.page_count:
        abort(404)
    return render_template("storefront/category.html", category=found, page=page, sort=sort)


@bp.route("/products/<slug>")
def product(slug: str) -> str:
    """Show the product with its price, stock, disclaimers and allergy warning."""
    try:
        found = catalog.product_for_sale(db.session, slug)
    except CatalogNotFound:
        abort(404)
    return render_template("storefront/product.html", product=found)


@bp.route("/search")
def search() -> str:
    """Show the active products matching the visitor's words, best first."""
    query = request.args.get("q", "")[:200]
    number = _page_number()
    page = catalog.search_products(
        db.session, query, number=number, size=current_app.config["SHOP_PAGE_SIZE"]
    )
    return render_template("storefront/search.html", query=query, page=page)
