"""The demo shop's content, read from the data files in `shop/data/demo/` and checked.

    categories.toml         [[category]]: slug, position, name, description
    products.toml           [[product]]: slug, category, prices and stock, name, summary,
                            allergy, [[product.disclaimers]], withdrawal_exclusion and
                            related (the staff's picks for its page, slugs; both optional)
    products/<slug>.en.md   a product's description in English (and .nl.md in Dutch)
    articles.toml           [[article]]: slug, title, summary, disclaimer, related_products
    articles/<slug>.en.md   an article's body in English (and .nl.md in Dutch)

Every text is in English (`en`) and Dutch (`nl`). A Markdown file belongs to the product or
article of its slug: the data names no paths, and a file that nothing uses is an error, as is
one that is missing. A Markdown file ends with a newline that is not part of the text.

Allergens are the codes of `shop.models.catalog.ALLERGENS`, each "contains" or "may_contain";
their names in either language come from `shop.labels`, as on the shop's own pages.

`load_demo_data()` is the shipped content, read once per process (`functools.cache`; the
results are shared: read them, don't change them). `read_demo_data(directory)` reads any copy,
uncached. Both raise `DemoDataError`, naming the file and the field, for the first fault.

The demo promo codes stay code, in `shop.demo_promotions`: the seasonal one is named after the
season of the day the demo is loaded and runs around that day, which is a rule rather than
data, and the other three are so few and so tied to the promotion service's `Kind` and
`DemoPromo` that a data file would only add a second place to look.

`shop.services.demo` loads this content (`flask --app shop seed-demo`, `make run`).
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn, TypedDict, TypeVar

from shop.models.catalog import ALLERGENS
from shop.models.catalog import AllergenPresence as _PresenceEnum
from shop.models.catalog import DisclaimerKind as _KindEnum
from shop.rules.product_kind import ProductKind
from shop.rules.vat import VatRate

DATA_DIR = Path(__file__).with_name("data") / "demo"

_T = TypeVar("_T")

# The values of shop.models.catalog's enums of the same names (a unit test holds them equal).
DisclaimerKind = Literal["health", "dosage", "legal", "usage"]
AllergenPresence = Literal["contains", "may_contain"]


class LocalizedText(TypedDict):
    en: str
    nl: str


class CategoryData(TypedDict):
    slug: str
    name: LocalizedText
    description: LocalizedText
    position: int


class DisclaimerData(TypedDict):
    kind: DisclaimerKind
    text: LocalizedText


class AllergyData(TypedDict):
    no_known_allergens: bool
    allergens: list[tuple[str, AllergenPresence]]
    warning: LocalizedText


class ProductData(TypedDict):
    slug: str
    category: str
    name: LocalizedText
    summary: LocalizedText
    description_md: LocalizedText
    price_cents: int
    stock: int
    min_age: int
    featured: bool
    vat_rate: VatRate
    kind: ProductKind
    # The carrier checks the recipient's ID at the door (optional in the file: false).
    requires_id_check_at_delivery: bool
    needs_verified_age: bool
    disclaimers: list[DisclaimerData]
    allergy: AllergyData
    # Why the product is excluded from the right of withdrawal; None: it is not.
    withdrawal_exclusion: LocalizedText | None
    # Products shown first on its page (slugs of other products in the file).
    related: list[str]


class ArticleData(TypedDict):
    slug: str
    title: LocalizedText
    summary: LocalizedText
    body_md: LocalizedText
    disclaimer: LocalizedText
    related_products: list[str]


@dataclass(frozen=True)
class DemoData:
    categories: tuple[CategoryData, ...]
    products: tuple[ProductData, ...]  # in the order they were added, the newest last
    articles: tuple[ArticleData, ...]  # in the order they were published, the newest last


class DemoDataError(ValueError):
    """A demo data file is wrong: `path` is the file, `field` where in it."""

    def __init__(self, path: Path, field: str, problem: str) -> None:
        super().__init__(f"{path}: {field}: {problem}")
        self.path = path
        self.field = field


def read_demo_data(directory: Path) -> DemoData:
    """The demo content in `directory`, checked; raises DemoDataError for the first fault."""
    markdown = _Markdown(directory)
    categories = _items(directory / "categories.toml", "category", _category)
    category_slugs = {category["slug"] for category in categories}
    products = _items(
        directory / "products.toml",
        "product",
        lambda slug, table: _product(slug, table, category_slugs, markdown),
    )
    product_slugs = {product["slug"] for product in products}
    for product in products:
        for related in product["related"]:
            if related not in product_slugs or related == product["slug"]:
                raise DemoDataError(
                    directory / "products.toml",
                    f"{product['slug']}.related",
                    f"{related!r} is not another product in products.toml",
                )
    articles = _items(
        directory / "articles.toml",
        "article",
        lambda slug, table: _article(slug, table, product_slugs, markdown),
    )
    markdown.check_all_used()
    return DemoData(tuple(categories), tuple(products), tuple(articles))


@functools.cache
def load_demo_data() -> DemoData:
    """The demo content that ships with the shop, read once per process."""
    return read_demo_data(DATA_DIR)


# --------------------------------------------------------------------------------------------------
# The three files
# --------------------------------------------------------------------------------------------------


def _category(slug: str, table: _Table) -> CategoryData:
    return {
        "slug": slug,
        "name": table.localized("name"),
        "description": table.localized("description"),
        "position": table.integer("position"),
    }


def _product(slug: str, table: _Table, categories: set[str], markdown: _Markdown) -> ProductData:
    category = table.text("category")
    if category not in categories:
        table.fail("category", f"no category {category!r} in categories.toml")
    return {
        "slug": slug,
        "category": category,
        "name": table.localized("name"),
        "summary": table.localized("summary"),
        "description_md": markdown.read(table, slug, "products", "description_md"),
        "price_cents": table.integer("price_cents"),
        "stock": table.integer("stock"),
        "min_age": table.integer("min_age"),
        "featured": table.boolean("featured"),
        "vat_rate": VatRate(table.choice("vat_rate", tuple(VatRate))),
        "kind": ProductKind(table.choice("kind", tuple(ProductKind))),
        "requires_id_check_at_delivery": table.boolean(
            "requires_id_check_at_delivery", default=False
        ),
        "needs_verified_age": table.boolean("needs_verified_age", default=False),
        "disclaimers": table.tables("disclaimers", _disclaimer),
        "allergy": table.table("allergy", _allergy),
        "withdrawal_exclusion": table.localized("withdrawal_exclusion")
        if "withdrawal_exclusion" in table.data
        else None,
        "related": table.texts("related") if "related" in table.data else [],
    }


def _disclaimer(table: _Table) -> DisclaimerData:
    return {"kind": table.choice("kind", tuple(_KindEnum)), "text": table.localized("text")}


def _allergy(table: _Table) -> AllergyData:
    if table.boolean("no_known_allergens", default=False):
        for key in ("allergens", "warning"):
            if key in table.data:
                table.fail(key, "not with no_known_allergens = true")
        return {"no_known_allergens": True, "allergens": [], "warning": {"en": "", "nl": ""}}
    allergens = table.table("allergens", _allergens)
    if not allergens:
        table.fail("allergens", "none listed: list them, or say no_known_allergens = true")
    return {
        "no_known_allergens": False,
        "allergens": allergens,
        "warning": table.localized("warning"),
    }


def _allergens(table: _Table) -> list[tuple[str, AllergenPresence]]:
    """`{ code = presence, ... }`, in the order written."""
    allergens: list[tuple[str, AllergenPresence]] = []
    for code in table.data:
        if code not in ALLERGENS:
            table.fail(code, f"unknown allergen (the known: {', '.join(ALLERGENS)})")
        allergens.append((code, table.choice(code, tuple(_PresenceEnum))))
    return allergens


def _article(slug: str, table: _Table, products: set[str], markdown: _Markdown) -> ArticleData:
    related = table.texts("related_products")
    for product in related:
        if product not in products:
            table.fail("related_products", f"no product {product!r} in products.toml")
    return {
        "slug": slug,
        "title": table.localized("title"),
        "summary": table.localized("summary"),
        "body_md": markdown.read(table, slug, "articles", "body_md"),
        "disclaimer": table.localized("disclaimer"),
        "related_products": related,
    }


def _items(path: Path, name: str, read: Callable[[str, _Table], _T]) -> list[_T]:
    """The `[[name]]` tables of a TOML file, each read by `read(slug, table)`; slugs are unique."""
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except FileNotFoundError:
        raise DemoDataError(path, "(file)", "missing") from None
    except tomllib.TOMLDecodeError as error:
        raise DemoDataError(path, "(syntax)", str(error)) from None
    root = _Table(path, "", "", document)
    slugs: list[str] = []

    def read_item(table: _Table) -> _T:
        slug = table.text("slug")
        if slug in slugs:
            table.fail("slug", f"{slug!r} is used twice")
        slugs.append(slug)
        # From here on, errors name the item by its slug rather than by its number.
        table.item, table.prefix = f"{name} {slug!r}", ""
        return read(slug, table)

    items = root.tables(name, read_item)
    root.finish(None)
    return items


# --------------------------------------------------------------------------------------------------
# Reading a TOML table with errors that say where
# --------------------------------------------------------------------------------------------------

_REQUIRED: Any = object()


class _Table:
    """A TOML table being read: its file, the item it belongs to ("product 'x'"), its own
    place in that item ("allergy." or "disclaimers[2]."), and the keys read so far: `finish`
    refuses any other key, so a misspelt one is an error rather than silently ignored."""

    def __init__(self, path: Path, item: str, prefix: str, data: dict[str, Any]) -> None:
        self.path = path
        self.item = item
        self.prefix = prefix
        self.data = data
        self._read: set[str] = set()

    def fail(self, key: str, problem: str) -> NoReturn:
        field = f"{self.prefix}{key}"
        raise DemoDataError(self.path, f"{self.item}: {field}" if self.item else field, problem)

    def _get(self, key: str, kind: type, what: str, default: Any = _REQUIRED) -> Any:
        self._read.add(key)
        if key not in self.data:
            if default is _REQUIRED:
                self.fail(key, "missing")
            return default
        value = self.data[key]
        # A TOML boolean is no number.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(key, f"expected {what}, found {value!r}")
        return value

    def text(self, key: str) -> str:
        value: str = self._get(key, str, "a text")
        if not value.strip():
            self.fail(key, "empty")
        return value

    def texts(self, key: str) -> list[str]:
        values: list[Any] = self._get(key, list, "a list of texts")
        if not all(isinstance(value, str) for value in values):
            self.fail(key, f"expected a list of texts, found {values!r}")
        return values

    def integer(self, key: str) -> int:
        value: int = self._get(key, int, "a whole number")
        if value < 0:
            self.fail(key, "cannot be negative")
        return value

    def boolean(self, key: str, default: bool = _REQUIRED) -> bool:
        value: bool = self._get(key, bool, "true or false", default)
        return value

    def choice(self, key: str, choices: tuple[str, ...]) -> Any:
        value = self.text(key)
        if value not in choices:
            self.fail(key, f"unknown value {value!r} (expected one of {', '.join(choices)})")
        return value

    def table(self, key: str, read: Callable[[_Table], _T]) -> _T:
        """A table within this one, read by `read`."""
        data: dict[str, Any] = self._get(key, dict, "a table")
        table = _Table(self.path, self.item, f"{self.prefix}{key}.", data)
        return table.finish(read(table))

    def tables(self, key: str, read: Callable[[_Table], _T]) -> list[_T]:
        """An array of one or more tables, `[[key]]`, each read by `read`."""
        items: list[Any] = self._get(key, list, f"[[{key}]] tables")
        if not items or not all(isinstance(item, dict) for item in items):
            self.fail(key, f"expected one or more [[{key}]] tables")
        tables = [
            _Table(self.path, self.item, f"{self.prefix}{key}[{number}].", data)
            for number, data in enumerate(items, start=1)
        ]
        return [table.finish(read(table)) for table in tables]

    def localized(self, key: str) -> LocalizedText:
        return self.table(key, _localized)

    def finish(self, value: _T) -> _T:
        """`value`, read from this table, once no key is left unread."""
        for key in self.data:
            if key not in self._read:
                self.fail(key, "unknown field")
        return value


def _localized(table: _Table) -> LocalizedText:
    return {"en": table.text("en"), "nl": table.text("nl")}


# --------------------------------------------------------------------------------------------------
# The Markdown files
# --------------------------------------------------------------------------------------------------


class _Markdown:
    """The Markdown files under a data directory, and those of them the data has taken."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.used: set[Path] = set()

    def read(self, table: _Table, slug: str, folder: str, field: str) -> LocalizedText:
        """`field` of the item `table` is: `<folder>/<slug>.en.md` and `.nl.md`."""
        if field in table.data:
            table.fail(field, f"belongs in {folder}/{slug}.en.md and {folder}/{slug}.nl.md")
        return {
            "en": self._file(table, field, self.directory / folder / f"{slug}.en.md", "en"),
            "nl": self._file(table, field, self.directory / folder / f"{slug}.nl.md", "nl"),
        }

    def _file(self, table: _Table, field: str, path: Path, language: str) -> str:
        try:
            text = path.read_text(encoding="utf-8").removesuffix("\n")
        except FileNotFoundError:
            table.fail(f"{field}.{language}", f"missing file {path}")
        if not text.strip():
            raise DemoDataError(path, f"{table.item}: {field}.{language}", "empty")
        self.used.add(path)
        return text

    def check_all_used(self) -> None:
        for path in sorted(self.directory.rglob("*.md")):
            if path not in self.used:
                raise DemoDataError(
                    path, "(file)", "not used: no product or article of its slug and language"
                )
