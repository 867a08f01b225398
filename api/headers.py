"""The security headers every answer carries, and the plain ASGI middleware that adds them.

Starlette's ``@app.middleware("http")`` (BaseHTTPMiddleware) runs each request through a
second task and a memory stream between the app and the server: about a millisecond of a
browsing client's ego request. This one only looks at the response's first message.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}
#: pages inline their scripts and styles (they must work offline); nothing else loads
PAGE_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            "img-src data:; frame-src 'self'; connect-src 'self'; frame-ancestors 'none'")
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def secure(headers: MutableHeaders) -> None:
    """Add the security headers a response does not set itself, and its
    ``Content-Security-Policy``: :data:`PAGE_CSP` for HTML, :data:`API_CSP` for the rest."""
    for k, v in SECURITY_HEADERS.items():
        headers.setdefault(k, v)
    html = headers.get("content-type", "").startswith("text/html")
    headers.setdefault("Content-Security-Policy", PAGE_CSP if html else API_CSP)


class SecureHeaders:
    """Every HTTP response through :func:`secure`. An error the app lets through before it
    began to answer becomes ``on_error(request, error)`` (the one error shape); once the
    answer has begun, the server's own handling is all that is left."""

    def __init__(self, app: ASGIApp, *, on_error: Callable[[Request, Exception], Response]):
        self.app = app
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_secure(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                secure(MutableHeaders(scope=message))
            await send(message)

        try:
            await self.app(scope, receive, send_secure)
        except Exception as e:  # not ours: still the one error shape, and the headers
            if started:
                raise
            await self.on_error(Request(scope), e)(scope, receive, send_secure)
