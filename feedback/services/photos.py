"""Photos from outside (monitors today, citizens next) are never stored as sent: each is
decoded by Pillow under a pixel limit checked from its header, then re-encoded, which drops
metadata (a phone's GPS, its owner's name) and anything appended or disguised in the file."""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# 40 megapixels: any phone camera; a 30000×30000 "bomb" (900 MP) is refused unread.
MAX_PHOTO_PIXELS = 40_000_000
# What is kept: enough to see a broken pipe or a pile of rubbish, a few hundred KB.
LONGEST_SIDE = 2560
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


class BadPhoto(Exception):
    """Too large, too many pixels, or not a JPEG, PNG or WebP image."""


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    extension: str  # jpg | png
    mimetype: str


def clean_photo(content: bytes) -> CleanPhoto:
    """The photo re-encoded from its pixels alone, or BadPhoto saying why not."""
    if len(content) > MAX_PHOTO_BYTES:
        raise BadPhoto("too large")
    try:
        with warnings.catch_warnings():
            # Our own limit is checked below, before decoding; Pillow's warning adds nothing.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if image.format not in ACCEPTED_FORMATS:
                raise BadPhoto(f"not a JPEG, PNG or WebP image ({image.format})")
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise BadPhoto(f"too many pixels ({image.width}×{image.height})")
            image.load()
    except Image.DecompressionBombError as error:  # Pillow's own limit, far above ours
        raise BadPhoto("too many pixels") from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise BadPhoto("not a readable image") from error
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    buffer = io.BytesIO()
    if upright.mode in ("RGBA", "LA") or "transparency" in upright.info:
        upright.convert("RGBA").save(buffer, "PNG", optimize=True)
        return CleanPhoto(buffer.getvalue(), "png", "image/png")
    upright.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
    return CleanPhoto(buffer.getvalue(), "jpg", "image/jpeg")
