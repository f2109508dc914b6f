"""The shop the rush hits, and what must hold afterwards.

`seed_campaign` loads the demo shop into a fresh database and adds the campaign: a public
Halloween code running now with a use limit, and modest stock on the campaign's product, so
that "no code used past its limit" and "no stock below zero" are tested by the load, not
just true because nothing ran out. `check_invariants` reads the database after the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

CODE = "HALLOWEENRUSH"
RUSH_PRODUCT = "microdosing-kit-starter"
# What a buyer types into the checkout form besides the e-mail address and the code: an
# adult with a Dutch address (the two-server tests check out as her as well).
BUYER = {
    "name": "Ann de Vries",
    "street": "Prinsengracht 263",
    "postcode": "1016 GV",
    "city": "Amsterdam",
    "country": "NL",
    "day": "17",
    "month": "5",
    "year": "1990",
}


@dataclass(frozen=True)
class Invariants:
    orders: int  # placed during the run
    paid_orders: int
    confirmation_emails: int
    orders_paid_twice_or_not_recorded: int  # paid orders whose "paid" step is not exactly one
    products_below_zero: int
    codes_past_limit: int
    codes_miscounted: int  # times_used differs from the code's redemptions
    code_uses: int
    code_limit: int
    rush_stock_left: int

    @property
    def problems(self) -> list[str]:
        found = []
        if self.paid_orders != self.confirmation_emails:
            found.append(
                f"{self.paid_orders} paid orders but {self.confirmation_emails} confirmations"
            )
        if self.orders_paid_twice_or_not_recorded:
            found.append(f"{self.orders_paid_twice_or_not_recorded} orders without one paid step")
        if self.products_below_zero:
            found.append(f"{self.products_below_zero} products with stock below zero")
        if self.codes_past_limit:
            found.append(f"{self.codes_past_limit} codes used past their limit")
        if self.codes_miscounted:
            found.append(f"{self.codes_miscounted} codes whose use count is not their uses")
        return found


def seed_campaign(app: Any, *, code_limit: int, rush_stock: int) -> None:
    """The demo shop, a running public code limited to `code_limit` uses, and `rush_stock`
    units of the campaign product."""
    from zoneinfo import ZoneInfo

    from bench.data import _analyze
    from shop import clock
    from shop.extensions import db
    from shop.models import Product
    from shop.rules.promotions import Kind, window_from_local
    from shop.services.demo import load_demo_promotions, load_demo_shop
    from shop.services.promotions import PromoDraft, create_promo_code

    with app.app_context():
        session = db.session()
        now = clock.now()
        tz: ZoneInfo = clock.shop_timezone()
        load_demo_shop(session, now=now)
        load_demo_promotions(session, now=now, tz=tz)
        today = now.astimezone(tz).date()
        create_promo_code(
            session,
            PromoDraft(
                code=CODE,
                kind=Kind.PERCENT,
                value=15,
                window=window_from_local(today, today + timedelta(days=2), tz),
                usage_limit=code_limit,
                is_public=True,
                banner_title_en="Halloween rush",
                banner_title_nl="Halloween-actie",
                banner_text_en="Use the code below at checkout to receive 15% off your order",
                banner_text_nl="Gebruik de code hieronder bij het afrekenen voor 15% korting",
            ),
            now=now,
        )
        session.execute(
            update(Product).where(Product.slug == RUSH_PRODUCT).values(stock=rush_stock)
        )
        session.commit()
        _analyze(session)
        db.session.remove()
        db.engine.dispose()


def check_invariants(app: Any) -> Invariants:
    """What the database says after the rush."""
    from shop.extensions import db
    from shop.models import Order, OrderStatusEvent, OutboxEmail, Product, PromoCode
    from shop.models.orders import OrderStep
    from shop.models.promotions import PromoRedemption
    from shop.services.emails import ORDER_CONFIRMATION

    with app.app_context():
        session = db.session()
        try:
            count = lambda query: session.scalar(query) or 0  # noqa: E731
            paid_steps = (
                select(func.count())
                .select_from(OrderStatusEvent)
                .where(
                    OrderStatusEvent.order_id == Order.id, OrderStatusEvent.step == OrderStep.PAID
                )
                .scalar_subquery()
            )
            redemptions = (
                select(func.count())
                .select_from(PromoRedemption)
                .where(PromoRedemption.promo_code_id == PromoCode.id)
                .scalar_subquery()
            )
            code = session.execute(
                select(PromoCode.times_used, PromoCode.usage_limit).where(
                    PromoCode.code == CODE.lower()
                )
            ).one()
            return Invariants(
                orders=count(select(func.count()).select_from(Order)),
                paid_orders=count(
                    select(func.count()).select_from(Order).where(Order.paid_at.is_not(None))
                ),
                confirmation_emails=count(
                    select(func.count())
                    .select_from(OutboxEmail)
                    .where(OutboxEmail.kind == ORDER_CONFIRMATION)
                ),
                orders_paid_twice_or_not_recorded=count(
                    select(func.count())
                    .select_from(Order)
                    .where(Order.paid_at.is_not(None), paid_steps != 1)
                ),
                products_below_zero=count(
                    select(func.count()).select_from(Product).where(Product.stock < 0)
                ),
                codes_past_limit=count(
                    select(func.count())
                    .select_from(PromoCode)
                    .where(PromoCode.usage_limit.is_not(None))
                    .where(PromoCode.times_used > PromoCode.usage_limit)
                ),
                codes_miscounted=count(
                    select(func.count())
                    .select_from(PromoCode)
                    .where(PromoCode.times_used != redemptions)
                ),
                code_uses=code.times_used,
                code_limit=code.usage_limit or 0,
                rush_stock_left=count(select(Product.stock).where(Product.slug == RUSH_PRODUCT)),
            )
        finally:
            db.session.remove()
            db.engine.dispose()
