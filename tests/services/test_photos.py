"""Issue 9, defect 10: a photo is decoded under a pixel limit and re-encoded, so whatever rode
along in the file (script, metadata, a second format) is gone, and a decompression bomb is
refused from its header before a pixel is decoded."""

import io
import struct
import zlib

import pytest
from PIL import Image

from feedback.services.photos import MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, BadPhoto, clean_photo


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header claims width×height pixels (a bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (30.0, 30.0, 0.0), 3: "E", 4: (47.0, 48.0, 0.0)}  # GPS
    return encoded(image, "JPEG", exif=exif)


def test_a_jpeg_header_followed_by_script_is_refused():
    with pytest.raises(BadPhoto):
        clean_photo(b"\xff\xd8\xff\xe0" + b"<script>alert(1)</script>" * 10)


def test_a_real_jpeg_carrying_script_after_its_end_is_re_encoded_without_it():
    polyglot = encoded(Image.new("RGB", (32, 32), "white"), "JPEG") + b"<script>alert(1)</script>"
    cleaned = clean_photo(polyglot)
    assert b"<script>" not in cleaned.content
    assert cleaned.extension == "jpg"
    assert Image.open(io.BytesIO(cleaned.content)).size == (32, 32)


def test_a_30000_by_30000_png_is_refused_before_decoding():
    bomb = png_header_claiming(30000, 30000)
    assert len(bomb) < 2000
    with pytest.raises(BadPhoto, match="pixels"):
        clean_photo(bomb)


def test_the_pixel_limit_is_the_boundary():
    side = int(MAX_PHOTO_PIXELS**0.5)
    with pytest.raises(BadPhoto, match="pixels"):
        clean_photo(png_header_claiming(side + 1, side + 1))


def test_metadata_is_stripped():
    original = photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif()  # the test photo does carry EXIF
    cleaned = clean_photo(original)
    reopened = Image.open(io.BytesIO(cleaned.content))
    assert not reopened.getexif()
    assert b"PhoneMaker" not in cleaned.content


def test_png_with_transparency_stays_png_and_webp_becomes_jpeg():
    transparent = encoded(Image.new("RGBA", (20, 10), (0, 0, 0, 0)), "PNG")
    assert clean_photo(transparent).extension == "png"
    webp = encoded(Image.new("RGB", (20, 10), "blue"), "WEBP")
    assert clean_photo(webp).extension == "jpg"


@pytest.mark.parametrize(
    "content",
    [b"", b"GIF89a not a photo", b"%PDF-1.7", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64],
)
def test_what_is_not_a_photo_is_refused(content):
    with pytest.raises(BadPhoto):
        clean_photo(content)


def test_too_many_bytes_are_refused_unread():
    with pytest.raises(BadPhoto, match="large"):
        clean_photo(b"\xff" * (MAX_PHOTO_BYTES + 1))
