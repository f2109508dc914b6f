"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from shop.models.agegate import AgeCheck, AgeCheckMethod, AgeCheckOutcome
from shop.models.catalog import (
    ALLERGENS,
    AllergenEntry,
    AllergenPresence,
    AllergyStatement,
    Category,
    Disclaimer,
    DisclaimerKind,
    Product,
    ProductImage,
)

__all__ = [
    "ALLERGENS",
    "AgeCheck",
    "AgeCheckMethod",
    "AgeCheckOutcome",
    "AllergenEntry",
    "AllergenPresence",
    "AllergyStatement",
    "Category",
    "Disclaimer",
    "DisclaimerKind",
    "Product",
    "ProductImage",
]
