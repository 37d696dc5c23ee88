"""QR codes of certificate tokens, as the app shows them."""

from __future__ import annotations

import segno


def qr_svg(text: str) -> str:
    # Error correction M: a phone screen with some glare still scans.
    svg: str = segno.make_qr(text, error="m").svg_inline(scale=4, border=2)
    return svg
