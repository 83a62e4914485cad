"""Card panels from photos of every accepted kind and orientation: upright, filled, never stretched."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageChops, ImageOps, ImageStat, JpegImagePlugin

from satgas.card_render import PANEL, Caption, panel, render_card
from tests.images import encode, jpeg, scene


def _difference(a: Image.Image, b: Image.Image) -> float:
    small = [img.convert("RGB").resize((27, 38), Image.Resampling.BOX) for img in (a, b)]
    return sum(ImageStat.Stat(ImageChops.difference(*small)).mean) / 3


def _oracle(data: bytes) -> Image.Image:
    return ImageOps.fit(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"), PANEL)


@pytest.mark.parametrize("data", [
    pytest.param(jpeg(1, size=(4000, 3000), quality=70), id="12 MP JPEG"),
    pytest.param(jpeg(2, rotated=True), id="JPEG stored sideways (orientation 6)"),
    pytest.param(jpeg(3, size=(300, 1200)), id="tall JPEG"),
    pytest.param(encode(scene(4, (2400, 1800)), "PNG"), id="big PNG"),
    pytest.param(encode(scene(5, (800, 600)), "WEBP", quality=90), id="WebP"),
])
def test_a_panel_is_the_photo_upright_and_cropped_to_fill(tmp_path: Path, data: bytes):
    path = tmp_path / "photo"
    path.write_bytes(data)
    made = panel(path)
    assert made.size == PANEL and made.mode == "RGB"
    assert _difference(made, _oracle(data)) < 6
    if Image.open(io.BytesIO(data)).getexif().get(ExifTags.Base.Orientation) == 6:  # unturned: far off
        assert _difference(made, ImageOps.fit(Image.open(io.BytesIO(data)).convert("RGB"), PANEL)) > 30


def test_transparent_areas_become_white(tmp_path: Path):
    clear = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    path = tmp_path / "clear.png"
    path.write_bytes(encode(clear, "PNG"))
    assert ImageStat.Stat(panel(path)).mean == [255.0, 255.0, 255.0]


def test_a_long_caption_still_fits(tmp_path: Path):
    for name, data in (("b", jpeg(1)), ("a", jpeg(2))):
        (tmp_path / name).write_bytes(data)
    caption = Caption("Pembersihan gorong-gorong", "Kel. " + "Tunjungsekar" * 4 + ", Kec. Lowokwaru",
                      "28 November 2026 · 12.345,6 m", "Menanggapi aduan SAMBAT #" + "A" * 40)
    render_card(tmp_path / "b", tmp_path / "a", caption, tmp_path / "card.jpg")
    card = Image.open(tmp_path / "card.jpg")
    assert card.size == (1080, 1080) and "exif" not in card.info


def test_a_12_mp_jpeg_is_decoded_at_a_quarter_of_its_size(tmp_path: Path, monkeypatch):
    """draft: 1000×750 pixels decoded (2 MiB), never the 4000×3000 (36 MiB) of the file."""
    decoded: list[tuple[int, int]] = []
    real = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = real(self, mode, size)
        decoded.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    path = tmp_path / "big.jpg"
    path.write_bytes(jpeg(1, size=(4000, 3000), quality=70))
    assert panel(path).size == PANEL
    assert decoded == [(1000, 750)]
