"""Real image files built with Pillow, EXIF written with piexif."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import piexif
import pytest
from PIL import Image, ImageDraw

from tests.images import gps_ifd

RED = (255, 0, 0)
MARKER = 60  # side of the red square drawn in the stored top-left corner


@pytest.fixture
def picture() -> Callable[..., Image.Image]:
    """A non-square scene with a red marker in the top-left corner; `variant` changes the scene."""

    def build(size: tuple[int, int] = (600, 400), variant: int = 0) -> Image.Image:
        width, height = size
        img = Image.linear_gradient("L").resize(size).convert("RGB")
        if variant:
            img = img.transpose(Image.Transpose.ROTATE_180)
        draw = ImageDraw.Draw(img)
        if variant == 0:
            draw.ellipse((width * 0.3, height * 0.2, width * 0.8, height * 0.9), fill=(20, 120, 40))
            draw.rectangle((width * 0.55, height * 0.05, width * 0.95, height * 0.35), fill=(240, 220, 30))
        else:
            for i in range(0, width, width // 8):
                draw.rectangle((i, 0, i + width // 16, height), fill=(30, 30, 200))
        draw.rectangle((0, 0, MARKER - 1, MARKER - 1), fill=RED)
        return img

    return build


@pytest.fixture
def exif() -> Callable[..., bytes]:
    """EXIF bytes from keyword parts; `lat`/`lon` fill the GPS IFD, `gps` gives it raw."""

    def build(
        orientation: int | None = None,
        original: str | None = None,
        offset: str | None = None,
        datetime: str | None = None,
        gps: dict[int, Any] | None = None,
        lat: float | None = None,
        lon: float | None = None,
    ) -> bytes:
        zeroth: dict[int, Any] = {}
        exif_ifd: dict[int, Any] = {}
        if orientation is not None:
            zeroth[piexif.ImageIFD.Orientation] = orientation
        if datetime is not None:
            zeroth[piexif.ImageIFD.DateTime] = datetime.encode()
        if original is not None:
            exif_ifd[piexif.ExifIFD.DateTimeOriginal] = original.encode()
        if offset is not None:
            exif_ifd[piexif.ExifIFD.OffsetTimeOriginal] = offset.encode()
        if lat is not None and lon is not None:
            gps = gps_ifd(lat, lon)
        return piexif.dump({"0th": zeroth, "Exif": exif_ifd, "GPS": gps or {}})

    return build


@pytest.fixture
def save(tmp_path: Path) -> Callable[..., Path]:
    """Save an image under `name` (the name never decides the type: `fmt` does)."""

    def write(img: Image.Image, name: str, fmt: str = "JPEG", **params: Any) -> Path:
        path = tmp_path / name
        img.save(path, format=fmt, **params)
        return path

    return write


@pytest.fixture
def write_bytes(tmp_path: Path) -> Callable[[str, bytes], Path]:
    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write
