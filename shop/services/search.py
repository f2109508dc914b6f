"""Full-text product search: SQLite FTS5 or PostgreSQL tsvector, behind one function.

The user's text never reaches the query language: it is cut into word tokens and each is
turned into a quoted prefix term, so quotes, operators and huge strings are harmless.
The index objects (`products_fts`; `product_search` and its GIN index) are made by the
migrations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnClause,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from shop.db import is_sqlite
from shop.models import Product

MAX_TERMS = 8
MAX_TERM_LENGTH = 40

_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(query: str) -> list[str]:
    """The words of a query that search uses, lower-cased, in order, without duplicates."""
    terms: list[str] = []
    for match in _WORD.finditer(query[:2000]):
        word = match.group().lower()[:MAX_TERM_LENGTH].strip("_")
        if word and word not in terms:
            terms.append(word)
        if len(terms) == MAX_TERMS:
            break
    return terms


def _fts5_query(terms: Sequence[str]) -> str:
    return " ".join(f'"{term}"*' for term in terms)


def _tsquery(terms: Sequence[str], *, weights: str = "") -> str:
    return " & ".join(f"{term}:*{weights}" for term in terms)


# How many matches a search ranks. A word in half of a 100k catalogue matches 50k products:
# ranking them all took 150 ms at 10k products and 5-15 s at 100k (bench). Only the first
# products whose *name* matches (up to this many) and the first matches anywhere (this many
# again) are ranked, name matches first; a search with more says "more than 500 results"
# and asks for another word. At 100k products (migration 0024's structures, busy machine) the
# statement for two broad words takes ~5 ms on PostgreSQL and ~16 ms of CPU on SQLite.
MAX_CANDIDATES = 500


_BM25 = "bm25(products_fts, 10.0, 10.0, 4.0, 4.0, 1.0, 1.0)"  # names, summaries, descriptions
_BM25_NAMES = "bm25(product_names_fts)"
_TIER = 1_000_000.0  # bm25 scores are small negative numbers: a tier outweighs any score

# The statements below take the visitor's words as bound parameters (`search_parameters`), so
# each is built once per dialect and reused: building one took longer than SQLite's search.


def _ranked_sqlite() -> Select[Any]:
    """(product_id, rank) of the active candidates, lower rank first: the first active name
    matches, ranked among themselves by their names, before the first active matches anywhere.

    bm25() may only be called in a query on the FTS table itself, and asking FTS5 for a rank
    by rowid costs a full-text query per row, so each candidate query ranks its own rows,
    stopping at MAX_CANDIDATES. The name matches come from `product_names_fts` (migration
    0024), an index of the names alone: its prefix terms and bm25's count of the products
    holding each word (which bm25 makes on its first call, over the whole index) cost a
    fraction of the same in the index of every text. When the name matches fill the page,
    the matches anywhere only count towards the total and come after it, so they are not
    ranked: bm25's count over the big index, a third of a broad search, is skipped."""
    products = Product.__table__
    words = bindparam("fts_query", type_=String)
    candidates = bindparam("candidates", type_=Integer)
    page_end = bindparam("page_end", type_=Integer)

    def active_matches(index: str, *columns: Any) -> Select[Any]:
        rowid: ColumnClause[int] = literal_column(f"{index}.rowid", Integer)
        return (
            select(*columns)
            .select_from(table(index).join(products, products.c.id == rowid))
            .where(text(f"{index} MATCH :fts_query").bindparams(words), products.c.is_active)
        )

    names = active_matches(
        "product_names_fts",
        literal_column("product_names_fts.rowid").label("product_id"),
        literal_column(_BM25_NAMES).label("rank"),
    ).limit(candidates)
    page_of_names = active_matches("product_names_fts", literal_column("1")).limit(page_end)
    names_fill_page = and_(
        page_end <= candidates,
        select(func.count()).select_from(page_of_names.subquery()).scalar_subquery() >= page_end,
    )
    anywhere = active_matches(
        "products_fts",
        literal_column("products_fts.rowid").label("product_id"),
        case(
            (names_fill_page, literal(_TIER)),  # CASE evaluates bm25 only when it is needed
            else_=literal_column(_BM25) + _TIER,
        ).label("rank"),
    ).limit(candidates)
    both = union_all(select(names.subquery()), select(anywhere.subquery())).subquery()
    return select(both.c.product_id, func.min(both.c.rank).label("rank")).group_by(
        both.c.product_id
    )


