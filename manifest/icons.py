"""The app's two Teams icons, drawn and PNG-encoded in pure Python.

No image library is a dependency, so the icons are rendered from one vector
glyph (a calendar page with a check mark) at package time: nothing binary is
committed and the two sizes can never drift apart.
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib

COLOR_SIZE = 192
OUTLINE_SIZE = 32
ACCENT = (0x2F, 0x5D, 0xA8)
WHITE = (0xFF, 0xFF, 0xFF)
ACCENT_HEX = "#{:02X}{:02X}{:02X}".format(*ACCENT)

_STROKE = 0.08
_CHECK = ((0.33, 0.60), (0.46, 0.72), (0.68, 0.48))
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def encode_png(width: int, height: int, rgba: bytes) -> bytes:
    """An 8-bit RGBA (colour type 6) PNG; every scanline uses filter 0."""
    stride = width * 4
    if len(rgba) != stride * height:
        raise ValueError("pixel data does not match the image size")
    raw = b"".join(b"\x00" + rgba[row * stride : (row + 1) * stride] for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        _PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def color_icon() -> bytes:
    """192×192, opaque: the white glyph on the accent colour (Teams' full-colour icon)."""
    size, margin = COLOR_SIZE, 0.18
    pixels = bytearray()
    for py in range(size):
        for px in range(size):
            cover = _coverage(px, py, size, margin)
            pixels += bytes(round(a + (b - a) * cover) for a, b in zip(ACCENT, WHITE, strict=True))
            pixels.append(0xFF)
    return encode_png(size, size, bytes(pixels))


def outline_icon() -> bytes:
    """32×32: the glyph in white on a transparent background (Teams' outline icon)."""
    size = OUTLINE_SIZE
    pixels = bytearray()
    for py in range(size):
        for px in range(size):
            pixels += bytes(WHITE)
            pixels.append(round(255 * _coverage(px, py, size, 0.0)))
    return encode_png(size, size, bytes(pixels))


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _coverage(px: int, py: int, size: int, margin: float) -> float:
    """Share of a pixel the glyph covers (supersampled, for smooth edges)."""
    n = 4 if size <= 64 else 2  # fine edges where pixels are big, speed where they are many
    scale = 1.0 - 2 * margin
    hits = 0
    for sy in range(n):
        for sx in range(n):
            x = ((px + (sx + 0.5) / n) / size - margin) / scale
            y = ((py + (sy + 0.5) / n) / size - margin) / scale
            hits += _glyph(x, y)
    return hits / (n * n)


def _glyph(x: float, y: float) -> bool:
    """The calendar glyph in the unit square (y grows downwards)."""
    t = _STROKE
    in_page = 0.12 <= x <= 0.88 and 0.20 <= y <= 0.88
    in_hole = 0.12 + t <= x <= 0.88 - t and 0.36 <= y <= 0.88 - t
    if in_page and not in_hole:
        return True
    if 0.10 <= y <= 0.28 and (abs(x - 0.33) <= t / 2 or abs(x - 0.67) <= t / 2):
        return True
    return any(_near_segment(x, y, a, b, t / 2) for a, b in itertools.pairwise(_CHECK))


def _near_segment(x: float, y: float, a: tuple[float, float], b: tuple[float, float], r: float) -> bool:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (ax + t * dx), y - (ay + t * dy)) <= r
