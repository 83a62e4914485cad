"""Before/after cards for social media: two photos side by side over a caption band, 1080×1080 JPEG.

Pure functions on files and text (no Flask, no database), like `satgas.imaging`. Photos may be
12 MP: a JPEG is decoded at the smallest 1/2…1/8 scale that still fills its panel (`draft`),
other formats are shrunk by whole factors (`reduce`) before the final resample, so a card
never holds a full-size bitmap of a JPEG. The card carries no metadata at all.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw, ImageFont, ImageOps

from satgas.imaging import flatten

SIZE = 1080
PHOTO_HEIGHT = 760
PANEL = (SIZE // 2, PHOTO_HEIGHT)
MARGIN = 40
DRAFT_COVER = 0.9
BAND = (10, 53, 80)  # the public page's header blue
WHITE, MUTED, ACCENT = (255, 255, 255), (185, 207, 220), (242, 183, 5)
FOOTER = "SATGAS Drainase · DPUPR Kota Malang"
# DejaVu (Debian's fonts-dejavu-core, installed by `make`), else Pillow's own scalable font.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Caption:
    """The card's text, already in Indonesian."""

    title: str
    place: str
    when: str
    ticket: str | None = None


@cache
def font(size: int, bold: bool = False) -> Font:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _fill_size(width: int, height: int, panel: tuple[int, int]) -> tuple[int, int]:
    """The size `width`×`height` scales to when it covers `panel` (crop to fill, never stretch)."""
    scale = max(panel[0] / width, panel[1] / height)
    return math.ceil(width * scale), math.ceil(height * scale)


# EXIF orientation → the turn that makes the stored pixels upright (as ImageOps.exif_transpose does).
_UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
            5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_90}


def panel(path: Path, size: tuple[int, int] = PANEL) -> Image.Image:
    """The photo upright, scaled to cover `size` and centre-cropped to it (never stretched).

    Everything happens on the smallest bitmap that will do: no full-size copy is ever made.
    """
    with Image.open(path) as img:
        orientation = img.getexif().get(ExifTags.Base.Orientation, 1)
        turn = _UPRIGHT.get(orientation) if isinstance(orientation, int) else None
        stored_panel = (size[1], size[0]) if orientation in (5, 6, 7, 8) else size
        need = _fill_size(img.width, img.height, stored_panel)
        # JPEG only (a no-op for others): decode at 1/2, 1/4 or 1/8 scale, the smallest that
        # still covers 90 % of the panel (an upscale of at most 11 % is invisible on a card).
        img.draft("RGB", (math.ceil(need[0] * DRAFT_COVER), math.ceil(need[1] * DRAFT_COVER)))
        img.load()
        factor = min(img.width // need[0], img.height // need[1])
        small = img.reduce(factor) if factor >= 2 else img
        if turn is not None:
            small = small.transpose(turn)
        return ImageOps.fit(small if small.mode == "RGB" else flatten(small), size, Image.Resampling.LANCZOS)


def _fitted(draw: ImageDraw.ImageDraw, text: str, size: int, bold: bool, width: int) -> Font:
    """The largest font down to 60 % of `size` in which `text` fits `width`."""
    for step in range(size, int(size * 0.6) - 1, -2):
        candidate = font(step, bold)
        if draw.textlength(text, font=candidate) <= width:
            return candidate
    return font(int(size * 0.6), bold)


def _badge(draw: ImageDraw.ImageDraw, text: str, x: int) -> None:
    """"SEBELUM" / "SESUDAH" at the bottom-left of a photo panel."""
    label_font = font(34, bold=True)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=label_font)
    pad = 12
    y = PHOTO_HEIGHT - (bottom - top) - 2 * pad - 20
    draw.rectangle((x + 20, y, x + 20 + right - left + 2 * pad, y + bottom - top + 2 * pad), fill=BAND)
    draw.text((x + 20 + pad - left, y + pad - top), text, font=label_font, fill=WHITE)


def _caption(draw: ImageDraw.ImageDraw, caption: Caption) -> None:
    width = SIZE - 2 * MARGIN
    lines = [(caption.title, 56, True, WHITE), (caption.place, 38, False, WHITE), (caption.when, 38, False, WHITE)]
    if caption.ticket:
        lines.append((caption.ticket, 34, True, ACCENT))
    y = PHOTO_HEIGHT + 26
    for text, size, bold, colour in lines:
        line_font = _fitted(draw, text, size, bold, width)
        draw.text((MARGIN, y), text, font=line_font, fill=colour)
        y += size + 14
    footer_font = font(30)
    draw.text((MARGIN, SIZE - 30 - 26), FOOTER, font=footer_font, fill=MUTED)


def render_card(before: Path, after: Path, caption: Caption, dest: Path) -> None:
    """Write the 1080×1080 JPEG card (no EXIF, no comment, no ICC) to `dest`."""
    canvas = Image.new("RGB", (SIZE, SIZE), BAND)
    canvas.paste(panel(before), (0, 0))
    canvas.paste(panel(after), (PANEL[0], 0))
    draw = ImageDraw.Draw(canvas)
    draw.line((PANEL[0], 0, PANEL[0], PHOTO_HEIGHT), fill=WHITE, width=4)
    _badge(draw, "SEBELUM", 0)
    _badge(draw, "SESUDAH", PANEL[0])
    _caption(draw, caption)
    canvas.save(dest, format="JPEG", quality=88, optimize=True, progressive=True)
