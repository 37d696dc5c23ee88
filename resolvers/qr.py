"""QR codes of certificate tokens, as the app shows them."""

from __future__ import annotations

import io

import segno


def qr_svg(text: str) -> str:
    # Error correction M: a phone screen with glare still scans; the token fits easily.
    code = segno.make_qr(text, error="m")
    out = io.StringIO()
    code.save(out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    return out.getvalue()
