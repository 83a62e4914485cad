"""inspect_image (type, integrity, EXIF, perceptual hash, thumbnail) on real files built in the tests."""

from __future__ import annotations

import random
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import piexif
import pillow_heif
import pytest
from PIL import Image

from satgas.imaging import (
    WIB,
    BrokenImage,
    NotAnImage,
    hamming,
    inspect_image,
    phash_bands,
)

MALANG_LAT, MALANG_LON = -7.98, 112.63
GPS = piexif.GPSIFD


def thumbnail(path: Path, dest: Path) -> tuple[int, int]:
    """The upright thumbnail the upload path writes (one decode with the inspection); its size."""
    inspect_image(path, thumbnail_to=dest)
    with Image.open(dest) as written:
        return written.size


def is_red(pixel: tuple[int, ...]) -> bool:
    r, g, b = pixel[:3]
    return r > 200 and g < 60 and b < 60


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG structure whose IHDR claims the given size, with one tiny row of pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


# --- EXIF time ----------------------------------------------------------------------------------


def test_exif_time_without_offset_is_wib(picture, exif, save) -> None:
    path = save(picture(), "a.jpg", exif=exif(original="2024:05:01 08:30:00"))

    taken = inspect_image(path).taken_at

    assert taken == datetime(2024, 5, 1, 8, 30, tzinfo=WIB)
    assert taken.utcoffset() == timedelta(hours=7)
    assert taken == datetime(2024, 5, 1, 1, 30, tzinfo=UTC)


def test_exif_time_with_offset(picture, exif, save) -> None:
    path = save(picture(), "a.jpg", exif=exif(original="2024:05:01 08:30:00", offset="+08:00"))

    taken = inspect_image(path).taken_at

    assert taken == datetime(2024, 5, 1, 0, 30, tzinfo=UTC)
    assert taken.utcoffset() == timedelta(hours=8)


def test_exif_time_falls_back_to_datetime(picture, exif, save) -> None:
    path = save(picture(), "a.jpg", exif=exif(datetime="2024:05:02 16:00:05"))

    assert inspect_image(path).taken_at == datetime(2024, 5, 2, 16, 0, 5, tzinfo=WIB)


@pytest.mark.parametrize("raw", ["0000:00:00 00:00:00", "    :  :     :  :  ", "yesterday"])
def test_placeholder_exif_time_is_none(picture, exif, save, raw: str) -> None:
    path = save(picture(), "a.jpg", exif=exif(original=raw))

    assert inspect_image(path).taken_at is None


def test_no_exif_at_all(picture, save) -> None:
    info = inspect_image(save(picture(), "plain.jpg"))

    assert (info.taken_at, info.gps_lat, info.gps_lon) == (None, None, None)
    assert (info.content_type, info.width, info.height) == ("image/jpeg", 600, 400)


# --- GPS ----------------------------------------------------------------------------------------


def test_gps_south_east_is_signed(picture, exif, save) -> None:
    path = save(picture(), "a.jpg", exif=exif(lat=MALANG_LAT, lon=MALANG_LON))

    info = inspect_image(path)

    assert info.gps_lat == pytest.approx(MALANG_LAT, abs=1e-6)
    assert info.gps_lon == pytest.approx(MALANG_LON, abs=1e-6)


@pytest.mark.parametrize(
    "gps",
    [
        {
            GPS.GPSLatitudeRef: b"S",
            GPS.GPSLatitude: ((7, 0), (58, 0), (48, 0)),
            GPS.GPSLongitudeRef: b"E",
            GPS.GPSLongitude: ((112, 0), (37, 0), (48, 0)),
        },
        {
            GPS.GPSLatitudeRef: b"S",
            GPS.GPSLatitude: ((97, 1), (0, 1), (0, 1)),
            GPS.GPSLongitudeRef: b"E",
            GPS.GPSLongitude: ((112, 1), (37, 1), (48, 1)),
        },
        {
            GPS.GPSLatitudeRef: b"S",
            GPS.GPSLatitude: ((7, 1), (75, 1), (0, 1)),
            GPS.GPSLongitudeRef: b"E",
            GPS.GPSLongitude: ((112, 1), (37, 1), (48, 1)),
        },
        {GPS.GPSLatitude: ((7, 1), (58, 1), (48, 1)), GPS.GPSLongitude: ((112, 1), (37, 1), (48, 1))},
        {
            GPS.GPSLatitudeRef: b"N",
            GPS.GPSLatitude: ((0, 1), (0, 1), (0, 1)),
            GPS.GPSLongitudeRef: b"E",
            GPS.GPSLongitude: ((0, 1), (0, 1), (0, 1)),
        },
    ],
    ids=["zero-denominators", "latitude-out-of-range", "minutes-over-60", "no-refs", "null-island"],
)
def test_invalid_gps_is_ignored(picture, exif, save, gps) -> None:
    info = inspect_image(save(picture(), "a.jpg", exif=exif(gps=gps)))

    assert (info.gps_lat, info.gps_lon) == (None, None)


