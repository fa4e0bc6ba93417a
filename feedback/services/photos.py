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
_ZIP_LOCAL, _ZIP_END = b"PK\x03\x04", b"PK\x05\x06"  # a ZIP's file header and end record
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
    quietly re-encoded: whoever made it meant something by it. Anything after the image's end
    is refused; inside, only what is not pixel data (metadata, comments, profiles) is searched,
    since compressed pixels hold any short byte string by chance now and then."""
    end, metadata = _LAYOUT[image_format](content)
    if content[end:].strip(_PADDING):
        raise BadPhoto(PhotoProblem.HIDDEN_CONTENT, "data after the image's end")
    for start, stop in metadata:
        part = content[start:stop]
        if _HIDDEN_CONTENT.search(part) or _ZIP_LOCAL in part or _ZIP_END in part:
            raise BadPhoto(PhotoProblem.HIDDEN_CONTENT, "a page, script or archive inside")


_Layout = tuple[int, list[tuple[int, int]]]  # where the image ends; its non-pixel parts


def _jpeg_layout(content: bytes) -> _Layout:
    """Walk the JPEG's segments (an EXIF thumbnail's own markers are inside one, so skipped)
    and its entropy-coded scans to the end-of-image marker."""
    position = 2  # after SOI
    metadata: list[tuple[int, int]] = []
    while position + 2 <= len(content):
        if content[position] != 0xFF:
            raise ValueError("not a JPEG marker")
        marker = content[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:  # EOI
            return position + 2, metadata
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            position += 2
            continue
        length: int = struct.unpack(">H", content[position + 2 : position + 4])[0]
        if marker != 0xDA:
            metadata.append((position, position + 2 + length))
        position += 2 + length
        if marker == 0xDA:  # SOS: scan data up to the next marker that is not RST or stuffing
            position = _scan_end(content, position)
    raise ValueError("no end-of-image marker")


def _scan_end(content: bytes, position: int) -> int:
    while (position := content.find(b"\xff", position)) != -1:
        following = content[position + 1 : position + 2]
        if following and following != b"\x00" and not 0xD0 <= following[0] <= 0xD7:
            return position
        position += 1
    return len(content)


def _png_layout(content: bytes) -> _Layout:
    """Chunks to IEND; all but the pixel data (IDAT, an animation's fdAT) are metadata."""
    position = 8
    metadata: list[tuple[int, int]] = []
    while position + 12 <= len(content):
        length: int = struct.unpack(">I", content[position : position + 4])[0]
        kind = content[position + 4 : position + 8]
        if kind not in (b"IDAT", b"fdAT"):
            metadata.append((position, position + 12 + length))
        position += 12 + length
        if kind == b"IEND":
            return position, metadata
    raise ValueError("no IEND chunk")


def _riff_layout(content: bytes) -> _Layout:
    """WebP: the RIFF header says how long the file is; chunks other than the bitstreams are
    metadata."""
    size: int = struct.unpack("<I", content[4:8])[0]
    end, position = 8 + size + (size & 1), 12
    metadata: list[tuple[int, int]] = []
    while position + 8 <= min(end, len(content)):
        length: int = struct.unpack("<I", content[position + 4 : position + 8])[0]
        if content[position : position + 4] not in (b"VP8 ", b"VP8L", b"ALPH", b"ANMF"):
            metadata.append((position, position + 8 + length))
        position += 8 + length + (length & 1)
    return end, metadata


def _box_layout(content: bytes) -> _Layout:
    """HEIC: top-level ISO boxes laid end to end (one of size 0 runs to the end); all but the
    media data are metadata."""
    position = 0
    metadata: list[tuple[int, int]] = []
    while position + 8 <= len(content):
        size: int = struct.unpack(">I", content[position : position + 4])[0]
        if size == 0:
            size = len(content) - position
        elif size == 1:
            size = struct.unpack(">Q", content[position + 8 : position + 16])[0]
        if size < 8:
            raise ValueError("bad box size")
        if content[position + 4 : position + 8] != b"mdat":
            metadata.append((position, position + size))
        position += size
    return position, metadata


_LAYOUT = {"JPEG": _jpeg_layout, "PNG": _png_layout, "WEBP": _riff_layout, "HEIF": _box_layout}

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
