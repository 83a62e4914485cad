"""Before/after photos for the demo: a drain drawn with Pillow, stamped like a field camera app,
with EXIF time (WIB) and GPS as a phone writes them.

Every spot gets its own layout (horizon, vanishing point, houses, trees), so photos of
different logs are far apart by perceptual hash and only the deliberately reused one is
flagged `reused_photo`. Before: sediment and rubbish in the channel; after: running water,
and the sacks of sediment on the roadside.
"""
from __future__ import annotations

import io
import random
from datetime import datetime
from fractions import Fraction

import imagehash
from PIL import Image, ImageDraw, ImageFont
from PIL.ExifTags import GPS, IFD, Base
from PIL.TiffImagePlugin import IFDRational

from satgas.timeutil import to_wib

SIZE = (480, 360)
QUALITY = 72
_DAYS = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")
_RUBBISH = [(235, 235, 230), (40, 90, 200), (200, 40, 40), (30, 150, 70), (240, 200, 40), (20, 20, 20),
            (250, 130, 40)]


def _shade(rng: random.Random, base: tuple[int, int, int], spread: int) -> tuple[int, int, int]:
    """`base` lighter or darker by up to `spread`, each channel nudged a little (no odd hues)."""
    common = rng.randint(-spread, spread)
    return tuple(max(0, min(255, c + common + rng.randint(-8, 8))) for c in base)  # type: ignore[return-value]


