"""Age verification: one interface (`AgeVerifier`), three ways to verify an age.

- `confirm` (self_declaration): the visitor answers "yes, I am 18 or older";
- `dob` (birth_date): the visitor types a date of birth, judged and forgotten;
- `oidc` (oidc): an OpenID provider (an iDIN broker, a national eID) signs an ID token whose
  age claim says the visitor is old enough; only the outcome, the provider and its
  transaction reference are kept.

What belongs here: deciding a `Verdict` from what the visitor or the provider sent. Where a
verification is asked (gate, checkout) and what the session keeps are the web layer's;
the audit row is written by `shop.services.agegate.record_age_check`.
"""

from shop.services.age_verification.base import AgeVerifier, Verdict, VerificationProblem
from shop.services.age_verification.birth_date import BirthDateVerifier
from shop.services.age_verification.oidc import (
    OidcProvider,
    OidcSettings,
    OidcVerifier,
    PendingAuthorization,
)
from shop.services.age_verification.provider_documents import (
    ProviderDocuments,
    ProviderUnavailable,
)
from shop.services.age_verification.self_declaration import SelfDeclarationVerifier

__all__ = [
    "AgeVerifier",
    "BirthDateVerifier",
    "OidcProvider",
    "OidcSettings",
    "OidcVerifier",
    "PendingAuthorization",
    "ProviderDocuments",
    "ProviderUnavailable",
    "SelfDeclarationVerifier",
    "Verdict",
    "VerificationProblem",
]
