"""QR codes as SVG (segno), for printed pages: vector, sharp at any printer resolution."""

from __future__ import annotations

from functools import lru_cache

import segno


@lru_cache(maxsize=256)
def qr_svg_data_uri(text: str) -> str:
    """Return a QR code of `text` as an SVG data: URI (the print fetcher allows data:)."""
    # Medium error correction survives a crease or a smudge on the printed page.
    return segno.make(text, error="m", micro=False).svg_data_uri(scale=4, border=4)
