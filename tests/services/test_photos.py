"""Issue 9, defect 10 and issue 16: a photo is decoded under a pixel limit and re-encoded, so its
metadata is gone; a file that is an image and something else (script, page, archive) is
refused, and a decompression bomb is refused from its header before a pixel is decoded."""

import io
import random
import struct
import time
import zlib

import pytest
from PIL import Image

from feedback.services.photos import (
    MAX_CITIZEN_PHOTO_BYTES,
    MAX_PHOTO_BYTES,
    MAX_PHOTO_PIXELS,
    BadPhoto,
    PhotoProblem,
    clean_photo,
)


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
    exif[0x8825] = {1: "N", 2: (30.0, 30.0, 0.0), 3: "E", 4: (47.0, 48.0, 0.0)}  # GPS, Basra
    return encoded(image, "JPEG", exif=exif)


def test_a_jpeg_header_followed_by_script_is_refused():
    with pytest.raises(BadPhoto):
        clean_photo(b"\xff\xd8\xff\xe0" + b"<script>alert(1)</script>" * 10)


@pytest.mark.parametrize(
    ("fmt", "extra"),
    [
        ("JPEG", b"<script>alert(1)</script>"),
        ("JPEG", b"PK\x03\x04" + b"\x00" * 40 + b"PK\x05\x06" + b"\x00" * 18),
        ("PNG", b"<html><body>hello</body></html>"),
        ("WEBP", b"anything at all"),
    ],
)
def test_a_real_image_with_something_after_its_end_is_refused_not_re_encoded(fmt, extra):
    polyglot = encoded(Image.new("RGB", (32, 32), "white"), fmt) + extra
    with pytest.raises(BadPhoto) as refused:
        clean_photo(polyglot)
    assert refused.value.problem is PhotoProblem.HIDDEN_CONTENT


def test_script_inside_an_images_metadata_is_refused():
    """A JPEG comment is inside the image, not after it: found by the content scan."""
    image = encoded(Image.new("RGB", (32, 32), "white"), "JPEG")
    comment = b"<svg onload=alert(1)>"
    inside = image[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + image[2:]
    assert Image.open(io.BytesIO(inside)).size == (32, 32)  # still a readable JPEG
    with pytest.raises(BadPhoto, match="page, script or archive"):
        clean_photo(inside)


def test_camera_padding_after_the_end_is_no_polyglot():
    padded = encoded(Image.new("RGB", (32, 32), "white"), "JPEG") + b"\x00" * 64
    assert clean_photo(padded).extension == "jpg"


def test_a_progressive_jpeg_with_an_exif_thumbnail_is_one_image():
    """The thumbnail's own end marker sits inside the EXIF segment: not the photo's end."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    image = Image.new("RGB", (300, 200), (10, 120, 30))
    photo = encoded(image, "JPEG", progressive=True, exif=exif, quality=70)
    assert clean_photo(photo).extension == "jpg"


def test_heic_is_converted_to_jpeg():
    heic = encoded(Image.new("RGB", (40, 30), (10, 20, 200)), "HEIF")
    cleaned = clean_photo(heic)
    assert cleaned.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(cleaned.content)).size == (40, 30)


def test_the_gps_position_is_read_before_it_is_stripped():
    cleaned = clean_photo(photo_with_gps())
    lat, lon = cleaned.gps
    assert (round(lat, 4), round(lon, 4)) == (30.5, 47.8)
    assert clean_photo(encoded(Image.new("RGB", (8, 8)), "JPEG")).gps is None


def test_a_citizens_photo_may_be_larger_than_a_monitors():
    big = b"\xff" * (MAX_PHOTO_BYTES + 1)
    with pytest.raises(BadPhoto, match="not an image"):
        clean_photo(big, max_bytes=MAX_CITIZEN_PHOTO_BYTES)
    with pytest.raises(BadPhoto, match="large"):
        clean_photo(b"\xff" * (MAX_CITIZEN_PHOTO_BYTES + 1), max_bytes=MAX_CITIZEN_PHOTO_BYTES)


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


def test_an_archive_inside_a_png_chunk_is_refused():
    """Not appended but carried in a text chunk: still a polyglot."""
    image = encoded(Image.new("RGB", (16, 16), "white"), "PNG")
    archive = b"PK\x03\x04" + bytes(26) + b"payload" + b"PK\x05\x06" + bytes(18)
    data = b"Comment\x00" + archive
    chunk = (
        struct.pack(">I", len(data))
        + b"tEXt"
        + data
        + struct.pack(">I", zlib.crc32(b"tEXt" + data))
    )
    carrying = image[:33] + chunk + image[33:]  # after the 8-byte signature and IHDR's 25
    assert Image.open(io.BytesIO(carrying)).size == (16, 16)
    with pytest.raises(BadPhoto, match="archive"):
        clean_photo(carrying)


def test_a_big_noisy_photo_is_checked_quickly_and_kept():
    """Compressed pixels of a camera photo (here: noise, the hardest to compress) are not
    searched for signatures, which they hold by chance; walking them is fast."""
    noise = Image.frombytes("RGB", (2400, 1800), random.Random(16).randbytes(2400 * 1800 * 3))
    photo = encoded(noise, "JPEG", quality=95)
    assert len(photo) > 3_000_000
    started = time.monotonic()
    assert clean_photo(photo, max_bytes=MAX_CITIZEN_PHOTO_BYTES).extension == "jpg"
    assert time.monotonic() - started < 5
