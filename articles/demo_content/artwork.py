"""Pictures for the demo, drawn with Pillow: no photo is copied, none is downloaded.

A hero image is a soft landscape (a graded sky, a blurred sun, layered ridges) in one of six
palettes; the same slug always gives the same picture. An author photo is a pair of initials
on a coloured disc. Drawing happens on a small canvas that is scaled up, which keeps the
whole demo quick to load and the shapes soft.
"""

import hashlib
import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERO_SIZE = (1600, 900)
PORTRAIT_SIZE = 400
_WORK_SIZE = (400, 225)

# sky top, sky bottom, sun, then ridges from far to near.
PALETTES: dict[str, list[str]] = {
    "dusk": ["#2b2d5c", "#f2a07b", "#ffd9a0", "#8c5a7a", "#5e3f66", "#3a2a4d", "#1f1833"],
    "sea": ["#9fd3e6", "#e9f4f2", "#fff6d6", "#5aa7c0", "#2f7f9e", "#1d5f7a", "#0f3b52"],
    "forest": ["#c9e2c5", "#f3f0d8", "#fff3c4", "#7fae7a", "#4f8a5b", "#2f6146", "#183a2c"],
    "city": ["#37474f", "#b0bec5", "#eceff1", "#78909c", "#546e7a", "#37474f", "#232f34"],
    "sand": ["#f6d8a8", "#fdf1dc", "#fff8e7", "#e0b07a", "#c98f55", "#a36b3a", "#6e4424"],
    "ember": ["#3b0f1a", "#f08a4b", "#ffd27a", "#c4493b", "#8e2d33", "#5c1a2b", "#2e0c17"],
}
_PORTRAIT_COLOURS = ["#3d5a80", "#98473e", "#4f772d", "#6d597a", "#b56576", "#1d7874", "#8d6a3f"]


def _rng(seed: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))


def _shade(colour: str, amount: float) -> tuple[int, int, int]:
    """Lighten (amount > 0) or darken (amount < 0) a colour by a fraction."""
    target = 255 if amount > 0 else 0
    return tuple(round(c + (target - c) * abs(amount)) for c in _rgb(colour))


def _sky(top: str, bottom: str, tilt: float) -> Image.Image:
    mask = Image.linear_gradient("L").rotate(tilt, resample=Image.BICUBIC, expand=False)
    mask = mask.crop((24, 24, 232, 232)).resize(_WORK_SIZE, Image.BICUBIC)
    return Image.composite(
        Image.new("RGB", _WORK_SIZE, _rgb(bottom)), Image.new("RGB", _WORK_SIZE, _rgb(top)), mask
    )


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _soft_ellipse(
    image: Image.Image,
    colour: str,
    box: tuple[float, float, float, float],
    blur: float,
    opacity: float,
) -> None:
    """Paint an ellipse (centre x, centre y, radius x, radius y) with blurred edges."""
    x, y, rx, ry = box
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).ellipse((x - rx, y - ry, x + rx, y + ry), fill=round(255 * opacity))
    image.paste(_rgb(colour), (0, 0, *image.size), mask.filter(ImageFilter.GaussianBlur(blur)))


def _ridge(rng: random.Random, base: float, amplitude: float) -> list[tuple[float, float]]:
    width, height = _WORK_SIZE
    waves = [
        (rng.uniform(0.6, 2.4), rng.uniform(0, math.tau), rng.uniform(0.3, 1.0)) for _ in range(3)
    ]
    total = sum(weight for _, _, weight in waves)
    points = [(0, height)]
    for x in range(0, width + 4, 4):
        t = x / width
        wobble = sum(w * math.sin(f * math.tau * t + p) for f, p, w in waves) / total
        points.append((x, base + wobble * amplitude))
    points.append((width, height))
    return points


def _skyline(draw: ImageDraw.ImageDraw, rng: random.Random, base: float) -> None:
    width, height = _WORK_SIZE
    x = rng.uniform(-20, 0)
    while x < width:
        block = rng.uniform(14, 42)
        top = base - rng.uniform(0, 70) * rng.random()
        draw.rectangle((x, top, x + block, height), fill=255)
        x += block + rng.uniform(-4, 6)


def hero_jpeg(seed: str, palette: str) -> bytes:
    """A 1600×900 JPEG landscape in `palette`, the same for the same `seed`."""
    rng = _rng(seed)
    colours = PALETTES[palette]
    width, height = _WORK_SIZE
    image = _sky(colours[0], colours[1], rng.uniform(-25, 25))

    sun_x, sun_y = rng.uniform(0.15, 0.85) * width, rng.uniform(0.18, 0.45) * height
    radius = rng.uniform(18, 38)
    _soft_ellipse(image, colours[2], (sun_x, sun_y, radius * 2.4, radius * 2.4), 14, 0.35)
    _soft_ellipse(image, colours[2], (sun_x, sun_y, radius, radius), 1.5, 0.95)
    for _ in range(rng.randint(2, 4)):  # haze bands drifting across the sky
        centre = (rng.uniform(0, width), rng.uniform(0.1, 0.5) * height)
        size = (rng.uniform(40, 110), rng.uniform(5, 12))
        _soft_ellipse(image, _hex(_shade(colours[1], 0.4)), (*centre, *size), 5, 0.45)

    ridges = colours[3:]
    for index, colour in enumerate(ridges):
        base = height * (0.5 + 0.13 * index) + rng.uniform(-8, 8)
        layer = Image.new("L", _WORK_SIZE, 0)
        if palette == "city" and index in (1, 2):
            _skyline(ImageDraw.Draw(layer), rng, base)
        else:
            outline = _ridge(rng, base, rng.uniform(10, 34) - index * 3)
            ImageDraw.Draw(layer).polygon(outline, fill=255)
        # Nearer ridges are sharper; far ones sit in the haze.
        layer = layer.filter(ImageFilter.GaussianBlur(max(0.6, 2.4 - index * 0.6)))
        image.paste(Image.new("RGB", _WORK_SIZE, _rgb(colour)), (0, 0), layer)

    image = image.resize(HERO_SIZE, Image.BICUBIC)
    grain = Image.effect_noise(HERO_SIZE, 18).convert("RGB")
    image = Image.blend(image, grain, 0.035)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=84)
    return buffer.getvalue()


def portrait_jpeg(name: str) -> bytes:
    """A 400×400 JPEG placeholder portrait: the person's initials on a coloured disc."""
    rng = _rng(name)
    colour = rng.choice(_PORTRAIT_COLOURS)
    image = Image.new("RGB", (PORTRAIT_SIZE, PORTRAIT_SIZE), _shade(colour, 0.82))
    draw = ImageDraw.Draw(image)
    draw.ellipse((28, 28, PORTRAIT_SIZE - 28, PORTRAIT_SIZE - 28), fill=_rgb(colour))
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    font = ImageFont.load_default(size=150)
    draw.text(
        (PORTRAIT_SIZE / 2, PORTRAIT_SIZE / 2),
        initials,
        fill=_shade(colour, 0.9),
        font=font,
        anchor="mm",
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()
