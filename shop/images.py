"""Product pictures as uploaded by staff, turned into what the shop stores and serves.

Belongs here: checking that untrusted bytes really are a picture and re-encoding them, with
Pillow; nothing about Flask or the database. Only the pixels survive: the stored file is a
new JPEG, so no metadata (EXIF with a phone's GPS position, camera serial numbers), no
hidden chunk and no file that is also something else is ever served to a customer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from shop.refusals import Reason, Refused

# What staff may upload. Anything else (GIF, SVG, PDF, a text file renamed .png) is refused
# before a decoder other than these three ever looks at it.
UPLOAD_FORMATS = ("JPEG", "PNG", "WEBP")
STORED_MIME_TYPE = "image/jpeg"

MAX_SIDE = 1600
THUMBNAIL_SIDE = 400
# The sizes a picture is kept in besides the original, each in WebP and in JPEG (for the
# browsers and mail clients without WebP), by longest side. 320: a card in a two-column phone
# grid (about 170 CSS px) on an ordinary screen; 640: the same card on a 2x or 3x phone, or a
# card on a desktop; 960: the product page's picture on a phone (390 CSS px at 2.5x); 1600: the
# product page on a desktop at 2x. A browser picks one from the srcset, so a phone never
# fetches the 1600 px file.
VARIANT_SIDES = (320, 640, 960, 1600)
VARIANT_FORMATS = ("webp", "jpeg")
VARIANT_MIME_TYPES = {"webp": "image/webp", "jpeg": "image/jpeg"}
WEBP_QUALITY = 80
# A 50-megapixel phone photo is welcome; a small file claiming 20000 × 20000 pixels is a
# decompression bomb that would take gigabytes of memory to decode.
MAX_PIXELS = 52_000_000
JPEG_QUALITY = 85

_SRGB = ImageCms.createProfile("sRGB")


class ImageProblem(Reason):
    EMPTY = "empty"
    TOO_LARGE = "too_large"  # max_bytes
    NOT_AN_IMAGE = "not_an_image"
    BROKEN = "broken"
    TOO_MANY_PIXELS = "too_many_pixels"


class InvalidImage(Refused):
    """The upload cannot become a product picture (`reason`: an `ImageProblem`)."""


@dataclass(frozen=True)
class PreparedImage:
    """A cleaned picture and its thumbnail, ready to be stored."""

    data: bytes
    thumbnail: bytes
    mime_type: str
    width: int
    height: int
    etag: str
    variants: tuple[PreparedVariant, ...] = ()


@dataclass(frozen=True)
class PreparedVariant:
    """One stored size of a picture in one format; `side` is the name in VARIANT_SIDES."""

    side: int
    format: str
    data: bytes
    etag: str


def variant_sides(width: int, height: int) -> tuple[int, ...]:
    """The VARIANT_SIDES a `width` × `height` picture is kept in: every smaller one, and the
    first that covers the picture (it holds the picture at its own size, never enlarged)."""
    longest = max(width, height)
    smaller = tuple(side for side in VARIANT_SIDES if side < longest)
    covering = next((side for side in VARIANT_SIDES if side >= longest), None)
    return smaller + ((covering,) if covering is not None else ())


def variant_size(width: int, height: int, side: int) -> tuple[int, int]:
    """The pixel size of a picture's variant `side`."""
    return fit_within(width, height, side)


def fit_within(width: int, height: int, side: int) -> tuple[int, int]:
    """The size of a `width` × `height` picture scaled down (never up) to fit a square."""
    longest = max(width, height)
    if longest <= side:
        return width, height
    return max(1, round(width * side / longest)), max(1, round(height * side / longest))


