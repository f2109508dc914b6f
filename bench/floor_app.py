"""The floor: the least a Flask + Jinja app can do to serve the shop's storefront pages (home,
category, search, product, article, cart, checkout). Same markup, same size (the harness
checks within 10%), same gunicorn settings; no database, no session, no age gate, no Babel:
the data is in memory and already formatted, but every request renders its page with Jinja
(nothing of the output is cached).

Whatever the shop does on top of this costs throughput; its requests/s divided by this app's
is the ratio `make bench` reports. Serve it with `gunicorn bench.floor_app:app`.
The templates in bench/floor_templates/ mirror the shop's pages as a verified visitor sees
them in English on the benchmark's catalogue (bench.data): when the shop's pages change,
update them (the harness warns when a page's size differs by more than 10%).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, abort, render_template, request
from markupsafe import Markup

from shop.demo_data import load_demo_data
from shop.labels import allergen_sentence
from shop.text import count_words, render_article, render_markdown

PAGE_SIZE = 24
CATEGORY_PRODUCTS = 640  # a category of the 1k catalogue (bench.data): 27 pages
SEARCH_RESULTS = 576  # "truffles" in the 1k catalogue: more than 500, 24 pages
FEATURED = 8
RELATED = 4
CART_LINES = 3
BASE_URL = "https://shop.example.nl"
# The length of a signed Flask-WTF token, as the shop puts in its forms.
TOKEN = (
    "IjFmNDM2Y2QwYzM1NmZlNDAzNGJkNzM3YjM5OTYxYWI3MDBjZTJkODUi.awhtZA.ItEIGC5I7ysYELwVd-Kq3ZxM2Lp0"
)
PLACEHOLDER = "/static/images/placeholder.svg?v=c63c277566"
KIND_LABELS = {"health": "Health", "dosage": "Dosage", "legal": "Legal", "usage": "Use"}
SORTS = [
    ("name", "Name"),
    ("price", "Price, low to high"),
    ("price_desc", "Price, high to low"),
    ("newest", "Newest"),
]
BANNERS = [
    {
        "id": 1,
        "title": "Season sale",
        "last": "3 Jan",
        "last_iso": "2027-01-03",
        "value": "10% OFF",
        "text": "Use the code below at checkout to receive 10% off your entire order",
        "code": "BENCH10",
    }
]
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
FOOTER_LINKS = [
    ("/my-orders", "My orders"),
    ("/contact", "Contact"),
    ("/shipping", "Shipping and delivery"),
    ("/returns", "Returns and withdrawal"),
    ("/faq", "FAQ"),
    ("/legal/terms", "Terms of sale"),
    ("/legal/privacy", "Privacy"),
]
SELLER = {
    "name": "Benchmark B.V.",
    "kvk": "99999999",
    "vat_id": "NL999999999B01",
    "email": "bench@example.nl",
}
SITE_DESCRIPTION = Markup(
    "Magic truffles, microdosing kits, grow kits and medicinal mushrooms for adults, with every "
    "product's warnings and allergy information on its own page."
)
COUNTRIES = [
    ("NL", "Netherlands"), ("AT", "Austria"), ("BE", "Belgium"), ("BG", "Bulgaria"),
    ("HR", "Croatia"), ("CY", "Cyprus"), ("CZ", "Czechia"), ("DK", "Denmark"),
    ("EE", "Estonia"), ("FI", "Finland"), ("FR", "France"), ("DE", "Germany"),
    ("GR", "Greece"), ("HU", "Hungary"), ("IE", "Ireland"), ("IT", "Italy"),
    ("LV", "Latvia"), ("LT", "Lithuania"), ("LU", "Luxembourg"), ("MT", "Malta"),
    ("PL", "Poland"), ("PT", "Portugal"), ("RO", "Romania"), ("SK", "Slovakia"),
    ("SI", "Slovenia"), ("ES", "Spain"), ("SE", "Sweden"),
]  # fmt: skip
SHIPPING = [
    {"name": "Letterbox parcel", "carrier": "PostNL", "price": "€4.50", "age_check": False,
     "zones": "Netherlands €4.50"},
    {"name": "Parcel", "carrier": "PostNL", "price": "€6.95", "age_check": False,
     "zones": "Netherlands €6.95 · Belgium €9.95 · Germany €10.95 · rest of the EU €14.95"},
    {"name": "Parcel with age check", "carrier": "PostNL", "price": "€8.95", "age_check": True,
     "zones": "Netherlands €8.95"},
]  # fmt: skip
SHIPPING_CENTS = 450
FREE_SHIPPING_CENTS = 5000


def _euros(cents: int) -> str:
    return f"€{cents // 100}.{cents % 100:02d}"


def _stock(stock: int) -> tuple[str, str]:
    if stock <= 0:
        return "sold-out", "Sold out"
    if stock <= 5:
        return "low", f"Only {stock} left"
    return "in", "In stock"


def _product(number: int, data: dict[str, Any]) -> dict[str, Any]:
    stock = 5 + number % 40
    stock_class, stock_label = _stock(stock)
    price_cents = data["price_cents"] + number % 500
    sentences = [
        allergen_sentence(code, presence) for code, presence in data["allergy"]["allergens"]
    ]
    warning = data["allergy"]["warning"]["en"]
    return {
        "id": number + 1,
        "slug": f"{data['slug']}-{number}",
        "category": data["category"],
        "name": f"{data['name']['en']} no. {number}",
        "summary": data["summary"]["en"],
        "price_cents": price_cents,
        "price": _euros(price_cents),
        "lowest_price": _euros(data["price_cents"]),
        "stock_class": stock_class,
        "stock_label": stock_label,
        "most": min(stock, 10),
        "disclaimers": [
            {"kind": d["kind"], "label": KIND_LABELS[d["kind"]], "text": d["text"]["en"]}
            for d in data["disclaimers"]
        ],
        "allergy_warning": warning,
        "allergen_sentences": sentences,
        "allergens_text": " ".join(sentences),
        "allergy_short": " ".join([warning, *sentences]),
        "description_html": render_markdown(data["description_md"]["en"]),
    }


def _article(data: dict[str, Any]) -> dict[str, Any]:
    rendered = render_article(data["body_md"]["en"])
    return {
        "slug": data["slug"],
        "title": data["title"]["en"],
        "summary": data["summary"]["en"],
        "disclaimer": data["disclaimer"]["en"],
        "published": "29 November 2026",
        "published_iso": "2026-11-29T17:47+00:00",
        "minutes": max(1, round(count_words(data["body_md"]["en"]) / 200)),
        "html": rendered.html,
        "toc": rendered.toc,
    }


# The allergen sentences are shop.labels' own: read here at import, outside any request, in
# English. Everything below is data; the pages are rendered from it on every request.
_DEMO = load_demo_data()
_TRUFFLES = [p for p in _DEMO.products if p["category"] == "magic-truffles"]
CATALOGUE = [_product(n, _TRUFFLES[n % len(_TRUFFLES)]) for n in range(CATEGORY_PRODUCTS)]
MIXED = [_product(n, _DEMO.products[n % len(_DEMO.products)]) for n in range(FEATURED)]
BY_SLUG = {p["slug"]: p for p in CATALOGUE}
ARTICLES = {a["slug"]: _article(a) for a in _DEMO.articles}
NAV = [
    {
        "slug": c["slug"],
        "name": c["name"]["en"],
        "description": c["description"]["en"],
    }
    for c in _DEMO.categories
]
NAV_BY_SLUG = {c["slug"]: c for c in NAV}

app = Flask(__name__, template_folder=str(Path(__file__).with_name("floor_templates")))


def _page(template: str, **context: Any) -> str:
    """Render a page with what the shop's layout needs around it."""
    layout: dict[str, Any] = {
        "categories": NAV,
        "current": None,
        "banners": BANNERS,
        "token": TOKEN,
        "languages": LANGUAGES,
        "footer_links": FOOTER_LINKS,
        "seller": SELLER,
        "site_description": SITE_DESCRIPTION,
        "base_url": BASE_URL,
        "placeholder": PLACEHOLDER,
        "query": "",
        "cart_count": 0,
        "canonical": True,
        "scripts": ["cart.js?v=5b09a3f751"],
    }
    return render_template(template, **(layout | context))


