"""`make screenshots`, second half: the README's few pictures, picked from the tour's
(tests/e2e/test_tour_screenshots.py, in tests/e2e/artifacts/tour/) and made small for git:
the top of the page, scaled down and reduced to a palette, each under `LIMIT_BYTES`.

    .venv/bin/python -m bench.screenshots
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TOUR = PROJECT_ROOT / "tests" / "e2e" / "artifacts" / "tour"
DOCS = PROJECT_ROOT / "docs" / "screenshots"
LIMIT_BYTES = 150_000

# (the tour's picture, the README's name): both languages, both sizes, the whole journey.
CHOSEN = {
    "en-02-home-desktop": "home-desktop-en",
    "nl-02-home-phone": "home-phone-nl",
    "en-03-category-phone": "category-phone-en",
    "nl-03-category-desktop": "category-desktop-nl",
    "nl-04-product-phone": "product-phone-nl",
    "en-05-cart-phone": "cart-phone-en",
    "nl-06-checkout-desktop": "checkout-desktop-nl",
    "en-08-payment-phone": "payment-phone-en",
    "nl-09-paid-phone": "order-paid-phone-nl",
    "en-11-back-office-desktop": "back-office-desktop-en",
}
# What is kept of a tall page: the window and a quarter more, as a visitor first sees it.
SHOWN_HEIGHT = {"phone": int(844 * 1.25), "desktop": int(800 * 1.25)}
WIDTH = {"phone": 390, "desktop": 800}
COLOURS = 96


def shrink(source: Path, target: Path, size: str) -> int:
    """Crop, scale and quantise `source` into `target`; its size in bytes."""
    with Image.open(source) as picture:
        # Taken at the window's width in CSS pixels (device scale 1), so heights compare.
        height = min(picture.height, SHOWN_HEIGHT[size])
        top = picture.convert("RGB").crop((0, 0, picture.width, height))
    scale = WIDTH[size] / top.width
    small = top.resize((WIDTH[size], round(top.height * scale)), Image.Resampling.LANCZOS)
    small.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    return target.stat().st_size


def main() -> int:
    missing = [name for name in CHOSEN if not (TOUR / f"{name}.png").exists()]
    if missing:
        print(f"not in {TOUR}: {', '.join(missing)}; run the tour first", file=sys.stderr)
        return 2
    DOCS.mkdir(parents=True, exist_ok=True)
    too_big = []
    for name, readme_name in CHOSEN.items():
        size = "phone" if "-phone" in name else "desktop"
        target = DOCS / f"{readme_name}.png"
        written = shrink(TOUR / f"{name}.png", target, size)
        print(f"{target.relative_to(PROJECT_ROOT)}: {written // 1000} KB")
        if written > LIMIT_BYTES:
            too_big.append(target.name)
    if too_big:
        print(f"over {LIMIT_BYTES // 1000} KB: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