def prepare_image(raw: bytes, *, max_bytes: int) -> PreparedImage:
    """Check an upload, turn it upright, strip it to its pixels, resize it, make a thumbnail."""
    if not raw:
        raise InvalidImage(ImageProblem.EMPTY)
    if len(raw) > max_bytes:
        raise InvalidImage(ImageProblem.TOO_LARGE, max_bytes=max_bytes)
    try:
        picture = _decode(raw)
    except InvalidImage:
        raise
    except UnidentifiedImageError:
        raise InvalidImage(ImageProblem.NOT_AN_IMAGE) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidImage(ImageProblem.TOO_MANY_PIXELS) from None
    except Exception:
        # Decoders fed damaged input raise OSError, SyntaxError, ValueError, EOFError and
        # more; whichever it is, the file is not a picture the shop can use.
        raise InvalidImage(ImageProblem.BROKEN) from None
    full = _resized(picture, MAX_SIDE)
    data = _encode(full)
    return PreparedImage(
        variants=make_variants(full, full_jpeg=data),
        data=data,
        thumbnail=_encode(_resized(picture, THUMBNAIL_SIDE)),
        mime_type=STORED_MIME_TYPE,
        width=full.width,
        height=full.height,
        etag=hashlib.sha256(data).hexdigest(),
    )


def make_variants(
    full: Image.Image, *, full_jpeg: bytes | None = None
) -> tuple[PreparedVariant, ...]:
    """Every variant of a picture already cleaned and at most MAX_SIDE, smallest first
    (`full_jpeg`: the picture as `_encode` wrote it, if at hand, to spare encoding it again)."""
    variants = []
    for side in variant_sides(full.width, full.height):
        sized = _resized(full, side)
        for kind in VARIANT_FORMATS:
            same = sized is full and kind == "jpeg" and full_jpeg is not None
            data = full_jpeg if same and full_jpeg is not None else _encode(sized, kind)
            variants.append(
                PreparedVariant(side, kind, data, hashlib.sha256(data).hexdigest()[:32])
            )
    return tuple(variants)


def decode_stored(data: bytes) -> Image.Image:
    """A picture this module stored before (trusted: it wrote the bytes), for re-encoding."""
    with Image.open(BytesIO(data), formats=("JPEG",)) as image:
        image.load()
        return image.convert("RGB")


def _decode(raw: bytes) -> Image.Image:
    # Image.open reads only the header, so the size is checked before any pixel is decoded;
    # `verify` then reads the whole file for damage, after which the image must be reopened.
    with Image.open(BytesIO(raw), formats=UPLOAD_FORMATS) as probe:
        width, height = probe.size
        if width * height > MAX_PIXELS:
            raise InvalidImage(ImageProblem.TOO_MANY_PIXELS)
        probe.verify()
    with Image.open(BytesIO(raw), formats=UPLOAD_FORMATS) as image:
        # JPEG only: decode at 1/2, 1/4 or 1/8 scale when that still covers MAX_SIDE.
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))
        image.load()
        upright = ImageOps.exif_transpose(image)
        return _plain_srgb(upright, image.info.get("icc_profile"))


def _plain_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """The pixels in sRGB on white, in a new image that carries nothing else."""
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
    wanted = "RGBA" if has_alpha else "RGB"
    if icc_profile and image.mode in {"RGB", "RGBA", "CMYK"}:
        # A phone's Display P3 or a camera's Adobe RGB photo would look dull once its profile
        # is dropped; converting the pixels to sRGB keeps the colours as the photographer saw.
        try:
            source = ImageCms.ImageCmsProfile(BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=wanted)
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unusable profile: keep the pixels as they are
    image = image.convert(wanted)
    plain = Image.new("RGB", image.size, (255, 255, 255))
    if has_alpha:
        plain.paste(image, mask=image.getchannel("A"))
    else:
        plain.paste(image)
    return plain


def _resized(image: Image.Image, side: int) -> Image.Image:
    size = fit_within(image.width, image.height, side)
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(image: Image.Image, kind: str = "jpeg") -> bytes:
    out = BytesIO()
    # No exif= and no icc_profile=: the encoder writes only the pixels it is given.
    if kind == "webp":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()
