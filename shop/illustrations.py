"""The demo shop's product pictures, drawn here with Pillow instead of borrowed photographs.

Belongs here: flat illustrations of what the shop sells (truffles, microdosing kits, grow
kits, medicinal mushrooms and their jars and pouches), one function per scene, each drawn
from a seed so a product always gets the same picture and two products of one kind differ
in colour and arrangement. Nothing about Flask or the database: `draw_scene` returns PNG
bytes that go through `shop.images.prepare_image` like a staff upload.

Drawn at twice the delivered size and scaled down, since Pillow's shapes have no
anti-aliasing of their own; coordinates are on a 1000 × 1000 grid.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from io import BytesIO

from PIL import Image, ImageDraw

SIDE = 960
_SCALE = 2 * SIDE / 1000

RGB = tuple[int, int, int]
_Box = tuple[float, float, float, float]

# Soft studio backgrounds (top, bottom) that sit well beside the shop's green.
_BACKDROPS: tuple[tuple[RGB, RGB], ...] = (
    ((246, 239, 228), (233, 221, 203)),
    ((236, 242, 233), (217, 228, 212)),
    ((244, 236, 240), (229, 215, 222)),
    ((235, 240, 246), (214, 224, 234)),
    ((247, 242, 222), (234, 225, 193)),
)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return (r, g, bl)


def _shade(colour: RGB, t: float) -> RGB:
    """Darker (t < 0, towards black) or lighter (t > 0, towards white)."""
    return _mix(colour, (0, 0, 0), -t) if t < 0 else _mix(colour, (255, 255, 255), t)


class _Canvas:
    """A drawing surface on the 1000-unit grid."""

    def __init__(self, backdrop: tuple[RGB, RGB]) -> None:
        side = round(1000 * _SCALE)
        top, bottom = backdrop
        self.image = Image.new("RGB", (side, side), top)
        ramp = ImageDraw.Draw(self.image)
        for y in range(side):
            ramp.line([(0, y), (side, y)], fill=_mix(top, bottom, y / side))
        self.draw = ImageDraw.Draw(self.image)

    def _box(self, box: _Box) -> list[float]:
        return [v * _SCALE for v in box]

    def ellipse(self, box: _Box, fill: RGB) -> None:
        self.draw.ellipse(self._box(box), fill=fill)

    def circle(self, x: float, y: float, r: float, fill: RGB) -> None:
        self.ellipse((x - r, y - r, x + r, y + r), fill)

    def rect(self, box: _Box, fill: RGB, radius: float = 0) -> None:
        self.draw.rounded_rectangle(self._box(box), radius=radius * _SCALE, fill=fill)

    def polygon(self, points: list[tuple[float, float]], fill: RGB) -> None:
        self.draw.polygon([(x * _SCALE, y * _SCALE) for x, y in points], fill=fill)

    def pie(self, box: _Box, start: float, end: float, fill: RGB) -> None:
        self.draw.pieslice(self._box(box), start, end, fill=fill)

    def chord(self, box: _Box, start: float, end: float, fill: RGB) -> None:
        self.draw.chord(self._box(box), start, end, fill=fill)

    def line(self, points: list[tuple[float, float]], fill: RGB, width: float) -> None:
        self.draw.line(
            [(x * _SCALE, y * _SCALE) for x, y in points],
            fill=fill,
            width=max(1, round(width * _SCALE)),
            joint="curve",
        )

    def floor_shadow(self, cx: float, y: float, half_width: float, colour: RGB) -> None:
        self.ellipse(
            (cx - half_width, y - half_width * 0.12, cx + half_width, y + half_width * 0.12), colour
        )

    def png(self) -> bytes:
        out = BytesIO()
        # Averaging each 2 × 2 block is all the smoothing a 2× drawing needs, and fast; so is
        # the lightest PNG compression, for a file that is decoded a moment later.
        self.image.reduce(2).save(out, "PNG", compress_level=1)
        return out.getvalue()


# --- the motifs --------------------------------------------------------------------------------


def _truffle(c: _Canvas, rng: random.Random, x: float, y: float, r: float, brown: RGB) -> None:
    """A knobbly sclerotium: a few overlapping lumps, shaded, with pits."""
    lumps = [(x, y, r)]
    for _ in range(rng.randint(3, 5)):
        angle = rng.uniform(0, 6.283)
        distance = r * rng.uniform(0.35, 0.6)
        lumps.append(
            (
                x + distance * _cos(angle),
                y + distance * _sin(angle) * 0.8,
                r * rng.uniform(0.5, 0.75),
            )
        )
    for lx, ly, lr in lumps:
        c.circle(lx + r * 0.06, ly + r * 0.08, lr, _shade(brown, -0.35))
    for lx, ly, lr in lumps:
        c.circle(lx - r * 0.02, ly - r * 0.03, lr * 0.9, brown)
    for lx, ly, lr in lumps:
        c.circle(lx - lr * 0.3, ly - lr * 0.35, lr * 0.32, _shade(brown, 0.18))
    for _ in range(rng.randint(4, 7)):
        lx, ly, lr = rng.choice(lumps)
        c.circle(
            lx + rng.uniform(-0.5, 0.5) * lr,
            ly + rng.uniform(-0.4, 0.5) * lr,
            r * 0.05,
            _shade(brown, -0.3),
        )


def _truffle_heap(
    c: _Canvas, rng: random.Random, cx: float, cy: float, spread: float, brown: RGB
) -> None:
    spots = [(cx + dx * spread, cy + dy * spread * 0.55) for dx, dy in _HEAP]
    rng.shuffle(spots)
    spots = spots[: rng.randint(5, len(spots))]
    spots.sort(key=lambda p: p[1])  # back row first
    for x, y in spots:
        tint = _shade(brown, rng.uniform(-0.12, 0.12))
        _truffle(c, rng, x, y, spread * rng.uniform(0.2, 0.27), tint)


_HEAP = (
    (-0.55, 0.1),
    (0.0, -0.1),
    (0.55, 0.05),
    (-0.3, 0.55),
    (0.32, 0.6),
    (-0.8, 0.6),
    (0.85, 0.55),
)


def _mushroom(
    c: _Canvas, x: float, base: float, height: float, cap_width: float, cap: RGB, stem: RGB
) -> None:
    """A mushroom standing at (x, base): a tapered stem and a domed cap."""
    top = base - height
    c.polygon(
        [
            (x - cap_width * 0.14, base),
            (x + cap_width * 0.14, base),
            (x + cap_width * 0.1, top),
            (x - cap_width * 0.1, top),
        ],
        stem,
    )
    c.chord(
        (x - cap_width / 2, top - cap_width * 0.28, x + cap_width / 2, top + cap_width * 0.1),
        180,
        360,
        _shade(cap, -0.15),
    )
    c.chord(
        (x - cap_width / 2, top - cap_width * 0.36, x + cap_width / 2, top + cap_width * 0.3),
        180,
        360,
        cap,
    )
    c.circle(x - cap_width * 0.18, top - cap_width * 0.14, cap_width * 0.07, _shade(cap, 0.3))
    c.circle(x + cap_width * 0.1, top - cap_width * 0.2, cap_width * 0.045, _shade(cap, 0.3))


def _mushroom_icon(c: _Canvas, x: float, y: float, size: float, colour: RGB) -> None:
    c.pie((x - size, y - size * 0.8, x + size, y + size * 0.8), 180, 360, colour)
    c.rect(
        (x - size * 0.25, y - size * 0.02, x + size * 0.25, y + size * 0.75), colour, size * 0.15
    )


def _capsule(
    c: _Canvas, x: float, y: float, length: float, tilt: float, left: RGB, right: RGB
) -> None:
    """A two-coloured capsule centred on (x, y), `tilt` radians from horizontal."""
    dx, dy = _cos(tilt) * length / 2, _sin(tilt) * length / 2
    width = length * 0.36
    c.line([(x - dx, y - dy), (x, y)], left, width)
    c.line([(x, y), (x + dx, y + dy)], right, width)
    c.circle(x - dx, y - dy, width / 2, left)
    c.circle(x + dx, y + dy, width / 2, right)
    c.line(
        [(x - dx * 0.7, y - dy * 0.7 - width * 0.2), (x - dx * 0.1, y - dy * 0.1 - width * 0.2)],
        _shade(left, 0.35),
        width * 0.18,
    )


def _box(c: _Canvas, box: _Box, depth: float, front: RGB) -> None:
    """A carton in three-quarter view: front, right side and top faces."""
    x0, y0, x1, y1 = box
    c.polygon(
        [(x0, y0), (x0 + depth, y0 - depth * 0.6), (x1 + depth, y0 - depth * 0.6), (x1, y0)],
        _shade(front, 0.2),
    )
    c.polygon(
        [(x1, y0), (x1 + depth, y0 - depth * 0.6), (x1 + depth, y1 - depth * 0.6), (x1, y1)],
        _shade(front, -0.2),
    )
    c.rect((x0, y0, x1, y1), front)


def _label(c: _Canvas, box: _Box, paper: RGB, ink: RGB) -> None:
    x0, y0, x1, y1 = box
    c.rect(box, paper, (y1 - y0) * 0.08)
    mid = (x0 + x1) / 2
    _mushroom_icon(c, mid, y0 + (y1 - y0) * 0.32, (x1 - x0) * 0.14, ink)
    c.rect(
        (x0 + (x1 - x0) * 0.18, y0 + (y1 - y0) * 0.62, x1 - (x1 - x0) * 0.18, y0 + (y1 - y0) * 0.7),
        ink,
        4,
    )
    c.rect(
        (x0 + (x1 - x0) * 0.3, y0 + (y1 - y0) * 0.77, x1 - (x1 - x0) * 0.3, y0 + (y1 - y0) * 0.82),
        _shade(ink, 0.45),
        3,
    )


def _jar(c: _Canvas, x: float, base: float, width: float, body: RGB, lid: RGB, band: RGB) -> None:
    height = width * 1.35
    top = base - height
    c.rect((x - width / 2, top + width * 0.12, x + width / 2, base), body, width * 0.14)
    c.rect(
        (x + width * 0.28, top + width * 0.2, x + width / 2, base - width * 0.05),
        _shade(body, -0.15),
        width * 0.1,
    )
    c.rect(
        (x - width * 0.4, top - width * 0.08, x + width * 0.4, top + width * 0.18),
        lid,
        width * 0.05,
    )
    for i in range(6):
        gx = x - width * 0.33 + i * width * 0.13
        c.line(
            [(gx, top - width * 0.05), (gx, top + width * 0.15)], _shade(lid, -0.15), width * 0.025
        )
    _label(
        c,
        (x - width * 0.42, top + width * 0.4, x + width * 0.42, base - width * 0.18),
        (252, 249, 242),
        band,
    )


def _pouch(c: _Canvas, x: float, base: float, width: float, colour: RGB, band: RGB) -> None:
    height = width * 1.3
    top = base - height
    c.polygon(
        [
            (x - width / 2, top + 20),
            (x + width / 2, top + 20),
            (x + width * 0.54, base),
            (x - width * 0.54, base),
        ],
        colour,
    )
    c.rect((x - width / 2, top, x + width / 2, top + width * 0.12), _shade(colour, -0.12), 10)
    c.line(
        [(x - width * 0.45, top + width * 0.2), (x + width * 0.45, top + width * 0.2)],
        _shade(colour, -0.2),
        6,
    )
    c.polygon(
        [
            (x + width * 0.3, top + 20),
            (x + width / 2, top + 20),
            (x + width * 0.54, base),
            (x + width * 0.36, base),
        ],
        _shade(colour, -0.1),
    )
    _label(
        c,
        (x - width * 0.36, top + width * 0.4, x + width * 0.36, base - width * 0.22),
        (252, 249, 242),
        band,
    )


# --- the scenes --------------------------------------------------------------------------------


def _scene_truffle_heap(c: _Canvas, rng: random.Random, colours: _Palette) -> None:
    c.floor_shadow(500, 700, 390, _shade(colours.backdrop, -0.1))
    c.ellipse((140, 560, 860, 800), _shade(colours.accent, 0.55))
    c.ellipse((170, 575, 830, 770), _shade(colours.accent, 0.8))
    _truffle_heap(c, rng, 500, 560, 330, colours.brown)


def _scene_truffle_pack(c: _Canvas, rng: random.Random, colours: _Palette) -> None:
    c.floor_shadow(500, 850, 330, _shade(colours.backdrop, -0.1))
    c.rect((220, 180, 780, 850), (226, 232, 228), 40)
    c.rect((240, 200, 760, 830), (238, 242, 239), 32)
    c.rect((220, 180, 780, 250), _shade(colours.accent, -0.05), 30)
    _truffle_heap(c, rng, 500, 620, 220, colours.brown)
    c.line([(290, 300), (290, 760)], (252, 252, 252), 14)
    c.line([(330, 300), (330, 420)], (252, 252, 252), 8)
    _label(c, (380, 280, 620, 450), (252, 249, 242), colours.accent)
    for x, y in ((805, 800), (160, 820)):
        _truffle(c, rng, x, y, 55, _shade(colours.brown, 0.05))


def _scene_kit_box(c: _Canvas, rng: random.Random, colours: _Palette) -> None:
    c.floor_shadow(520, 820, 380, _shade(colours.backdrop, -0.1))
    _box(c, (200, 330, 700, 820), 150, colours.accent)
    c.rect((200, 430, 700, 470), _shade(colours.accent, 0.35))
    _label(c, (330, 520, 570, 760), (252, 249, 242), _shade(colours.accent, -0.3))
    for i in range(4):
        _capsule(
            c,
            620 + i * 75,
            880 - (i % 2) * 30,
            120,
            rng.uniform(-0.9, -0.4),
            colours.capsule,
            (250, 248, 240),
        )


def _scene_kit_contents(c: _Canvas, rng: random.Random, colours: _Palette) -> None:
    c.floor_shadow(500, 800, 420, _shade(colours.backdrop, -0.1))
    # a blister strip: ten capsules in their wells
    c.rect((130, 430, 560, 760), (214, 219, 224), 26)
    for row in range(2):
        for col in range(5):
            x, y = 180 + col * 82, 520 + row * 150
            c.ellipse((x - 34, y - 60, x + 34, y + 60), (234, 238, 241))
            _capsule(c, x, y, 100, 1.5708, colours.capsule, (250, 248, 240))
    _jar(c, 740, 790, 250, (250, 247, 240), _shade(colours.accent, -0.2), colours.accent)
    for i in range(3):
        _capsule(
            c,
            300 + i * 120,
            850 + rng.uniform(-15, 15),
            105,
            rng.uniform(-0.6, 0.6),
            colours.capsule,
            (250, 248, 240),
        )


def _scene_grow_kit(c: _Canvas, rng: random.Random, colours: _Palette) -> None:
    c.floor_shadow(500, 860, 400, _shade(colours.backdrop, -0.1))
    cardboard = (196, 156, 108)
    _box(c, (180, 520, 720, 860), 140, cardboard)
    c.polygon(
        [(180, 520), (320, 436), (860, 436), (720, 520)], (92, 70, 52)
    )  # the open top: substrate
    c.polygon([(180, 520), (100, 420), (240, 340), (320, 436)], _shade(cardboard, 0.1))  # flap
    _label(c, (300, 600, 600, 820), (252, 249, 242), colours.accent)
    spots = [
        (300, 480),
        (420, 470),
        (540, 470),
        (660, 470),
        (360, 505),
        (480, 505),
        (610, 505),
        (740, 470),
    ]
    rng.shuffle(spots)
    for x, base in sorted(spots[: rng.randint(6, 8)], key=lambda p: p[1]):
        height = rng.uniform(110, 220)
        _mushroom(
            c,
            x + rng.uniform(-20, 20),
            base,
            height,
            rng.uniform(150, 210),
            _shade(colours.cap, rng.uniform(-0.1, 0.1)),
            (244, 236, 222),
        )


def _scene_grow_kit_lions_mane(c: _Canvas, rng: random.Random, colours: _Palette) -> None:
    c.floor_shadow(500, 860, 400, _shade(colours.backdrop, -0.1))
    _box(c, (220, 330, 700, 860), 130, (196, 156, 108))
    c.rect((260, 380, 660, 470), (250, 247, 240), 10)
    c.polygon([(360, 560), (560, 560), (540, 600), (380, 600)], (92, 70, 52))  # the cut in the bag
    _shaggy(c, rng, 460, 600, 300, colours.cream)
    _label(c, (330, 720, 590, 840), (252, 249, 242), colours.accent)


def _shaggy(c: _Canvas, rng: random.Random, cx: float, cy: float, w: float, cream: RGB) -> None:
    """Lion's Mane: a rounded cream body hung with rows of tapering spines, short near the
    top and long at the bottom, each row overlapping the tips of the one above."""
    h = w * 0.78
    c.ellipse((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), _shade(cream, -0.08))
    rows = 11
    for row in range(rows):
        t = row / (rows - 1)
        y = cy - h / 2 + h * 0.02 + t * h * 0.8
        across = (y - cy) / (h / 2)
        half = (w / 2) * max(0.0, 1 - across * across) ** 0.5
        length = w * (0.05 + 0.17 * t)
        width = w * 0.04
        count = max(3, int(2 * half / (width * 0.7)))
        tone = _shade(cream, 0.2 - 0.3 * t)
        for i in range(count):
            x = cx - half + (i + 0.5) * 2 * half / count + rng.uniform(-2, 2)
            tip = length * rng.uniform(0.8, 1.25)
            c.polygon(
                [(x - width / 2, y), (x + width / 2, y), (x + rng.uniform(-4, 4), y + tip)],
                _shade(tone, rng.uniform(-0.06, 0.06)),
            )
    c.ellipse((cx - w * 0.26, cy - h * 0.42, cx - w * 0.02, cy - h * 0.32), _shade(cream, 0.35))


def _scene_lions_mane(c: _Canvas, rng: random.Random, colours: _Palette) -> None:
    c.floor_shadow(500, 800, 360, _shade(colours.backdrop, -0.1))
    c.ellipse((160, 690, 840, 860), (160, 120, 84))  # a wooden board
    c.ellipse((180, 680, 820, 840), (190, 150, 108))
    _shaggy(c, rng, 430, 530, 460, colours.cream)
    _shaggy(c, rng, 690, 640, 240, colours.cream)


def _scene_reishi(c: _Canvas, rng: random.Random, colours: _Palette) -> None:
    c.floor_shadow(500, 800, 380, _shade(colours.backdrop, -0.1))
    for cx, cy, w, stem in ((420, 560, 520, 230), (700, 660, 300, 140)):
        c.rect((cx - w * 0.07, cy - 10, cx + w * 0.07, cy + stem * 0.6), (120, 52, 30), w * 0.05)
        bands = (
            colours.cream,
            (214, 140, 60),
            _shade(colours.brown, 0.1),
            colours.brown,
            _shade(colours.brown, -0.25),
        )
        for i, band in enumerate(bands):
            inset = i * w * 0.07
            c.pie(
                (
                    cx - w / 2 + inset,
                    cy - w * 0.45 + inset * 0.8,
                    cx + w / 2 - inset,
                    cy + w * 0.2 - inset * 0.3,
                ),
                180,
                360,
                band,
            )
        c.ellipse(
            (cx - w * 0.25, cy - w * 0.34, cx - w * 0.02, cy - w * 0.28),
            _shade(colours.brown, 0.45),
        )
    _ = rng


def _scene_cordyceps(c: _Canvas, rng: random.Random, colours: _Palette) -> None:
    c.floor_shadow(500, 820, 360, _shade(colours.backdrop, -0.1))
    orange = _mix((236, 122, 38), (222, 96, 30), rng.random())
    for _ in range(14):
        x = rng.uniform(300, 700)
        top = rng.uniform(260, 520)
        lean = rng.uniform(-90, 90)
        c.line(
            [(x, 800), (x + lean * 0.5, (800 + top) / 2), (x + lean, top + 60)],
            _shade(orange, 0.15),
            26,
        )
        c.line(
            [(x + lean, top + 70), (x + lean * 1.04, top)],
            _shade(orange, rng.uniform(-0.15, 0.0)),
            46,
        )
        c.circle(x + lean * 1.04, top, 23, _shade(orange, -0.1))
    c.ellipse((250, 760, 750, 850), (236, 226, 206))


def _scene_chaga(c: _Canvas, rng: random.Random, colours: _Palette) -> None:
    c.floor_shadow(500, 800, 380, _shade(colours.backdrop, -0.1))
    for cx, cy, r in ((430, 560, 230), (720, 700, 110)):
        points = []
        for i in range(14):
            angle = i * 6.283 / 14
            reach = r * rng.uniform(0.8, 1.1)
            points.append((cx + reach * _cos(angle), cy + reach * _sin(angle) * 0.75))
        c.polygon(points, (40, 32, 28))
        c.polygon(
            [(x * 0.92 + cx * 0.08, y * 0.92 + cy * 0.08 + r * 0.1) for x, y in points[4:11]],
            (160, 92, 40),
        )
        for _ in range(9):
            x, y = cx + rng.uniform(-0.6, 0.6) * r, cy + rng.uniform(-0.6, 0.1) * r
            c.line([(x, y), (x + rng.uniform(-40, 40), y + rng.uniform(10, 40))], (70, 58, 52), 7)


def _scene_capsule_jar(c: _Canvas, rng: random.Random, colours: _Palette) -> None:
    c.floor_shadow(500, 820, 380, _shade(colours.backdrop, -0.1))
    _jar(c, 470, 820, 360, (250, 247, 240), _shade(colours.accent, -0.25), colours.accent)
    for i in range(5):
        _capsule(
            c,
            700 + (i % 3) * 70,
            800 - (i // 3) * 70,
            110,
            rng.uniform(-0.8, 0.8),
            colours.capsule,
            _shade(colours.capsule, -0.2),
        )


def _scene_powder_pouch(c: _Canvas, rng: random.Random, colours: _Palette) -> None:
    c.floor_shadow(500, 840, 400, _shade(colours.backdrop, -0.1))
    _pouch(c, 420, 840, 420, _shade(colours.accent, 0.15), _shade(colours.accent, -0.3))
    c.line([(650, 830), (880, 740)], (176, 132, 86), 22)  # a wooden spoon
    c.ellipse((590, 790, 720, 870), (176, 132, 86))
    c.ellipse((600, 770, 710, 840), colours.powder)
    c.ellipse((700, 840, 860, 880), colours.powder)
    _ = rng


def _scene_scale(c: _Canvas, rng: random.Random, colours: _Palette) -> None:
    c.floor_shadow(500, 760, 400, _shade(colours.backdrop, -0.1))
    body = (60, 64, 70)
    c.polygon([(140, 700), (860, 700), (800, 560), (200, 560)], _shade(body, 0.15))  # top face
    c.rect((140, 690, 860, 770), body, 18)  # front edge
    c.ellipse((330, 560, 700, 650), (196, 200, 206))  # the weighing plate
    c.ellipse((345, 566, 685, 636), (222, 226, 230))
    c.rect((380, 706, 620, 756), (168, 206, 150), 8)  # the display
    c.rect((400, 718, 540, 744), _shade((168, 206, 150), -0.45), 4)
    for x in (660, 720, 780):
        c.circle(x, 731, 14, _shade(body, 0.35))
    _truffle(c, rng, 515, 580, 42, colours.brown)


def _scene_tin(c: _Canvas, rng: random.Random, colours: _Palette) -> None:
    c.floor_shadow(500, 820, 330, _shade(colours.backdrop, -0.1))
    metal = (186, 192, 198)
    c.rect((250, 420, 750, 800), metal, 40)
    c.ellipse((250, 760, 750, 840), _shade(metal, -0.15))
    c.rect((250, 420, 750, 800), metal, 40)
    c.rect((300, 440, 340, 780), _shade(metal, 0.35), 18)  # a highlight
    c.rect((230, 330, 770, 450), colours.accent, 30)  # the lid
    c.ellipse((230, 290, 770, 370), _shade(colours.accent, 0.2))
    _label(c, (380, 520, 620, 730), (252, 249, 242), colours.accent)
    _ = rng


def _cos(angle: float) -> float:
    from math import cos

    return cos(angle)


def _sin(angle: float) -> float:
    from math import sin

    return sin(angle)


# --- colours and the public entry --------------------------------------------------------------


class _Palette:
    """The colours of one product's pictures, varied by its seed."""

    def __init__(self, rng: random.Random) -> None:
        self.backdrop_pair = rng.choice(_BACKDROPS)
        self.backdrop = self.backdrop_pair[1]
        self.brown = _mix((104, 70, 44), (168, 128, 80), rng.random())
        self.accent = rng.choice(
            ((46, 110, 78), (140, 62, 92), (52, 92, 140), (176, 104, 40), (92, 70, 140))
        )
        self.capsule = rng.choice(((214, 148, 62), (190, 80, 70), (100, 150, 110), (236, 220, 180)))
        self.cap = _mix((196, 132, 58), (150, 90, 46), rng.random())
        self.cream = _mix((244, 234, 212), (236, 222, 192), rng.random())
        self.powder = _mix((226, 210, 176), (206, 184, 146), rng.random())


SCENES: dict[str, Callable[[_Canvas, random.Random, _Palette], None]] = {
    "truffle-heap": _scene_truffle_heap,
    "truffle-pack": _scene_truffle_pack,
    "kit-box": _scene_kit_box,
    "kit-contents": _scene_kit_contents,
    "grow-kit": _scene_grow_kit,
    "grow-kit-lions-mane": _scene_grow_kit_lions_mane,
    "lions-mane": _scene_lions_mane,
    "reishi": _scene_reishi,
    "cordyceps": _scene_cordyceps,
    "chaga": _scene_chaga,
    "capsule-jar": _scene_capsule_jar,
    "powder-pouch": _scene_powder_pouch,
    "scale": _scene_scale,
    "tin": _scene_tin,
}


def draw_scene(scene: str, seed: str, *, cap: RGB | None = None) -> bytes:
    """A PNG of `scene` (a key of SCENES), the same for the same seed; `cap` overrides a
    grow kit's mushroom colour."""
    rng = random.Random(f"{scene}:{seed}")
    colours = _Palette(rng)
    if cap is not None:
        colours.cap = cap
    canvas = _Canvas(colours.backdrop_pair)
    SCENES[scene](canvas, rng, colours)
    return canvas.png()