# --- orientation and thumbnails -----------------------------------------------------------------


def test_orientation_6_swaps_size_and_thumbnail_is_upright(picture, exif, save, tmp_path) -> None:
    # Orientation 6: the stored pixels must be turned 90° clockwise to be upright,
    # so the stored top-left marker ends up top-right.
    big = picture((1200, 800))
    path = save(
        big,
        "rotated.jpg",
        quality=92,
        exif=exif(
            orientation=6,
            original="2024:05:01 08:30:00",
            lat=MALANG_LAT,
            lon=MALANG_LON,
        ),
    )

    info = inspect_image(path)
    size = thumbnail(path, tmp_path / "thumb.jpg")

    assert (info.width, info.height) == (800, 1200)
    assert max(size) == 512 and size == (341, 512)
    with Image.open(tmp_path / "thumb.jpg") as thumb:
        assert thumb.format == "JPEG" and thumb.size == size
        rgb = thumb.convert("RGB")
        assert is_red(rgb.getpixel((size[0] - 5, 5)))
        assert not is_red(rgb.getpixel((5, 5)))
        assert not is_red(rgb.getpixel((size[0] - 5, size[1] - 5)))


def test_thumbnail_carries_no_metadata(picture, exif, save, tmp_path) -> None:
    path = save(
        picture(),
        "a.jpg",
        exif=exif(
            orientation=6,
            original="2024:05:01 08:30:00",
            lat=MALANG_LAT,
            lon=MALANG_LON,
        ),
        comment=b"RAHASIA-COMMENT crew_a",
    )
    dest = tmp_path / "thumb.jpg"

    thumbnail(path, dest)

    data = dest.read_bytes()
    assert b"Exif" not in data and b"ICC_PROFILE" not in data and b"RAHASIA" not in data
    with Image.open(dest) as thumb:
        assert len(thumb.getexif()) == 0
        assert "exif" not in thumb.info
    assert inspect_image(dest).taken_at is None


def test_small_image_thumbnail_is_not_enlarged(picture, save, tmp_path) -> None:
    path = save(picture((300, 200)), "small.png", fmt="PNG")

    assert thumbnail(path, tmp_path / "t.jpg") == (300, 200)


def test_transparent_png_thumbnail_has_white_background(save, tmp_path) -> None:
    img = Image.new("RGBA", (100, 80), (0, 0, 0, 0))
    img.paste((255, 0, 0, 255), (0, 0, 20, 20))
    dest = tmp_path / "t.jpg"

    thumbnail(save(img, "alpha.png", fmt="PNG"), dest)

    with Image.open(dest) as thumb:
        assert min(thumb.convert("RGB").getpixel((90, 70))) > 240
        assert is_red(thumb.convert("RGB").getpixel((5, 5)))


# --- accepted and refused types -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("PNG", "image/png"), ("WEBP", "image/webp"), ("HEIF", "image/heic"), ("JPEG", "image/jpeg")],
)
def test_types_judged_by_content_not_name(picture, save, tmp_path, fmt, content_type) -> None:
    if fmt == "HEIF" and not pillow_heif.libheif_info()["HEIF"]:
        pytest.skip("this pillow-heif build cannot encode HEIC")
    path = save(picture(), "photo.jpg" if fmt != "JPEG" else "photo.png", fmt=fmt)

    info = inspect_image(path)

    assert (info.content_type, info.width, info.height) == (content_type, 600, 400)
    assert thumbnail(path, tmp_path / "t.jpg") == (512, 341)


