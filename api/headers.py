"""The security headers every answer carries, as a plain ASGI middleware.

Starlette's ``@app.middleware("http")`` (BaseHTTPMiddleware) runs each request through a
second task and a memory stream between the app and the server: about a millisecond of a
browsing client's ego request. This one only looks at the response's first message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class SecureHeaders:
    """Adds ``headers`` to every HTTP response that does not set them itself, and
    ``Content-Security-Policy``: ``page_csp`` for HTML, ``api_csp`` for the rest. An error
    the app lets through before it began to answer becomes ``on_error(request, error)``
    (the one error shape); once the answer has begun, the server's own handling is all
    that is left."""

    def __init__(self, app: ASGIApp, *, headers: Mapping[str, str], page_csp: str,
                 api_csp: str, on_error: Callable[[Request, Exception], Response]):
        self.app = app
        self.headers, self.page_csp, self.api_csp = dict(headers), page_csp, api_csp
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
                self.secure(message)
            await send(message)

        try:
            await self.app(scope, receive, send_secure)
        except Exception as e:  # not ours: still the one error shape, and the headers
            if started:
                raise
            await self.on_error(Request(scope), e)(scope, receive, send_secure)

    def secure(self, message: dict[str, Any]) -> None:
        headers = MutableHeaders(scope=message)
        for k, v in self.headers.items():
            headers.setdefault(k, v)
        html = headers.get("content-type", "").startswith("text/html")
        headers.setdefault("Content-Security-Policy", self.page_csp if html else self.api_csp)



