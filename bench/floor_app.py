"""The floor: the least a Flask + Jinja app can do to serve the shop's category and product
pages. Same markup, same size (the harness checks within 10%), same gunicorn settings; no
database, no session, no age gate, no Babel: the data is in memory and already formatted.

Whatever the shop does on top of this costs throughput; its requests/s divided by this app's
is the ratio `make bench` reports. Serve it with `gunicorn bench.floor_app:app`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, abort, render_template, request

from shop.demo_data import load_demo_data
from shop.labels import allergen_name
from shop.text import render_markdown

PAGE_SIZE = 24
CATEGORY_PRODUCTS = 640  # a category of the 1k catalogue (bench.data): 27 pages
# The length of a signed Flask-WTF token, as the shop puts in its forms.
TOKEN = "IjFmNDM2Y2QwYzM1NmZlNDAzNGJkNzM3YjM5OTYxYWI3MDBjZTJkODUi.awhtZA.ItEIGC5I7ysYELwVd"
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
        "first": "23 November 2026",
        "last": "24 December 2026",
        "value": "10% OFF",
        "text": "Use the code below at checkout to receive 10% off your entire order",
        "code": "BENCH10",
    }
]


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
    return {
        "id": number + 1,
        "slug": f"{data['slug']}-{number}",
        "category": data["category"],
        "name": f"{data['name']['en']} no. {number}",
        "summary": data["summary"]["en"],
        "price": _euros(data["price_cents"] + number % 500),
        "stock_class": stock_class,
        "stock_label": stock_label,
        "most": min(stock, 10),
        "disclaimers": [
            {"kind": d["kind"], "label": KIND_LABELS[d["kind"]], "text": d["text"]["en"]}
            for d in data["disclaimers"]
        ],
        "allergy_warning": data["allergy"]["warning"]["en"],
        "allergens": [
            (allergen_name(code), "contains" if presence == "contains" else "may contain")
            for code, presence in data["allergy"]["allergens"]
        ],
        "description_html": render_markdown(data["description_md"]["en"]),
    }


# The allergen names are shop.labels' own: read here at import, outside any request, in English.
_DEMO = load_demo_data()
_TRUFFLES = [p for p in _DEMO.products if p["category"] == "magic-truffles"]
CATALOGUE = [_product(n, _TRUFFLES[n % len(_TRUFFLES)]) for n in range(CATEGORY_PRODUCTS)]
BY_SLUG = {p["slug"]: p for p in CATALOGUE}
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


@app.route("/category/<slug>")
def category(slug: str) -> str:
    found = NAV_BY_SLUG.get(slug)
    if found is None:
        abort(404)
    pages = -(-len(CATALOGUE) // PAGE_SIZE)
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    start = (page - 1) * PAGE_SIZE
    return render_template(
        "category.html",
        categories=NAV,
        current=slug,
        banners=BANNERS,
        token=TOKEN,
        category=found,
        sorts=SORTS,
        sort=request.args.get("sort", "name"),
        total=len(CATALOGUE),
        products=CATALOGUE[start : start + PAGE_SIZE],
        page=page,
        pages=pages,
    )


@app.route("/products/<slug>")
def product(slug: str) -> str:
    found = BY_SLUG.get(slug)
    if found is None:
        abort(404)
    return render_template(
        "product.html",
        categories=NAV,
        current=None,
        banners=BANNERS,
        token=TOKEN,
        product=found,
        category=NAV_BY_SLUG[found["category"]],
    )


def sample_paths() -> dict[str, str]:
    """The floor's category page and product page, as the harness requests them."""
    return {
        "category": "/category/magic-truffles",
        "product": f"/products/{CATALOGUE[0]['slug']}",
    }
