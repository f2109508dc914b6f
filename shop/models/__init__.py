"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from shop.models.agegate import AgeCheck, AgeCheckMethod, AgeCheckOutcome
from shop.models.articles import Article, ArticleProduct, ArticleStatus
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
from shop.models.orders import (
    AcknowledgedWarning,
    Order,
    OrderLine,
    OrderStatus,
    WarningKind,
)
from shop.models.payments import (
    EmailStatus,
    OutboxEmail,
    PaymentAttempt,
    PaymentEvent,
    PaymentProvider,
    Refund,
)
from shop.models.promotions import (
    PriceChange,
    PromoCode,
    PromoRedemption,
    promo_code_categories,
    promo_code_products,
)
from shop.models.staff import AuditEntry, Role, StaffMember, StaffRecoveryCode

__all__ = [
    "ALLERGENS",
    "AcknowledgedWarning",
    "AgeCheck",
    "AgeCheckMethod",
    "AgeCheckOutcome",
    "AllergenEntry",
    "AllergenPresence",
    "AllergyStatement",
    "Article",
    "ArticleProduct",
    "ArticleStatus",
    "AuditEntry",
    "Category",
    "Disclaimer",
    "DisclaimerKind",
    "EmailStatus",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OutboxEmail",
    "PaymentAttempt",
    "PaymentEvent",
    "PaymentProvider",
    "PriceChange",
    "Product",
    "ProductImage",
    "PromoCode",
    "PromoRedemption",
    "Refund",
    "Role",
    "StaffMember",
    "StaffRecoveryCode",
    "WarningKind",
    "promo_code_categories",
    "promo_code_products",
]
