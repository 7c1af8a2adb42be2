"""The plain HTTP routes on the hub's port, beside the websocket at ``/ws``.

``/board`` (``/board?supervisor`` too: the page reads its query), ``/reports`` (the
supervisors' period reports: they log in on the page),
``/t/<token>``, ``/book`` and ``/b/<token>`` (预约: one page, booking or showing a
booking; served only for a token that opens one) serve the pages of ``hub/web/``, ``/static/<name>`` their
scripts and styles, ``/healthz`` the hub's vital signs, ``/`` redirects to
the board, anything else is a 404. A ticket page is only served for a token
that opens a ticket, and shows nothing of it before its script connects.
Every response carries the same headers: no caching, no MIME sniffing, no
referrer, a Content-Security-Policy that allows only the hub's own scripts,
styles and websocket, and ``Connection: close``.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import TypedDict

from websockets.datastructures import Headers
from websockets.http11 import Response

WEB = Path(__file__).parent / "web"
NOT_FOUND = "未找到 / Not found\n".encode()
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self' ws: wss:; img-src 'self' data:; media-src 'self' data:"
)


class Health(TypedDict):
    """What ``/healthz`` answers."""

    status: str
    seq: int
    day: str
    clients: int


class Pages:
    """Routes a request path to a response; None lets the websocket handshake go on."""

    def __init__(
        self,
        health: Callable[[], Health],
        ticket_known: Callable[[str], bool],
        booking_known: Callable[[str], bool] = lambda token: False,
        booking_qr: Callable[[str], str | None] = lambda token: None,
        web: Path = WEB,
    ) -> None:
        self.booking_qr = booking_qr
        self.health = health
        self.ticket_known = ticket_known
        self.booking_known = booking_known
        self.web = web

    def route(self, target: str) -> Response | None:
        """The response to a GET of `target` (path and query), or None for ``/ws``."""
        path = target.partition("?")[0]
        if path == "/ws":
            return None
        if path == "/healthz":
            return response(200, json.dumps(self.health()).encode(), "application/json")
        if path in ("/board", "/board/"):
            return self.file("board.html")
        if path in ("/reports", "/reports/"):  # supervisors log in on the page (websocket)
            return self.file("reports.html")
        if path.startswith("/t/"):
            if self.ticket_known(path[3:]):
                return self.file("ticket.html")
            return self.file("notfound.html", status=404)
        if path in ("/book", "/book/"):
            return self.file("book.html")
        if path.startswith("/b/") and path.endswith("/qr.svg"):
            svg = self.booking_qr(path[3 : -len("/qr.svg")])
            if svg is None:
                return response(404, NOT_FOUND, "text/plain")
            return response(200, svg.encode(), "image/svg+xml")
        if path.startswith("/b/"):
            if self.booking_known(path[3:]):
                return self.file("book.html")
            return self.file("notfound.html", status=404)
        if path.startswith("/static/"):
            name = path[len("/static/") :]
            if "/" in name or "\\" in name or name.startswith("."):
                return response(404, b"not found\n", "text/plain")
            return self.file(name)
        if path == "/":
            return response(302, b"", "text/plain", extra=[("Location", "/board")])
        return response(404, NOT_FOUND, "text/plain")

    def file(self, name: str, status: int = 200) -> Response:
        """A file of the web folder (a 404 when there is none)."""
        f = self.web / name
        if not f.is_file():
            return response(404, NOT_FOUND, "text/plain")
        ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return response(status, f.read_bytes(), ctype)


def response(
    status: int, body: bytes, ctype: str, extra: list[tuple[str, str]] | None = None
) -> Response:
    """A response with the hub's headers: text in UTF-8, no caching, no sniffing, the CSP."""
    if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
        ctype += "; charset=utf-8"
    headers = Headers(
        [
            ("Content-Type", ctype),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Content-Security-Policy", CSP),
            ("Connection", "close"),
            *(extra or []),
        ]
    )
    return Response(status, HTTPStatus(status).phrase, headers, body)
