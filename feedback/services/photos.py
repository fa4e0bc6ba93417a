"""Photos from outside (monitors' field photos, citizens' reports) are never stored as sent:
each is checked to be one image and nothing else (no bytes after its end, no page, script or
archive inside), decoded by Pillow under a pixel limit checked from its header, then
re-encoded, which drops metadata (a phone's GPS, its owner's name). A GPS position in the
original's EXIF is read first, so a report without a pin can still be placed."""

import io
import math
import re
import struct
import warnings
from dataclasses import dataclass
from enum import StrEnum

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()  # iPhones send HEIC; it is converted like any other photo

MAX_PHOTO_BYTES = 5 * 1024 * 1024  # a monitor's field photo
MAX_CITIZEN_PHOTO_BYTES = 10 * 1024 * 1024  # a citizen's: straight from a phone's camera
# 40 megapixels: any phone camera; a 30000×30000 "bomb" (900 MP) is refused unread.
MAX_PHOTO_PIXELS = 40_000_000
# What is kept: enough to see a broken pipe or a pile of rubbish, a few hundred KB.
LONGEST_SIDE = 2560
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "HEIF"})
# Content a browser, an interpreter or an unzipper would find inside an "image".
_HIDDEN_CONTENT = re.compile(
    rb"<\s*(script|html|iframe|svg|object|embed|body|\?php)|<!doctype|javascript:|%PDF-",
    re.IGNORECASE,
)
_ZIP_END = b"PK\x05\x06"  # a ZIP's end record, which unzippers look for near a file's end
_ZIP_END_REACH = 65_557  # the record (22 bytes) and the longest comment after it
_PADDING = b"\x00\xff\r\n \t"  # what some cameras leave after an image's end: nothing


class PhotoProblem(StrEnum):
    TOO_LARGE = "too_large"
    TOO_MANY_PIXELS = "too_many_pixels"
    NOT_AN_IMAGE = "not_an_image"
    HIDDEN_CONTENT = "hidden_content"  # a polyglot: an image and something else in one file


class BadPhoto(Exception):
    """Too large, too many pixels, not a JPEG, PNG, WebP or HEIC image, or more than one."""

    def __init__(self, problem: PhotoProblem, detail: str = ""):
        super().__init__(f"{problem.value.replace('_', ' ')}{': ' + detail if detail else ''}")
        self.problem = problem
        self.index: int | None = None  # which of several photos, where the caller says


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    extension: str  # jpg | png
    mimetype: str
    gps: tuple[float, float] | None = None  # (lat, lon) from the original's EXIF


def clean_photo(content: bytes, max_bytes: int = MAX_PHOTO_BYTES) -> CleanPhoto:
    """The photo re-encoded from its pixels alone, or BadPhoto saying why not."""
    if len(content) > max_bytes:
        raise BadPhoto(PhotoProblem.TOO_LARGE)
    try:
        with warnings.catch_warnings():
            # Our own limit is checked below, before decoding; Pillow's warning adds nothing.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if image.format not in ACCEPTED_FORMATS:
                raise BadPhoto(PhotoProblem.NOT_AN_IMAGE, str(image.format))
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise BadPhoto(PhotoProblem.TOO_MANY_PIXELS, f"{image.width}×{image.height}")
            _refuse_hidden_content(content, image.format)
            gps = _exif_position(image)
            image.load()
    except Image.DecompressionBombError as error:  # Pillow's own limit, far above ours
        raise BadPhoto(PhotoProblem.TOO_MANY_PIXELS) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error) as error:
        raise BadPhoto(PhotoProblem.NOT_AN_IMAGE) from error
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    buffer = io.BytesIO()
    if upright.mode in ("RGBA", "LA") or "transparency" in upright.info:
        upright.convert("RGBA").save(buffer, "PNG", optimize=True)
        return CleanPhoto(buffer.getvalue(), "png", "image/png", gps)
    upright.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
    return CleanPhoto(buffer.getvalue(), "jpg", "image/jpeg", gps)


def _refuse_hidden_content(content: bytes, image_format: str) -> None:
    """A file that is an image and also a page, a script or an archive is refused, not
    quietly re-encoded: whoever made it meant something by it."""
    end = _IMAGE_END[image_format](content)
    if content[end:].strip(_PADDING):
        raise BadPhoto(PhotoProblem.HIDDEN_CONTENT, "data after the image's end")
    if _HIDDEN_CONTENT.search(content) or _ZIP_END in content[-_ZIP_END_REACH:]:
        raise BadPhoto(PhotoProblem.HIDDEN_CONTENT, "a page, script or archive inside")


def _jpeg_end(content: bytes) -> int:
    """Where the JPEG's end-of-image marker ends, walking its segments (an EXIF thumbnail's
    own markers are inside a segment, so skipped) and its entropy-coded scans."""
    position = 2  # after SOI
    while position + 2 <= len(content):
        if content[position] != 0xFF:
            raise ValueError("not a JPEG marker")
        marker = content[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:  # EOI
            return position + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            position += 2
            continue
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        position += 2 + length
        if marker == 0xDA:  # SOS: scan data up to the next marker that is not RST or stuffing
            while position + 1 < len(content):
                if content[position] == 0xFF and content[position + 1] not in (
                    0x00,
                    *range(0xD0, 0xD8),
                ):
                    break
                position += 1
    raise ValueError("no end-of-image marker")


def _png_end(content: bytes) -> int:
    """Where the IEND chunk ends."""
    position = 8
    while position + 12 <= len(content):
        length: int = struct.unpack(">I", content[position : position + 4])[0]
        kind = content[position + 4 : position + 8]
        position += 12 + length
        if kind == b"IEND":
            return position
    raise ValueError("no IEND chunk")


def _riff_end(content: bytes) -> int:
    """WebP: the RIFF header says how long the file is."""
    size: int = struct.unpack("<I", content[4:8])[0]
    return 8 + size + (size & 1)


def _box_end(content: bytes) -> int:
    """HEIC: top-level ISO boxes laid end to end; one of size 0 runs to the end."""
    position = 0
    while position + 8 <= len(content):
        size: int = struct.unpack(">I", content[position : position + 4])[0]
        if size == 0:
            return len(content)
        if size == 1:
            size = struct.unpack(">Q", content[position + 8 : position + 16])[0]
        if size < 8:
            raise ValueError("bad box size")
        position += size
    return position


_IMAGE_END = {"JPEG": _jpeg_end, "PNG": _png_end, "WEBP": _riff_end, "HEIF": _box_end}

_GPS_IFD = 0x8825
_LAT_REF, _LAT, _LON_REF, _LON = 1, 2, 3, 4


def _exif_position(image: Image.Image) -> tuple[float, float] | None:
    """(lat, lon) from the EXIF GPS tags, when they make a point on Earth."""
    try:
        gps = image.getexif().get_ifd(_GPS_IFD)
        lat = _degrees(gps[_LAT]) * (-1 if str(gps.get(_LAT_REF, "N")).upper() == "S" else 1)
        lon = _degrees(gps[_LON]) * (-1 if str(gps.get(_LON_REF, "E")).upper() == "W" else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        return None
    return lat, lon


def _degrees(value: tuple[float, float, float]) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    return degrees + minutes / 60 + seconds / 3600
