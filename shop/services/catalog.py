"""Reading the catalogue: what the storefront shows of what is on sale (categories, lists,
search, product pages) and what the back office lists and opens (every product, in any
state). Products are written by `services.products`.
"""

from __future__ import annotations

import enum
import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload, selectinload

from shop.models import (
    AllergenEntry,
    AllergyStatement,
    Category,
    Disclaimer,
    PriceChange,
    Product,
    ProductImage,
    RelatedProduct,
)
from shop.models.catalog import localized
from shop.refusals import Reason, Refused
from shop.rules.listing_filters import CategoryFilters, Sort
from shop.rules.product_kind import KIND_ORDER, ProductKind
from shop.services.search import (
    count_matching,
    matching_products,
    search_parameters,
    search_terms,
)

T = TypeVar("T")

__all__ = ["CategoryFilters", "Sort"]  # the listing's vocabulary, read by the web layer


class CatalogRefusal(Reason):
    NO_SUCH_PRODUCT = "no_such_product"  # product (its id or slug)
    NO_SUCH_PICTURE = "no_such_picture"  # image_id


class CatalogNotFound(Refused):
    """No such product (for sale, when asked by a customer) or picture."""

    def __init__(
        self, reason: CatalogRefusal = CatalogRefusal.NO_SUCH_PRODUCT, **params: Any
    ) -> None:
        super().__init__(reason, **params)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    total: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.page_count


# What a card or a product page shows of a picture; the stored bytes stay in the database
# until `/images/<id>` asks for them.
_IMAGE_FACTS = (
    ProductImage.id,
    ProductImage.product_id,
    ProductImage.position,
    ProductImage.alt_en,
    ProductImage.alt_nl,
    ProductImage.width,
    ProductImage.height,
)


@dataclass(frozen=True)
class CardImage:
    """What a product card shows of a picture (`_IMAGE_FACTS`, in that order)."""

    id: int
    product_id: int
    position: int
    alt_en: str
    alt_nl: str
    width: int
    height: int


@dataclass(frozen=True)
class ProductCard:
    """What a product card shows, as plain values read as rows: a list builds no ORM objects
    (24 `Product`s with their pictures cost more CPU than the page's queries). The descriptions,
    the bulk of a row, wait for the product page."""

    id: int
    slug: str
    category_id: int
    name_en: str
    name_nl: str
    summary_en: str
    summary_nl: str
    price_cents: int
    stock: int
    min_age: int
    images: tuple[CardImage, ...] = ()

    @classmethod
    def from_row(cls, row: Any, images: tuple[CardImage, ...]) -> ProductCard:
        """The card of a row that begins with `_CARD_COLUMNS`."""
        return cls(
            id=row[0],
            slug=row[1],
            category_id=row[2],
            name_en=row[3],
            name_nl=row[4],
            summary_en=row[5],
            summary_nl=row[6],
            price_cents=row[7],
            stock=row[8],
            min_age=row[9],
            images=images,
        )

    def name(self, locale: str) -> str:
        return localized(self, "name", locale)

    def summary(self, locale: str) -> str:
        return localized(self, "summary", locale)


# The columns of a `ProductCard`, in its fields' order.
_CARD_COLUMNS = (
    Product.id,
    Product.slug,
    Product.category_id,
    Product.name_en,
    Product.name_nl,
    Product.summary_en,
    Product.summary_nl,
    Product.price_cents,
    Product.stock,
    Product.min_age,
)

# `= true` rather than `IS true`: PostgreSQL uses an index only for the former, and the
# catalogue's indexes start with (category_id, is_active, <sort key>).
ON_SALE = Product.is_active == true()


@functools.cache
def _pictures_query() -> Select[*tuple[Any, ...]]:
    return (
        select(*_IMAGE_FACTS)
        .where(ProductImage.product_id.in_(bindparam("product_ids", expanding=True)))
        .order_by(ProductImage.product_id, ProductImage.position)
    )


def _cards(session: Session, rows: Sequence[Any]) -> list[ProductCard]:
    """The cards of `rows`, which begin with `_CARD_COLUMNS`, with their pictures: one query
    for the pictures of the whole list (none for an empty one)."""
    pictures: dict[int, list[CardImage]] = {}
    if rows:
        ids = {"product_ids": [row[0] for row in rows]}
        for image in session.execute(_pictures_query(), ids):
            pictures.setdefault(image.product_id, []).append(CardImage(*image))
    return [ProductCard.from_row(row, tuple(pictures.get(row[0], ()))) for row in rows]


def list_categories(session: Session) -> list[Category]:
    """Every category, in the staff's order."""
    return list(session.scalars(select(Category).order_by(Category.position, Category.id)))