def _background(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int) -> None:
    width, height = SIZE
    draw.rectangle((0, 0, width, horizon), fill=_shade(rng, (185, 205, 225), 35))
    draw.rectangle((0, horizon, width, height), fill=_shade(rng, (105, 105, 100), 35))
    for _ in range(rng.randint(2, 6)):  # houses along the street
        x = rng.randint(-60, width - 40)
        w, h = rng.randint(70, 260), rng.randint(40, 170)
        wall = rng.choice([(215, 205, 185), (230, 225, 205), (190, 210, 200), (215, 190, 160), (170, 175, 185)])
        draw.rectangle((x, horizon - h, x + w, horizon + 4), fill=_shade(rng, wall, 40))
        roof = _shade(rng, (150, 70, 45), 30)
        draw.polygon([(x - 8, horizon - h), (x + w + 8, horizon - h), (x + w // 2, horizon - h - rng.randint(15, 40))],
                     fill=roof)
    for _ in range(rng.randint(1, 5)):  # trees
        cx, cy, r = rng.randint(0, width), horizon - rng.randint(10, 90), rng.randint(20, 70)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_shade(rng, (60, 120, 55), 30))
    if rng.random() < 0.5:  # a fence or house wall right beside the drain
        x = rng.choice((rng.randint(-200, -40), rng.randint(width - 160, width - 40)))
        draw.rectangle((x, rng.randint(0, horizon), x + 200, height), fill=_shade(rng, (200, 195, 185), 45))


def _channel(rng: random.Random, horizon: int) -> list[tuple[float, float]]:
    """The drain as a trapezoid from the bottom edge to a vanishing point on the horizon."""
    width, height = SIZE
    vanish = rng.uniform(0.2, 0.8) * width
    near = rng.randint(160, 330)
    left = rng.uniform(-0.1, 0.9) * width - near / 2
    return [(left, height), (left + near, height), (vanish + 6, horizon + 2), (vanish - 6, horizon + 2)]


def _inside(rng: random.Random, quad: list[tuple[float, float]], horizon: int) -> tuple[float, float, float]:
    """A random spot in the channel and the perspective scale there (1 near, ~0 far)."""
    t = rng.random() ** 0.6
    y = horizon + (SIZE[1] - horizon) * t
    lx = quad[3][0] + (quad[0][0] - quad[3][0]) * t
    rx = quad[2][0] + (quad[1][0] - quad[2][0]) * t
    return rng.uniform(lx, rx), y, t


def _content(draw: ImageDraw.ImageDraw, rng: random.Random, quad: list, horizon: int, kind: str) -> None:
    draw.polygon(quad, fill=_shade(rng, (180, 180, 172), 15))  # concrete walls
    inner = [(quad[0][0] + 14, quad[0][1]), (quad[1][0] - 14, quad[1][1]), quad[2], quad[3]]
    if kind == "before":
        draw.polygon(inner, fill=_shade(rng, (105, 82, 50), 18))
        for _ in range(rng.randint(25, 50)):
            x, y, t = _inside(rng, inner, horizon)
            r = 2 + 14 * t * rng.random()
            draw.ellipse((x - r, y - r * 0.6, x + r, y + r * 0.6), fill=rng.choice(_RUBBISH))
        return
    draw.polygon(inner, fill=_shade(rng, (75, 92, 88), 12))
    for _ in range(rng.randint(6, 14)):  # ripples on running water
        x, y, t = _inside(rng, inner, horizon)
        draw.line((x - 18 * t, y, x + 18 * t, y), fill=(140, 160, 160), width=1)
    side = 1 if quad[1][0] < SIZE[0] - 80 else -1
    base_x = quad[1][0] + 20 if side > 0 else quad[0][0] - 70
    for i in range(rng.randint(4, 9)):  # sacks of sediment on the roadside
        x, y = base_x + rng.randint(0, 40), SIZE[1] - 30 - i * rng.randint(12, 22)
        draw.rounded_rectangle((x, y, x + 46, y + 30), radius=8, fill=_shade(rng, (225, 220, 200), 15),
                               outline=(150, 145, 130))


def _stamp(img: Image.Image, kind: str, taken_at: datetime, place: str, lonlat: tuple[float, float]) -> None:
    """The overlay field-camera apps print: label, local time, place and position."""
    local = to_wib(taken_at)
    lines = [f"{_DAYS[local.weekday()]}, {local:%d/%m/%Y %H:%M} WIB", place, f"{lonlat[1]:.5f}, {lonlat[0]:.5f}"]
    draw = ImageDraw.Draw(img, "RGBA")
    font = ImageFont.load_default(size=15)
    draw.rectangle((0, SIZE[1] - 66, 330, SIZE[1]), fill=(0, 0, 0, 140))
    for i, line in enumerate(lines):
        draw.text((8, SIZE[1] - 62 + i * 20), line, fill=(255, 255, 255), font=font)
    label = "SEBELUM" if kind == "before" else "SESUDAH"
    draw.rectangle((0, 0, 112, 28), fill=(200, 30, 30, 200) if kind == "before" else (20, 130, 60, 200))
    draw.text((10, 5), label, fill=(255, 255, 255), font=ImageFont.load_default(size=17))


def _rational(value: float) -> IFDRational:
    fraction = Fraction(value).limit_denominator(10_000)
    return IFDRational(fraction.numerator, fraction.denominator)


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    """Degrees, minutes and seconds (to 1/100 s), counted in whole hundredths so seconds never reach 60."""
    hundredths = round(value * 360_000)
    degrees, rest = divmod(hundredths, 360_000)
    minutes, seconds = divmod(rest, 6_000)
    return _rational(degrees), _rational(minutes), IFDRational(seconds, 100)


def _exif(taken_at: datetime, lonlat: tuple[float, float]) -> Image.Exif:
    exif = Image.Exif()
    exif[Base.Make] = "SATGAS demo"
    exif[Base.Model] = "Kamera lapangan"
    details = exif.get_ifd(IFD.Exif)
    details[Base.DateTimeOriginal] = to_wib(taken_at).strftime("%Y:%m:%d %H:%M:%S")
    details[Base.OffsetTimeOriginal] = "+07:00"
    gps = exif.get_ifd(IFD.GPSInfo)
    lon, lat = lonlat
    gps[GPS.GPSLatitudeRef] = "S" if lat < 0 else "N"
    gps[GPS.GPSLatitude] = _dms(abs(lat))
    gps[GPS.GPSLongitudeRef] = "W" if lon < 0 else "E"
    gps[GPS.GPSLongitude] = _dms(abs(lon))
    return exif


def drain_photo(spot_seed: int, kind: str, taken_at: datetime, lonlat: tuple[float, float],
                place: str) -> tuple[bytes, int]:
    """A JPEG of the drain at one spot (`spot_seed` fixes the layout), `before` or `after` the work,
    and its 64-bit perceptual hash (unsigned)."""
    rng = random.Random(spot_seed)
    horizon = rng.randint(60, 230)
    img = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(img)
    _background(draw, rng, horizon)
    quad = _channel(rng, horizon)
    _content(draw, random.Random(f"{spot_seed}-{kind}"), quad, horizon, kind)
    if rng.random() < 0.5:  # seen from the other bank
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    _stamp(img, kind, taken_at, place, lonlat)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=QUALITY, exif=_exif(taken_at, lonlat))
    return out.getvalue(), int(str(imagehash.phash(img)), 16)
