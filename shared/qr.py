"""QR codes as module matrices (no UI): the kiosk's printed and on-screen codes and the
hub's booking pages share them (``shared/ui/qr.py`` draws them in a terminal)."""

from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_matrix(data: str, border: int = 2) -> list[list[bool]]:
    """The module matrix of `data` (True = dark), quiet zone included."""
    # A fixed mask skips the search for the best of eight (4x faster); any mask scans.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border, mask_pattern=0)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def qr_svg(data: str, module: int = 6) -> str:
    """An SVG image of the QR code of `data`: black modules on white, `module` px each."""
    m = qr_matrix(data, border=4)
    n = len(m) * module
    path = "".join(
        f"M{x * module},{y * module}h{module}v{module}h-{module}z"
        for y, row in enumerate(m)
        for x, dark in enumerate(row)
        if dark
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{n}" height="{n}" '
        f'viewBox="0 0 {n} {n}" shape-rendering="crispEdges">'
        f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )
