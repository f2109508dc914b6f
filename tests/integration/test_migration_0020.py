"""Migration 0020 on a database with a picture from before it: the picture gets its sizes in
WebP and JPEG, made from the stored JPEG, and the downgrade drops them and keeps the picture.
On SQLite and PostgreSQL, in a database of its own."""

from __future__ import annotations

from io import BytesIO

from flask_migrate import downgrade, upgrade
from PIL import Image
from sqlalchemy import MetaData, create_engine, inspect, text

from shop import create_app
from shop.extensions import db
from tests.conftest import settings_for
from tests.integration.migration_support import insert_an_old_order
from tests.integration.test_migration_0009 import NOW, scratch_url  # noqa: F401


def _an_old_picture(url: str) -> None:
    out = BytesIO()
    Image.new("RGB", (1200, 800), (120, 80, 50)).save(out, "JPEG")
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    stamp = NOW.replace(tzinfo=None) if engine.dialect.name == "sqlite" else NOW
    with engine.begin() as connection:
        connection.execute(
            meta.tables["product_images"].insert(),
            {
                "id": 1,
                "product_id": 1,
                "position": 0,
                "alt_en": "",
                "alt_nl": "",
                "mime_type": "image/jpeg",
                "width": 1200,
                "height": 800,
                "data": out.getvalue(),
                "thumbnail": out.getvalue(),
                "etag": "old",
                "created_at": stamp,
            },
        )
    engine.dispose()


def test_an_old_picture_gets_its_sizes_and_keeps_itself_on_the_way_down(scratch_url):  # noqa: F811
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        upgrade(revision="0019")
        insert_an_old_order(scratch_url, vat_rate="reduced")
        _an_old_picture(scratch_url)

        upgrade()

        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT side, format, data FROM product_image_variants ORDER BY side, format")
            ).all()
        assert [(row.side, row.format) for row in rows] == [
            (side, kind) for side in (320, 640, 960, 1600) for kind in ("jpeg", "webp")
        ]
        largest = Image.open(BytesIO(bytes(rows[-1].data)))
        assert (largest.format, largest.size) == ("WEBP", (1200, 800))

        downgrade(revision="0019")
        assert "product_image_variants" not in inspect(db.engine).get_table_names()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM product_images")).scalar() == 1
        upgrade()
        db.engine.dispose()
