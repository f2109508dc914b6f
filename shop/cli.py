"""`flask --app shop …` commands for operators: demo data now; promo, orders, staff later."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

from shop import clock
from shop.extensions import db


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)


@click.command("seed-demo")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing when the catalogue already has products."
)
def seed_demo(if_empty: bool) -> None:
    """Load the demo shop (idempotent: what exists by slug is left alone)."""
    from shop.models import Product
    from shop.services.demo import load_demo_shop

    if if_empty and (db.session.scalar(select(func.count()).select_from(Product)) or 0) > 0:
        click.echo("The catalogue has products already; demo data not loaded.")
        return
    report = load_demo_shop(db.session, now=clock.now())
    click.echo(
        f"Demo shop: {report.categories_added} categories and "
        f"{report.products_added} products added, {report.skipped} already there."
    )