@dataclass(frozen=True)
class CategorySummary:
    """What the storefront shows of a category, detached from any session (it is cached)."""

    id: int
    slug: str
    name_en: str
    name_nl: str
    description_en: str
    description_nl: str

    def name(self, locale: str) -> str:
        return localized(self, "name", locale)

    def description(self, locale: str) -> str:
        return localized(self, "description", locale)


def category_summaries(session: Session) -> list[CategorySummary]:
    """Every category in the staff's order, as plain values: one query."""
    return [CategorySummary(*row) for row in session.execute(_summaries_query())]


@functools.cache
def _summaries_query() -> Select[*tuple[Any, ...]]:
    # Built once: it is asked on every storefront page while the fragment cache is off.
    columns = (
        Category.id,
        Category.slug,
        Category.name_en,
        Category.name_nl,
        Category.description_en,
        Category.description_nl,
    )
    return select(*columns).order_by(Category.position, Category.id)


def featured_products(session: Session, limit: int = 8) -> list[ProductCard]:
    """Active products marked featured, newest first."""
    return _cards(session, session.execute(_featured_query(), {"limit": limit}).all())


@functools.cache
def _featured_query() -> Select[*tuple[Any, ...]]:
    return (
        select(*_CARD_COLUMNS)
        .where(Product.is_featured == true(), ON_SALE)
        .order_by(Product.created_at.desc(), Product.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )


def _shown_name(locale: str) -> ColumnElement[Any]:
    return literal_column(
        "products.name_sort_nl" if locale.startswith("nl") else "products.name_sort_en"
    )


def _ordering(sort: Sort, locale: str) -> list[ColumnElement[Any] | InstrumentedAttribute[Any]]:
    # Sort by the name the visitor reads (`localized` falls back to the other language when
    # one is empty), ignoring case: "albino A+" belongs before "Mexicana", not after "Zeta".
    # That is lower(coalesce(nullif(name_<shown>, ''), name_<other>)), kept by the database
    # in a generated, indexed column per language (migration 0006).
    shown_name = _shown_name(locale)
    orderings: dict[Sort, list[ColumnElement[Any] | InstrumentedAttribute[Any]]] = {
        Sort.NAME: [shown_name, Product.id],
        Sort.PRICE: [Product.price_cents, Product.id],
        Sort.PRICE_DESC: [Product.price_cents.desc(), Product.id.desc()],
        Sort.NEWEST: [Product.created_at.desc(), Product.id.desc()],
    }
    return orderings[sort]


def _filtered(filters: CategoryFilters) -> list[ColumnElement[bool]]:
    """The filters' conditions, their values bound as parameters (`_filter_values`)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.in_stock:
        conditions.append(Product.stock > 0)
    if filters.min_cents is not None:
        conditions.append(Product.price_cents >= bindparam("min_cents", type_=Integer))
    if filters.max_cents is not None:
        conditions.append(Product.price_cents <= bindparam("max_cents", type_=Integer))
    if filters.kinds:
        conditions.append(Product.kind.in_(bindparam("kinds", expanding=True)))
    return conditions


def _filter_values(filters: CategoryFilters) -> dict[str, Any]:
    return {
        "min_cents": filters.min_cents,
        "max_cents": filters.max_cents,
        "kinds": [kind.value for kind in filters.kinds],
    }


@dataclass(frozen=True)
class KindCount:
    """A product kind on a category page's filter, and how many products it would show."""

    kind: ProductKind
    count: int


@dataclass(frozen=True)
class CategoryListing:
    """One page of a category's products and the kinds its filter offers, with counts."""

    page: Page[ProductCard]
    kinds: list[KindCount]


def _kind_summary(filters: CategoryFilters) -> Select[Any]:
    """SELECT of "capsules:3,powder:2": the category's active products that pass every filter
    but the kind, counted per kind (NULL when there are none). One string, so it rides along
    with the page's rows instead of costing a query of its own."""
    others = CategoryFilters(
        in_stock=filters.in_stock, min_cents=filters.min_cents, max_cents=filters.max_cents
    )
    per_kind = (
        select(Product.kind.label("kind"), func.count().label("products"))
        .where(Product.category_id == bindparam("category_id"), ON_SALE, *_filtered(others))
        .group_by(Product.kind)
        .subquery()
    )
    entry = cast(per_kind.c.kind, String) + ":" + cast(per_kind.c.products, String)
    return select(func.aggregate_strings(entry, ",")).select_from(per_kind)


def _kind_counts(summary: str | None, filters: CategoryFilters) -> list[KindCount]:
    counts: dict[ProductKind, int] = {}
    for entry in (summary or "").split(","):
        kind, _, count = entry.partition(":")
        if kind in set(ProductKind):
            counts[ProductKind(kind)] = int(count)
    for kind in filters.kinds:
        counts.setdefault(kind, 0)  # listed even when none is left, so it can be unticked
    return [KindCount(kind, counts[kind]) for kind in sorted(counts, key=KIND_ORDER.__getitem__)]


def category_listing(
    session: Session,
    category: Category | CategorySummary,
    *,
    number: int,
    size: int,
    locale: str,
    filters: CategoryFilters | None = None,
) -> CategoryListing:
    """One page of a category's active products that pass the filters, in their sort, and
    the kinds of those passing the other filters, with counts: one query and the pictures'."""
    filters = filters or CategoryFilters()
    # Filtered counts are made every time: their combinations are the visitors' to make, so
    # keeping them would let anyone fill the memory.
    cache_key = (str(session.get_bind().engine.url), category.id)
    keeps_count = not filters.is_filtering
    known = _known_count(cache_key) if keeps_count else None
    # Built once per shape of filters (the values are parameters): building it cost more
    # CPU than running it.
    shape = _shape(filters)
    dutch = locale.startswith("nl")
    values = {
        "category_id": category.id,
        "page_size": size,
        "page_offset": (number - 1) * size,
        **_filter_values(filters),
    }
    rows = session.execute(_listing_query(shape, dutch, known is None), values).all()
    if known is not None:
        summary = known
    elif rows:
        summary = rows[0][len(_CARD_COLUMNS)]
    else:
        # Past the end, or nothing passes: counted apart so the page can say how many.
        summary = session.scalar(_kind_summary_query(shape), values)
    kinds = _kind_counts(summary, filters)
    total = sum(k.count for k in kinds if not filters.kinds or k.kind in filters.kinds)
    if keeps_count:
        _remember_count(cache_key, summary, total)
    page = Page(items=_cards(session, rows), number=number, size=size, total=total)
    return CategoryListing(page=page, kinds=kinds)


def _shape(filters: CategoryFilters) -> CategoryFilters:
    """Filters that ask for what `filters` asks for, with stand-in values: the key of a
    statement built once, whose values are parameters (`_filter_values`)."""
    return CategoryFilters(
        in_stock=filters.in_stock,
        min_cents=None if filters.min_cents is None else 0,
        max_cents=None if filters.max_cents is None else 0,
        kinds=filters.kinds[:1],
        sort=filters.sort,
    )


@functools.lru_cache(maxsize=256)
def _kind_summary_query(shape: CategoryFilters) -> Select[Any]:
    return _kind_summary(shape)


@functools.lru_cache(maxsize=256)
def _listing_query(shape: CategoryFilters, dutch: bool, with_summary: bool) -> Select[Any]:
    """SELECT of one page of a category's cards in `shape`'s filters and sort, with the kinds'
    summary when asked. The page's ids first, in index order from the index alone (a deep
    page skips thousands of entries without reading their rows), then the rows of those ids.
    One round trip."""
    ordering = _ordering(shape.sort, "nl" if dutch else "en")
    page_ids = (
        select(Product.id)
        .where(Product.category_id == bindparam("category_id"), ON_SALE, *_filtered(shape))
        .order_by(*ordering)
        .limit(bindparam("page_size", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
        .subquery()
    )
    columns: list[Any] = [*_CARD_COLUMNS]
    if with_summary:
        columns.append(_kind_summary(shape).scalar_subquery())
    return select(*columns).join(page_ids, Product.id == page_ids.c.id).order_by(*ordering)


# The counts of a large category are kept for a minute in each process: counting 60,000
# index entries costs ~10 ms a page on PostgreSQL, and a count a minute old ("63,890
# products") misleads nobody. It holds no visitor's data. Smaller categories are counted
# every time: that is cheap, and staff see their changes at once. Keyed by database and
# category; the value is the kinds' summary (see `_kind_summary`).
COUNT_KEPT_FROM = 10_000
COUNT_KEPT_SECONDS = 60.0
_kept_counts: dict[tuple[str, int], tuple[float, str | None]] = {}


def _known_count(key: tuple[str, int]) -> str | None:
    kept = _kept_counts.get(key)
    if kept is None or kept[0] < time.monotonic():
        return None
    return kept[1]


def _remember_count(key: tuple[str, int], summary: str | None, total: int) -> None:
    if total < COUNT_KEPT_FROM:
        _kept_counts.pop(key, None)
    elif _known_count(key) is None:
        _kept_counts[key] = (time.monotonic() + COUNT_KEPT_SECONDS, summary)


@functools.cache
def _card_search(dialect: str) -> Select[Any]:
    return matching_products(dialect, columns=_CARD_COLUMNS)


@functools.cache
def _search_count(dialect: str) -> Select[Any]:
    return count_matching(dialect)


def search_products(session: Session, query: str, *, number: int, size: int) -> Page[ProductCard]:
    """Active products matching every word of `query`, best matches first."""
    terms = search_terms(query)
    if not terms:
        return Page(items=[], number=number, size=size, total=0)
    dialect = session.get_bind().dialect.name
    parameters = search_parameters(session, terms, limit=size, offset=(number - 1) * size)
    rows = session.execute(_card_search(dialect), parameters).all()
    total = rows[0][len(_CARD_COLUMNS)] if rows else 0
    if not rows and number > 1:
        # Past the end: count once so the view can say how many pages there are.
        total = session.scalar(_search_count(dialect), parameters) or 0
    return Page(items=_cards(session, rows), number=number, size=size, total=total)


# How many names "did you mean" and the search box's list weigh: the first this many products
# on sale by name. Enough for any shop run by hand; a catalogue of thousands would need a
# trigram index instead (its suggestions then come from the first names only).
MAX_NAMES = 2000


def product_names(
    session: Session, locale: str, *, limit: int = MAX_NAMES
) -> list[tuple[str, str]]:
    """(slug, name in `locale`) of the products on sale, by name: one query."""
    query = (
        select(Product.slug, Product.name_en, Product.name_nl)
        .where(ON_SALE)
        .order_by(_shown_name(locale), Product.id)
        .limit(limit)
    )
    names: list[tuple[str, str]] = []
    for slug, name_en, name_nl in session.execute(query):
        shown = (name_nl or name_en) if locale.startswith("nl") else (name_en or name_nl)
        names.append((slug, shown))
    return names


def product_for_sale(session: Session, slug: str) -> Product:
    """An active product with everything its page shows (warnings, category, images)."""
    product: Product | None = (
        session.scalars(_product_page_query(), {"slug": slug}).unique().first()
    )
    if product is None:
        raise CatalogNotFound(product=slug)
    return product


@functools.cache
def _product_page_query() -> Select[*tuple[Any, ...]]:
    return (
        select(Product)
        .where(Product.slug == bindparam("slug"), Product.is_active.is_(True))
        # One round trip: a product has a handful of disclaimers and allergens, so joining
        # them all multiplies a few rows, which is cheaper than three queries.
        .options(
            joinedload(Product.category),
            joinedload(Product.allergy_statement).joinedload(AllergyStatement.entries),
            joinedload(Product.disclaimers),
            joinedload(Product.images).load_only(*_IMAGE_FACTS),
        )
    )


RELATED_LIMIT = 4


def related_products(
    session: Session, product: Product, limit: int = RELATED_LIMIT
) -> list[ProductCard]:
    """Up to `limit` products to show on `product`'s page: active ones, never itself; those in
    stock before those sold out, and within each the staff's picks (in their order) before
    others of the same category. Two queries (the cards and their pictures), whatever the
    catalogue's size."""
    values = {"product_id": product.id, "category_id": product.category_id, "limit": limit}
    return _cards(session, session.execute(_related_query(), values).all())


@functools.cache
def _related_query() -> Select[*tuple[Any, ...]]:
    product_id: BindParameter[int] = bindparam("product_id", type_=Integer)
    limit: BindParameter[int] = bindparam("limit", type_=Integer)
    picks = select(RelatedProduct.related_id).where(RelatedProduct.product_id == product_id)
    pick_position = (
        select(RelatedProduct.position)
        .where(RelatedProduct.product_id == product_id, RelatedProduct.related_id == Product.id)
        .correlate(Product)
        .scalar_subquery()
    )
    # The candidates, few whatever the category's size: the picks, and the category's first
    # `limit` in stock and sold out by name, each read in the order of the (category, active,
    # name) index. Ordering the whole category instead read all of its rows (~50k at 100k
    # products: ~350 ms a page on SQLite). Sold-out ones are looked for only when fewer than
    # `limit` are in stock, as only then can one be shown (a one-time condition).
    others = (Product.category_id == bindparam("category_id"), ON_SALE, Product.id != product_id)

    def first_by_name(*condition: ColumnElement[bool]) -> Select[Any]:
        return (
            select(Product.id)
            .where(*others, *condition)
            .order_by(Product.name_en, Product.id)
            .limit(limit)
        )

    in_stock = first_by_name(Product.stock > 0)
    too_few_in_stock = select(func.count()).select_from(in_stock.subquery()).scalar_subquery()
    candidates = union_all(
        picks,
        select(first_by_name(Product.stock > 0).subquery()),
        select(first_by_name(Product.stock <= 0, too_few_in_stock < limit).subquery()),
    )
    return (
        select(*_CARD_COLUMNS)
        .where(ON_SALE, Product.id != product_id, Product.id.in_(candidates))
        .order_by(
            case((Product.stock > 0, 0), else_=1),
            case((pick_position.is_(None), 1), else_=0),
            pick_position,
            Product.name_en,
            Product.id,
        )
        .limit(limit)
    )


# --- the back office -----------------------------------------------------------------------


class ProductFilter(enum.StrEnum):
    ALL = ""
    ACTIVE = "active"
    INACTIVE = "inactive"
    SOLD_OUT = "sold_out"
    MISSING_WARNINGS = "missing_warnings"


@dataclass(frozen=True)
class ProductRow:
    product: Product
    has_warnings: bool


def _has_warnings() -> ColumnElement[bool]:
    # The SQL twin of `services.products.missing_warnings` (the CHECK constraints already
    # guarantee texts in both languages): a disclaimer, and a statement that is "none known"
    # or names some.
    has_disclaimer = select(Disclaimer.id).where(Disclaimer.product_id == Product.id).exists()
    names_allergens = (
        select(AllergenEntry.allergen)
        .where(AllergenEntry.statement_id == AllergyStatement.id)
        .exists()
    )
    has_statement = (
        select(AllergyStatement.id)
        .where(
            AllergyStatement.product_id == Product.id,
            or_(AllergyStatement.has_no_known_allergens.is_(True), names_allergens),
        )
        .exists()
    )
    return and_(has_disclaimer, has_statement)


def list_products_for_staff(
    session: Session, *, search: str, status: ProductFilter, number: int, size: int
) -> Page[ProductRow]:
    """One page of products matching the staff's words (name or slug) and filter, by name."""
    has_warnings = _has_warnings()
    query = select(Product, has_warnings.label("has_warnings"), func.count().over()).options(
        joinedload(Product.category)
    )
    words = search.strip()
    if words:
        query = query.where(
            or_(
                Product.name_en.icontains(words, autoescape=True),
                Product.name_nl.icontains(words, autoescape=True),
                Product.slug.icontains(words, autoescape=True),
            )
        )
    if status == ProductFilter.ACTIVE:
        query = query.where(Product.is_active.is_(True))
    elif status == ProductFilter.INACTIVE:
        query = query.where(Product.is_active.is_(False))
    elif status == ProductFilter.SOLD_OUT:
        query = query.where(Product.stock <= 0)
    elif status == ProductFilter.MISSING_WARNINGS:
        query = query.where(~has_warnings)
    query = query.order_by(func.lower(Product.name_en), Product.id)
    rows = session.execute(query.limit(size).offset((number - 1) * size)).all()
    return Page(
        items=[ProductRow(row[0], bool(row[1])) for row in rows],
        number=number,
        size=size,
        total=rows[0][2] if rows else 0,
    )


def product_for_staff(session: Session, product_id: int) -> Product:
    """A product in any state with its warnings and pictures (not their bytes)."""
    product = session.scalars(
        select(Product)
        .where(Product.id == product_id)
        .options(
            joinedload(Product.category),
            selectinload(Product.disclaimers),
            selectinload(Product.allergy_statement).selectinload(AllergyStatement.entries),
            selectinload(Product.images).load_only(*_IMAGE_FACTS, ProductImage.mime_type),
        )
    ).first()
    if product is None:
        raise CatalogNotFound(product=product_id)
    return product


def first_picture_ids(
    session: Session, product_ids: set[int], *, on_sale_only: bool = False
) -> dict[int, int]:
    """Each product's first picture's id, by product id, for pages and e-mails about orders
    (which keep product ids, not products): one query, ids only."""
    query = (
        select(ProductImage.product_id, ProductImage.id)
        .where(ProductImage.product_id.in_(product_ids))
        # Position descending, so that the first picture is the last one written below.
        .order_by(ProductImage.product_id, ProductImage.position.desc())
    )
    if on_sale_only:
        query = query.join(Product).where(ON_SALE)
    return {row.product_id: row.id for row in session.execute(query)}


def price_history(session: Session, product_id: int, limit: int = 10) -> list[PriceChange]:
    """The product's latest prices, newest first."""
    return list(
        session.scalars(
            select(PriceChange)
            .where(PriceChange.product_id == product_id)
            .order_by(PriceChange.effective_at.desc(), PriceChange.id.desc())
            .limit(limit)
        )
    )
