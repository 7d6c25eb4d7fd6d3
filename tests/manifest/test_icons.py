"""The pure-Python PNG writer."""

from __future__ import annotations

import pytest

from manifest.icons import encode_png
from tests.manifest.pngread import read_png


def test_encoded_png_decodes_to_the_same_pixels() -> None:
    rgba = bytes([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 9, 9, 9, 9, 1, 2, 3, 4, 5, 6, 7, 8])
    png = read_png(encode_png(3, 2, rgba))
    assert (png.width, png.height, png.bit_depth, png.colour_type) == (3, 2, 8, 6)
    assert b"".join(png.rows) == rgba


def test_pixel_data_must_match_the_size() -> None:
    with pytest.raises(ValueError, match="size"):
        encode_png(2, 2, bytes(12))
