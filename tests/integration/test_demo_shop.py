"""`flask --app shop seed-demo` loads a demo shop that a newcomer can browse at once."""

from __future__ import annotations

from markupsafe import escape
from sqlalchemy import func, select

from shop.demo_pictures import demo_pictures
from shop.illustrations import draw_scene
from shop.models import Category, Product, ProductImage


def seed(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_demo_fills_the_catalogue_with_complete_products(app, session):
    seed(app)

    products = session.scalars(select(Product)).all()
    assert len(products) >= 12
    assert session.scalar(select(func.count()).select_from(Category)) >= 4
    assert all(p.is_active for p in products)
    assert all(p.disclaimers and p.allergy_statement for p in products)
    assert [p.stock for p in products].count(0) == 1
    assert [p.min_age for p in products].count(21) == 1
    assert any(p.allergy_statement.has_no_known_allergens for p in products)


def test_seed_demo_twice_adds_nothing_the_second_time(app, session):
    seed(app)
    before = session.scalar(select(func.count()).select_from(Product))

    output = seed(app)

    assert "0 products added" in output
    assert session.scalar(select(func.count()).select_from(Product)) == before


def test_seed_demo_if_empty_leaves_a_shop_with_products_alone(app, session):
    seed(app)
    session.execute(Product.__table__.update().values(price_cents=1))
    session.commit()

    output = seed(app, "--if-empty")

    assert "not loaded" in output
    assert set(session.scalars(select(Product.price_cents))) == {1}


def test_every_demo_product_page_shows_its_warnings(app, session, verified_client):
    seed(app)

    for product in session.scalars(select(Product)):
        html = verified_client.get(f"/products/{product.slug}").get_data(as_text=True)
        assert escape(product.disclaimers[0].text_en) in html
        if not product.allergy_statement.has_no_known_allergens:
            assert escape(product.allergy_statement.warning_en) in html
        else:
            assert "No known allergens" in html


def test_seed_demo_draws_pictures_for_the_products_listed_and_leaves_the_others_without(
    app, session, verified_client
):
    seed(app)

    rows = session.execute(
        select(Product.slug, func.count(ProductImage.id))
        .outerjoin(ProductImage)
        .group_by(Product.slug)
    ).all()
    counts = dict(rows)
    listed = demo_pictures()
    assert {slug for slug, n in counts.items() if n} == set(listed)
    assert all(counts[slug] == len(pictures) for slug, pictures in listed.items())
    assert max(counts.values()) >= 2  # a gallery to show
    image = session.scalars(select(ProductImage).order_by(ProductImage.id)).first()
    assert image is not None and image.alt_en and image.alt_nl
    # Through the upload pipeline: its sizes exist and are served.
    served = verified_client.get(f"/images/{image.id}/320.webp")
    assert served.status_code == 200 and served.mimetype == "image/webp"


def test_a_drawn_picture_is_the_same_every_time():
    assert draw_scene("truffle-heap", "a-slug") == draw_scene("truffle-heap", "a-slug")
    assert draw_scene("truffle-heap", "a-slug") != draw_scene("truffle-heap", "another-slug")