def _ranked_postgresql() -> Select[Any]:
    """(product_id, rank) of the candidates, higher rank first: name matches first, as on
    SQLite. Each candidate query ranks the rows it reads, so no row is fetched twice. They
    read `product_search` (migration 0024), a narrow table that holds the vectors in its rows,
    not the wide `products`."""
    tsquery = func.to_tsquery(literal_column("'simple'"), bindparam("tsquery", type_=String))
    in_names = func.to_tsquery(literal_column("'simple'"), bindparam("tsquery_names", type_=String))
    searched = table(
        "product_search",
        column("product_id", Integer),
        column("is_active", Boolean),
        column("search_vector"),
    )
    vector: ColumnClause[Any] = searched.c.search_vector

    def first(query: ColumnElement[Any], tier: float) -> Select[Any]:
        return (
            select(
                searched.c.product_id.label("product_id"),
                (func.ts_rank(vector, tsquery) + tier).label("rank"),
            )
            .where(vector.op("@@")(query), searched.c.is_active.is_(True))
            .limit(bindparam("candidates", type_=Integer))
        )

    both = union_all(
        select(first(in_names, _TIER).subquery()), select(first(tsquery, 0.0).subquery())
    ).subquery()
    return select(both.c.product_id, func.max(both.c.rank).label("rank")).group_by(
        both.c.product_id
    )


def _ranked_active(dialect: str) -> Select[Any]:
    """(product_id, order) of the active candidates, lower `order` first."""
    if dialect == "sqlite":
        ranked = _ranked_sqlite().subquery()
        return select(ranked.c.product_id, ranked.c.rank.label("order"))
    ranked = _ranked_postgresql().subquery()
    return select(ranked.c.product_id, (-ranked.c.rank).label("order"))


def search_parameters(
    session: Session, terms: Sequence[str], *, limit: int = 0, offset: int = 0
) -> dict[str, Any]:
    """The values of the statements' parameters for `terms` and one page."""
    page = {"page_size": limit, "page_offset": offset, "candidates": MAX_CANDIDATES}
    if is_sqlite(session):
        return {"fts_query": _fts5_query(terms), "page_end": offset + limit, **page}
    return {"tsquery": _tsquery(terms), "tsquery_names": _tsquery(terms, weights="A"), **page}


def matching_products(dialect: str, *, columns: Sequence[Any] = (Product,)) -> Select[Any]:
    """SELECT of one page of the active products matching every term (their `columns`), best
    matches first, each row with the total (at most 2 × MAX_CANDIDATES; see there). The page
    is cut from the ranked ids before any product row is read. Its parameters:
    `search_parameters`; build it once per dialect and keep it."""
    ranked = _ranked_active(dialect).subquery()
    page = (
        select(ranked.c.product_id, ranked.c.order, func.count().over().label("total"))
        .order_by(ranked.c.order, ranked.c.product_id)
        .limit(bindparam("page_size", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
        .subquery()
    )
    return (
        select(*columns, page.c.total)
        .join(page, page.c.product_id == Product.id)
        .order_by(page.c.order, Product.id)
    )


def count_matching(dialect: str) -> Select[Any]:
    """SELECT of how many active products `matching_products` ranks (its parameters:
    `search_parameters`)."""
    return select(func.count()).select_from(_ranked_active(dialect).subquery())
