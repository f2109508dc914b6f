"""The catalogue as customers see it: home, categories, product pages and search.

Every page here is behind the age gate (see `web.agegate`). Each view uses a fixed number
of queries whatever the catalogue size: the navigation's categories are loaded once per
request and reused, and lists come with their total in the same query. The product lists
and the categories are the same for every verified visitor in a language, so they are kept
for a few seconds per process (`web.fragments`), and so are a product page's parts that
do not depend on the visitor; the cart and checkout always read the database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from markupsafe import Markup

from shop.extensions import db
from shop.labels import allergen_sentence, kind_name
from shop.rules.input import page_number
from shop.rules.listing_filters import read_category_filters
from shop.rules.suggestions import nearest_names
from shop.services import catalog
from shop.services.catalog import CatalogNotFound, CategorySummary, KindCount
from shop.services.search import MAX_CANDIDATES
from shop.web import fragments
from shop.web.cards import CardFacts, card_facts, for_this_visitor
from shop.web.category_filters import canonical_address, price_boxes, problem_message
from shop.web.head import meta_description

bp = Blueprint("storefront", __name__)


def nav_categories() -> list[CategorySummary]:
    """The categories for the navigation: kept for a few seconds, loaded once per request."""
    if "nav_categories" not in g:
        g.nav_categories = fragments.cached(
            ("categories",), lambda: catalog.category_summaries(db.session())
        )
    return g.nav_categories


@dataclass(frozen=True)
class Listing:
    """A rendered product list and what the page around it needs to know."""

    html: Markup
    total: int
    cards: tuple[CardFacts, ...] = ()
    # A category page's kinds with their counts, for its filter form.
    kinds: tuple[KindCount, ...] = ()


def _filled(listing: Listing) -> Listing:
    return replace(listing, html=for_this_visitor(listing.html, listing.cards))


@bp.record_once
def _install_globals(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    app.jinja_env.globals["nav_categories"] = nav_categories
    app.jinja_env.globals["allergen_sentence"] = allergen_sentence
    app.jinja_env.globals["kind_name"] = kind_name


@bp.route("/")
def home() -> str:
    """Show the categories and the featured products."""
    locale = str(get_locale())

    def featured() -> Listing:
        products = catalog.featured_products(db.session())
        html = render_template("storefront/_featured.html", featured=products)
        return Listing(html=Markup(html), total=len(products), cards=card_facts(products))

    listing = fragments.cached(("home", locale), featured)
    return render_template("storefront/home.html", featured=_filled(listing))


@bp.route("/category/<slug>")
def category(slug: str) -> ResponseReturnValue:
    """Show one page of a category's products that pass the filters, sorted as asked."""
    found = next((c for c in nav_categories() if c.slug == slug), None)
    if found is None:
        abort(404)
    args = request.args.to_dict(flat=False)
    read = read_category_filters(args)
    filters = read.filters
    number, locale = page_number(request.args.get("page")), str(get_locale())
    canonical = canonical_address(request.args, read, number)
    if canonical is not None:
        return redirect(url_for("storefront.category", slug=slug, **canonical))

    def products() -> Listing | None:
        found_listing = catalog.category_listing(
            db.session(),
            found,
            number=number,
            size=current_app.config["SHOP_PAGE_SIZE"],
            locale=locale,
            filters=filters,
        )
        page = found_listing.page
        if number > page.page_count:
            return None
        html = render_template(
            "storefront/_category_products.html", category=found, page=page, filters=filters
        )
        return Listing(
            html=Markup(html),
            total=page.total,
            cards=card_facts(page.items),
            kinds=tuple(found_listing.kinds),
        )

    # The filters are part of the key in their canonical form: two addresses asking the
    # same share an entry, two asking differently never see each other's grid.
    listing = fragments.cached(("category", locale, found.id, filters.key(), number), products)
    if listing is None:
        abort(404)
    return render_template(
        "storefront/category.html",
        category=found,
        listing=_filled(listing),
        filters=filters,
        sort=filters.sort,
        prices=price_boxes(read, args, locale),
        problems=[problem_message(problem) for problem in read.problems],
    )


@dataclass(frozen=True)
class ProductPage:
    """A product page's parts that are the same for every verified visitor, and the facts
    its per-visitor parts (the buy form with its CSRF token, the Omnibus note of the codes
    running at this second) need."""

    id: int
    slug: str
    category_id: int
    price_cents: int
    stock: int
    title: str
    # The page's meta description: the summary, else the start of the description.
    description: str
    top: Markup
    bottom: Markup
    # "You may also like": product cards with slots (`for_this_visitor`), and their facts.
    related: Markup
    related_cards: tuple[CardFacts, ...]
    # Why it cannot be returned, in the page's language; empty when it can.
    withdrawal_exclusion: str = ""


@bp.route("/products/<slug>")
def product(slug: str) -> str:
    """Show the product with its price, stock, disclaimers and allergy warning."""
    locale = str(get_locale())

    def parts() -> ProductPage | None:
        try:
            found = catalog.product_for_sale(db.session(), slug)
        except CatalogNotFound:
            return None
        related = catalog.related_products(db.session(), found)
        return ProductPage(
            id=found.id,
            slug=found.slug,
            category_id=found.category_id,
            price_cents=found.price_cents,
            stock=found.stock,
            title=found.name(locale),
            description=meta_description(found.summary(locale) or found.description_md(locale)),
            top=Markup(render_template("storefront/_product_top.html", product=found)),
            bottom=Markup(render_template("storefront/_product_bottom.html", product=found)),
            withdrawal_exclusion=found.withdrawal_reason(locale),
            related=Markup(render_template("storefront/_related.html", related=related)),
            related_cards=card_facts(related),
        )

    page = fragments.cached(("product", locale, slug), parts)
    if page is None:
        abort(404)
    related = for_this_visitor(page.related, page.related_cards) if page.related_cards else ""
    return render_template("storefront/product.html", page=page, product=page, related=related)


# When nothing is found, the page offers a box of its own listing every product name to pick
# from (a native <datalist>: keyboard and screen-reader support come with the browser) while
# the list stays short; the names are read then anyway, for "did you mean".
MAX_DATALIST_NAMES = 200


def product_names() -> list[tuple[str, str]]:
    """The names on sale in the visitor's language: kept for a few seconds like every list."""
    locale = str(get_locale())
    return fragments.cached(
        ("product-names", locale), lambda: catalog.product_names(db.session(), locale)
    )


@bp.route("/search")
def search() -> str:
    """Show the active products matching the visitor's words, best first; when none do, the
    names nearest to them and the categories."""
    query = request.args.get("q", "")[:200]
    number, locale = page_number(request.args.get("page")), str(get_locale())

    def results() -> Listing:
        page = catalog.search_products(
            db.session(), query, number=number, size=current_app.config["SHOP_PAGE_SIZE"]
        )
        names = product_names() if page.total == 0 and number == 1 else []
        html = render_template(
            "storefront/_search_results.html",
            query=query,
            page=page,
            ranked=MAX_CANDIDATES,
            suggestions=nearest_names(query, names),
            names=[name for _slug, name in names] if len(names) <= MAX_DATALIST_NAMES else [],
        )
        return Listing(html=Markup(html), total=page.total, cards=card_facts(page.items))

    listing = fragments.cached(("search", locale, query, number), results) if query else None
    return render_template(
        "storefront/search.html", query=query, listing=listing and _filled(listing)
    )
