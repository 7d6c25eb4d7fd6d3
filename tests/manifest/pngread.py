"""A minimal PNG reader for the tests: checks signature and CRCs, decodes filter-0 scanlines."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


@dataclass(frozen=True)
class Png:
    width: int
    height: int
    bit_depth: int
    colour_type: int
    rows: list[bytes]

    def pixels(self) -> list[tuple[int, ...]]:
        n = CHANNELS[self.colour_type]
        return [tuple(row[i : i + n]) for row in self.rows for i in range(0, len(row), n)]


def read_png(data: bytes) -> Png:
    assert data.startswith(SIGNATURE), "not a PNG"
    pos, chunks = len(SIGNATURE), []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        tag, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(tag + body), f"bad CRC in {tag!r}"
        chunks.append((tag, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, colour, _, _, _ = struct.unpack(">IIBBBBB", chunks[0][1])
    raw = zlib.decompress(b"".join(body for tag, body in chunks if tag == b"IDAT"))
    stride = width * CHANNELS[colour] * depth // 8
    assert len(raw) == height * (stride + 1)
    rows = []
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        assert line[0] == 0, "only filter type 0 is supported"
        rows.append(line[1:])
    return Png(width, height, depth, colour, rows)
