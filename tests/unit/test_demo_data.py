"""The demo shop's data files (shop/data/demo/) and their loader, shop.demo_data."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import get_args

import pytest

import shop
from shop import demo_data
from shop.demo_data import DATA_DIR, DemoDataError, load_demo_data, read_demo_data
from shop.demo_promotions import demo_promotions
from shop.labels import ALLERGEN_LABELS
from shop.models.catalog import ALLERGENS, AllergenPresence, DisclaimerKind
from shop.rules.vat import VatRate

DEMO = load_demo_data()
PRODUCTS = {product["slug"]: product for product in DEMO.products}
LANGUAGES = ("en", "nl")


def test_the_shipped_data_is_read_once():
    assert len(DEMO.categories) == 5
    assert len(DEMO.products) == 18
    assert len(DEMO.articles) == 2
    assert load_demo_data() is DEMO


@pytest.mark.parametrize("slug", PRODUCTS)
def test_every_product_can_be_published_in_both_languages(slug):
    # The publishing rule: a name, at least one disclaimer and an allergy statement, in English
    # and Dutch; an allergy statement lists allergens with a warning, or says none are known.
    product = PRODUCTS[slug]
    for language in LANGUAGES:
        for field in ("name", "summary", "description_md"):
            assert product[field][language].strip(), (field, language)
        assert product["disclaimers"]
        for disclaimer in product["disclaimers"]:
            assert disclaimer["text"][language].strip(), disclaimer["kind"]
        allergy = product["allergy"]
        if allergy["no_known_allergens"]:
            assert allergy["allergens"] == []
        else:
            assert allergy["allergens"]
            assert allergy["warning"][language].strip()


def test_every_article_is_complete_in_both_languages():
    for article in DEMO.articles:
        for language in LANGUAGES:
            for field in ("title", "summary", "body_md", "disclaimer"):
                assert article[field][language].strip(), (article["slug"], field, language)


def test_every_allergen_is_a_code_of_the_shop_with_a_name_from_its_labels():
    used = {code for p in DEMO.products for code, _ in p["allergy"]["allergens"]}
    assert used <= set(ALLERGENS)
    presences = {presence for p in DEMO.products for _, presence in p["allergy"]["allergens"]}
    assert presences <= set(AllergenPresence)
    # The one list of names, for the shop's pages, the back office and the benchmark alike.
    assert list(ALLERGEN_LABELS) == list(ALLERGENS)


def test_a_product_with_fungi_warns_of_a_mushroom_allergy():
    for product in DEMO.products:
        allergy = product["allergy"]
        if ("fungi", "contains") in allergy["allergens"]:
            assert allergy["warning"]["en"].startswith("Do not use if you are allergic to mushr")
            assert allergy["warning"]["nl"].startswith("Niet gebruiken als je allergisch bent")


def test_the_loaders_literal_types_are_the_models_enums():
    assert set(get_args(demo_data.DisclaimerKind)) == set(DisclaimerKind)
    assert set(get_args(demo_data.AllergenPresence)) == set(AllergenPresence)


def test_every_category_and_related_product_named_exists():
    categories = {category["slug"] for category in DEMO.categories}
    assert {product["category"] for product in DEMO.products} <= categories
    for article in DEMO.articles:
        assert set(article["related_products"]) <= set(PRODUCTS), article["slug"]
    for promo in demo_promotions(date(2026, 1, 15)):
        assert set(promo.category_slugs) <= categories, promo.code


def test_every_markdown_file_is_used_and_every_one_named_exists():
    named = {
        DATA_DIR / "products" / f"{p['slug']}.{language}.md": p["description_md"][language]
        for p in DEMO.products
        for language in LANGUAGES
    } | {
        DATA_DIR / "articles" / f"{a['slug']}.{language}.md": a["body_md"][language]
        for a in DEMO.articles
        for language in LANGUAGES
    }
    assert set(DATA_DIR.rglob("*.md")) == set(named)
    for path, text in named.items():
        assert path.read_text(encoding="utf-8") == text + "\n", path


def test_every_data_file_is_package_data():
    pyproject = Path(shop.__file__).parent.parent / "pyproject.toml"
    patterns = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["package-data"]["shop"]
    package = Path(shop.__file__).parent
    shipped = {path for pattern in patterns for path in package.glob(pattern)}
    assert {path for path in DATA_DIR.rglob("*") if path.is_file()} <= shipped


# --------------------------------------------------------------------------------------------------
# A broken copy names the file and the field
# --------------------------------------------------------------------------------------------------


def replace_once(name: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def edit(directory: Path) -> None:
        path = directory / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return edit


def delete(name: str) -> Callable[[Path], None]:
    return lambda directory: (directory / name).unlink()


def write(name: str, text: str) -> Callable[[Path], None]:
    return lambda directory: (directory / name).write_text(text, encoding="utf-8")


MEXICANA = "products.toml: product 'truffles-mexicana-10g'"

# A fault made in a copy of the data, and how the error starts after the copy's directory: the
# file, then where in it.
BROKEN = {
    "a missing language": (
        replace_once("products.toml", 'name.nl = "Magic truffels Mexicana – 10 gram"\n', ""),
        f"{MEXICANA}: name.nl: missing",
    ),
    "a language too many": (
        replace_once("categories.toml", 'name.nl = "Growkits"', 'name.nl = "x"\nname.de = "y"'),
        "categories.toml: category 'grow-kits': name.de: unknown field",
    ),
    "a missing Markdown file": (
        delete("products/chaga-powder.nl.md"),
        "products.toml: product 'chaga-powder': description_md.nl: missing file /",
    ),
    "an empty Markdown file": (
        write("articles/lions-mane-hericium-erinaceus.en.md", "\n"),
        "articles/lions-mane-hericium-erinaceus.en.md: article 'lions-mane-hericium-erinaceus': "
        "body_md.en: empty",
    ),
    "a Markdown file nothing uses": (
        write("products/truffles-mexicana-20g.en.md", "Stronger.\n"),
        "products/truffles-mexicana-20g.en.md: (file): not used",
    ),
    "an unknown disclaimer kind": (
        replace_once("products.toml", 'kind = "legal"', 'kind = "legality"'),
        f"{MEXICANA}: disclaimers[4].kind: unknown value 'legality'",
    ),
    "no disclaimer": (
        # Every product's disclaimers renamed: the first product has none.
        replace_once("products.toml", "[[product.disclaimers]]", "[[product.warnings]]", -1),
        f"{MEXICANA}: disclaimers: missing",
    ),
    "an unknown allergen": (
        replace_once("products.toml", '{ fungi = "contains" }', '{ mushrooms = "contains" }'),
        f"{MEXICANA}: allergy.allergens.mushrooms: unknown allergen",
    ),
    "an unknown presence": (
        replace_once("products.toml", '{ fungi = "contains" }', '{ fungi = "traces" }'),
        f"{MEXICANA}: allergy.allergens.fungi: unknown value 'traces'",
    ),
    "allergens beside none known": (
        replace_once(
            "products.toml",
            "allergy.no_known_allergens = true",
            'allergy.no_known_allergens = true\nallergy.allergens = { nuts = "may_contain" }',
        ),
        "products.toml: product 'digital-scale-0-01g': allergy.allergens: not with",
    ),
    "a category that does not exist": (
        replace_once("products.toml", 'category = "magic-truffles"', 'category = "truffles"'),
        f"{MEXICANA}: category: no category 'truffles' in categories.toml",
    ),
    "a related product that does not exist": (
        replace_once("articles.toml", '"microdose-journal"', '"microdosing-journal"'),
        "articles.toml: article 'neurogenesis-psychedelics-and-microdosing': related_products: "
        "no product 'microdosing-journal' in products.toml",
    ),
    "a misspelt field": (
        replace_once("products.toml", "featured = true", "featurd = true"),
        f"{MEXICANA}: featured: missing",
    ),
    "a price that is text": (
        replace_once("products.toml", "price_cents = 1295", 'price_cents = "12.95"'),
        f"{MEXICANA}: price_cents: expected a whole number, found '12.95'",
    ),
    "a slug used twice": (
        replace_once("categories.toml", 'slug = "accessories"', 'slug = "grow-kits"'),
        "categories.toml: category[5].slug: 'grow-kits' is used twice",
    ),
    "not TOML": (
        replace_once("articles.toml", "[[article]]", "[[article]"),
        "articles.toml: (syntax): Expected ']]'",
    ),
    "a missing file": (delete("categories.toml"), "categories.toml: (file): missing"),
}


@pytest.mark.parametrize("fault", BROKEN)
def test_a_broken_copy_is_refused_naming_the_file_and_the_field(fault, tmp_path):
    edit, expected = BROKEN[fault]
    directory = tmp_path / "demo"
    shutil.copytree(DATA_DIR, directory)
    edit(directory)

    with pytest.raises(DemoDataError) as raised:
        read_demo_data(directory)

    assert str(raised.value).startswith(f"{directory}/{expected}")
    assert raised.value.path == directory / expected.split(": ")[0]


def test_an_unbroken_copy_reads_the_same_as_the_shipped_data(tmp_path):
    shutil.copytree(DATA_DIR, tmp_path / "demo")

    assert read_demo_data(tmp_path / "demo") == DEMO


def test_food_takes_the_reduced_vat_rate_and_the_rest_the_standard_one():
    """Truffles and medicinal mushrooms are sold as food (9 %); kits, which pack a scale and
    a journal with the truffles, grow kits and accessories at 21 % (README, "VAT (BTW)")."""
    rates = {(p["category"], p["vat_rate"]) for p in load_demo_data().products}

    assert rates == {
        ("magic-truffles", VatRate.REDUCED),
        ("medicinal-mushrooms", VatRate.REDUCED),
        ("microdosing-kits", VatRate.STANDARD),
        ("grow-kits", VatRate.STANDARD),
        ("accessories", VatRate.STANDARD),
    }