@pytest.mark.parametrize(
    ("data", "expect"),
    [
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n", "PDF"),
        (b"#!/bin/sh\nrm -rf / --no-preserve-root\n", "not a picture"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "GIF"),
        (b"", "empty"),
    ],
    ids=["pdf", "shell-script", "gif", "empty"],
)
def test_not_an_image(write_bytes, tmp_path, data, expect) -> None:
    path = write_bytes("photo.jpg", data)

    with pytest.raises(NotAnImage, match=expect) as error:
        inspect_image(path)
    assert expect == "empty" or "JPEG, PNG, WebP or HEIC" in str(error.value)
    with pytest.raises(NotAnImage):
        thumbnail(path, tmp_path / "t.jpg")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_truncated_image_is_broken(picture, save, write_bytes, tmp_path, fmt) -> None:
    noisy = Image.effect_noise((600, 400), 60).convert("RGB")
    whole = save(noisy, "whole", fmt=fmt).read_bytes()
    path = write_bytes("half", whole[: len(whole) // 2])

    with pytest.raises(BrokenImage, match="damaged or incomplete"):
        inspect_image(path)
    with pytest.raises(BrokenImage):
        thumbnail(path, tmp_path / "t.jpg")


def test_decompression_bomb_is_refused_before_decoding(write_bytes, tmp_path) -> None:
    path = write_bytes("bomb.png", png_header_only(100_000, 100_000))

    with pytest.raises(BrokenImage, match="pixels"):
        inspect_image(path)
    with pytest.raises(BrokenImage):
        thumbnail(path, tmp_path / "t.jpg")
    assert not (tmp_path / "t.jpg").exists()


def test_max_pixels_is_checked_before_decoding(write_bytes) -> None:
    # 8000x8000 is below Pillow's own bomb limit but above ours; there is no pixel data to decode.
    path = write_bytes("big.png", png_header_only(8000, 8000))

    with pytest.raises(BrokenImage, match="8000x8000 pixels, more than the 50 megapixels"):
        inspect_image(path)


# --- perceptual hash ----------------------------------------------------------------------------


def test_phash_survives_reencoding_and_resizing(picture, save) -> None:
    original = inspect_image(save(picture((1600, 1200)), "orig.png", fmt="PNG")).phash
    copy = picture((1600, 1200)).resize((640, 480))
    reencoded = inspect_image(save(copy, "copy.jpg", quality=60)).phash
    other = inspect_image(save(picture((1600, 1200), variant=1), "other.jpg")).phash

    assert hamming(original, reencoded) <= 6
    assert hamming(original, other) > 16
    for value in (original, reencoded, other):
        assert -(2**63) <= value < 2**63


def test_phash_is_of_the_upright_image(picture, exif, save) -> None:
    upright = picture().transpose(Image.Transpose.ROTATE_270)
    stored_sideways = save(picture(), "sideways.jpg", quality=95, exif=exif(orientation=6))
    stored_upright = save(upright, "upright.jpg", quality=95)

    assert hamming(inspect_image(stored_sideways).phash, inspect_image(stored_upright).phash) <= 4


def test_phash_bands_and_hamming() -> None:
    assert phash_bands(0x0123_4567_89AB_CDEF) == (0x0123, 0x4567, 0x89AB, 0xCDEF)
    assert phash_bands(-1) == (0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF)
    assert phash_bands(-(2**63)) == (0x8000, 0, 0, 0)
    assert hamming(-1, 0) == 64
    assert hamming(0b1011, 0b0001) == 2
    assert hamming(-(2**63), 2**63) == 0  # signed and unsigned views of the same bits


def test_near_hashes_share_a_band() -> None:
    rng = random.Random(20240501)
    for _ in range(500):
        a = rng.getrandbits(64) - 2**63
        b = a
        for bit in rng.sample(range(64), rng.randint(0, 3)):
            b ^= 1 << bit
        b = (b + 2**63) % 2**64 - 2**63  # back into the signed range
        assert hamming(a, b) <= 3
        assert set(enumerate(phash_bands(a))) & set(enumerate(phash_bands(b)))