def _page_number(count: int) -> tuple[int, int]:
    pages = max(1, -(-count // PAGE_SIZE))
    return min(max(request.args.get("page", 1, type=int), 1), pages), pages


@app.route("/")
def home() -> str:
    return _page(
        "home.html",
        title="Magic truffles, microdosing kits and medicinal mushrooms",
        description=SITE_DESCRIPTION,
        products=MIXED,
    )


@app.route("/category/<slug>")
def category(slug: str) -> str:
    found = NAV_BY_SLUG.get(slug)
    if found is None:
        abort(404)
    page, pages = _page_number(len(CATALOGUE))
    start = (page - 1) * PAGE_SIZE
    return _page(
        "category.html",
        title=found["name"],
        description=found["description"][:160] + "…",
        scripts=["cart.js?v=5b09a3f751", "filters.js?v=8a9696fd1d"],
        current=slug,
        category=found,
        sorts=SORTS,
        sort=request.args.get("sort", "name"),
        total=len(CATALOGUE),
        products=CATALOGUE[start : start + PAGE_SIZE],
        page=page,
        pages=pages,
    )


@app.route("/search")
def search() -> str:
    query = request.args.get("q", "")
    page, pages = _page_number(SEARCH_RESULTS)
    start = (page - 1) * PAGE_SIZE % len(CATALOGUE)
    return _page(
        "search.html",
        title="Search",
        canonical=False,
        query=query,
        total=SEARCH_RESULTS,
        products=CATALOGUE[start : start + PAGE_SIZE],
        page=page,
        pages=pages,
    )


@app.route("/products/<slug>")
def product(slug: str) -> str:
    found = BY_SLUG.get(slug)
    if found is None:
        abort(404)
    return _page(
        "product.html",
        title=found["name"],
        description=found["summary"],
        og_type="product",
        product=found,
        category=NAV_BY_SLUG[found["category"]],
        related=CATALOGUE[100 : 100 + RELATED],
    )


@app.route("/articles/<slug>")
def article(slug: str) -> str:
    found = ARTICLES.get(slug)
    if found is None:
        abort(404)
    return _page(
        "article.html",
        title=found["title"],
        description=found["summary"],
        og_type="article",
        current="articles",
        scripts=[],
        article=found,
    )


def _cart() -> dict[str, Any]:
    lines = [{"product": p, "quantity": 1, "total": p["price"]} for p in CATALOGUE[:CART_LINES]]
    subtotal = sum(p["price_cents"] for p in CATALOGUE[:CART_LINES])
    return {
        "lines": lines,
        "cart_count": len(lines),
        "totals": {
            "subtotal": _euros(subtotal),
            "shipping": _euros(SHIPPING_CENTS),
            "total": _euros(subtotal + SHIPPING_CENTS),
            "to_free": _euros(max(0, FREE_SHIPPING_CENTS - subtotal)),
        },
    }


@app.route("/cart")
def cart() -> str:
    return _page("cart.html", title="Your cart", canonical=False, scripts=[], **_cart())


@app.route("/checkout")
def checkout() -> str:
    contents = _cart()
    digest = hashlib.sha256(
        "".join(line["product"]["slug"] for line in contents["lines"]).encode()
    ).hexdigest()
    return _page(
        "checkout.html",
        title="Checkout",
        canonical=False,
        scripts=[],
        banners=[],  # the shop shows no promotion banner while a visitor checks out
        countries=COUNTRIES,
        shipping=SHIPPING,
        digest=digest,
        **contents,
    )


def sample_paths() -> dict[str, str]:
    """The floor's pages, by the name the harness gives the shop's page of the same shape."""
    return {
        "home": "/",
        "category": "/category/magic-truffles",
        "search": "/search?q=truffles",
        "product": f"/products/{CATALOGUE[0]['slug']}",
        "article": f"/articles/{min(ARTICLES)}",
        "cart": "/cart",
        "checkout": "/checkout",
    }
