"""Full-text product search: SQLite FTS5 or PostgreSQL tsvector, behind one function.

The user's text never reaches the query language: it is cut into word tokens and each is
turned into a quoted prefix term, so quotes, operators and huge strings are harmless.
The index objects (`products_fts`, `products.search_vector`) are made by the migrations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import Select, func, literal_column, select, table, text
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


def _tsquery(terms: Sequence[str]) -> str:
    return " & ".join(f"{term}:*" for term in terms)


def matching_products(session: Session, terms: Sequence[str]) -> Select:
    """SELECT of active products matching every term, best matches first, with a total count."""
    total = func.count().over().label("total")
    if is_sqlite(session):
        # bm25() may only be called in a query on the FTS table itself, so rank there and join.
        ranked = (
            select(
                literal_column("rowid").label("product_id"),
                # Lower is better; names weigh most, then summaries, then descriptions.
                literal_column("bm25(products_fts, 10.0, 10.0, 4.0, 4.0, 1.0, 1.0)").label("rank"),
            )
            .select_from(table("products_fts"))
            .where(text("products_fts MATCH :fts_query").bindparams(fts_query=_fts5_query(terms)))
            .cte("ranked")
            .prefix_with("MATERIALIZED", dialect="sqlite")
        )
        return (
            select(Product, total)
            .join(ranked, ranked.c.product_id == Product.id)
            .where(Product.is_active.is_(True))
            .order_by(ranked.c.rank, Product.id)
        )
    tsquery = func.to_tsquery(literal_column("'simple'"), _tsquery(terms))
    vector = literal_column("products.search_vector")
    return (
        select(Product, total)
        .where(vector.op("@@")(tsquery))
        .where(Product.is_active.is_(True))
        .order_by(func.ts_rank(vector, tsquery).desc(), Product.id)
    )
