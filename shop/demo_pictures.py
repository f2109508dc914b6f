"""The demo products' pictures: which scenes each product shows, with their alt texts
(shop/data/demo/pictures.toml), drawn by shop.illustrations.

Belongs here: reading and checking that file; nothing about drawing or storing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from shop.illustrations import SCENES

PICTURES_FILE = Path(__file__).parent / "data" / "demo" / "pictures.toml"


@dataclass(frozen=True)
class DemoPicture:
    scene: str
    alt_en: str
    alt_nl: str


def demo_pictures(path: Path = PICTURES_FILE) -> dict[str, list[DemoPicture]]:
    """Each listed product's pictures by slug, first shown first (ValueError if the file is
    wrong: an unknown scene or one without both alt texts)."""
    with path.open("rb") as file:
        document = tomllib.load(file)
    alts: dict[str, tuple[str, str]] = {}
    for scene, table in document.get("scene", {}).items():
        if scene not in SCENES:
            raise ValueError(f"{path}: scene {scene!r} is not one shop.illustrations draws")
        alt = table.get("alt", {})
        if not alt.get("en") or not alt.get("nl"):
            raise ValueError(f"{path}: scene {scene!r} needs alt.en and alt.nl")
        alts[scene] = (alt["en"], alt["nl"])
    pictures = {}
    for slug, scenes in document.get("products", {}).items():
        unknown = [scene for scene in scenes if scene not in alts]
        if unknown:
            raise ValueError(f"{path}: product {slug!r} names scenes without alt texts {unknown}")
        pictures[slug] = [DemoPicture(scene, *alts[scene]) for scene in scenes]
    return pictures
