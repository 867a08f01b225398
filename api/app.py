"""The HTTP API: thin FastAPI routes over :class:`api.service.CoalitionService`.

Security, built in from the start:
- every route but ``/api/health`` requires a role (viewer < analyst < editor < admin) via an
  API key (``Authorization: Bearer <key>`` or ``X-API-Key``);
- with no key defined and the server on loopback, auth is off (a single local user, treated
  as admin); bound to any other address, the server refuses to start without keys
  (:func:`check_bind`);
- people's contact details only for analyst and above; Cypher is read-only in the database and
  checked by the app first, with a timeout and a row cap; queries, imports and key use go to
  the audit log;
- no CORS headers (cross-origin pages cannot call it); standard security headers.
Errors have one shape: ``{"error": {"type", "message", "issues"?}}``.
"""

# No "from __future__ import annotations": FastAPI must see the Annotated dependencies
# defined inside create_app as objects, not as names it cannot resolve.

import contextlib
import datetime as dt
import ipaddress
import pathlib
import re
import shutil
import tempfile
import threading
import zipfile
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, field_validator
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.pages import explorer_page
from api.security import AuthError, Forbidden, Key, rank
from api.service import CoalitionService
from graph.errors import CoalitionError, ConfigError, LoadError
from graph.projection import Filters
from graph.settings import Settings, get_settings

MAX_ROWS = 5000
MAX_RESULT_BYTES = 16 * 2**20
QUERY_TIMEOUT = 10.0
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


def is_loopback(host: str) -> bool:
    """
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, service: CoalitionService) -> None:
    """Refuse to serve beyond this machine without API keys."""
    if not is_loopback(host) and not service.keys().active():
        raise ConfigError(f"refusing to listen on {host} without API keys: anyone who can "
                          "reach it could read the graph. Create one with `coalition keys "
                          "create --role admin`, or listen on 127.0.0.1.")


# Parameters shared by several routes, documented once, with examples from the seed data.
EntityId = Annotated[str, Path(description="An entity id (see docs/workbook.md)",
                               examples=["org:quality-carriers"])]
StateParam = Annotated[str | None, Query(description="Two-letter state code",
                                         examples=["MS"])]
AsOf = Annotated[dt.date | None, Query(description="Date follow-ups are due against "
                                       "(default: today)", examples=["2026-11-24"])]


class QueryIn(BaseModel):
    cypher: str = Field(..., max_length=20_000, examples=[
        "MATCH (o:Organization {state: $state}) RETURN o.name AS name ORDER BY name"])
    params: dict[str, Any] = Field(default_factory=dict, examples=[{"state": "MS"}])

    @field_validator("params")
    @classmethod
    def _names(cls, v: dict[str, Any]) -> dict[str, Any]:
        bad = [k for k in v if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", k)]
        if bad:
            raise ValueError(f"parameter names must be identifiers like state or min_count; "
                             f"not {bad[:3]}")
        return v


def create_app(settings: Settings | None = None, *, bind_host: str = "127.0.0.1") -> FastAPI:
    service = CoalitionService(settings or get_settings(), keep_open=True)
    keys, audit = service.keys(), service.audit()
    local_open = is_loopback(bind_host)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Warm the search index in the background: on a national graph reading every name
        # takes seconds, which the first searcher should not pay.
        threading.Thread(target=service.warm, daemon=True, name="warm-names").start()
        try:
            yield
        finally:
            service.close()  # drops the lease: an embedded server nobody pinned stops

    app = FastAPI(
        lifespan=lifespan,
        title="coalition-graph", version="0.1.0",
        description="Stakeholder relationship graph of anti-trafficking coalitions. Send an "
                    "API key as `Authorization: Bearer <key>` (roles: viewer < analyst < "
                    "editor < admin). Errors: `{\"error\": {\"type\", \"message\"}}`.")

    def caller(request: Request) -> Key | None:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else \
            request.headers.get("x-api-key", "")
        if not keys.active() and local_open:
            return None  # a single local user: auth is off
        if not token:
            raise AuthError("an API key is required: send 'Authorization: Bearer <key>'")
        key = keys.verify(token)
        if key is None:
            audit.record("key refused", key=None, path=request.url.path)
            raise AuthError("unknown or revoked API key")
        audit.record("key used", key=key, method=request.method, path=request.url.path)
        return key

    def require(role: str) -> Callable[..., Key | None]:
        def dependency(request: Request) -> Key | None:
            key = caller(request)
            if key is not None and rank(key.role) < rank(role):
                audit.record("denied", key=key, path=request.url.path, needs=role)
                raise Forbidden(f"this needs the {role} role; your key is {key.role}")
            return key
        return dependency

    def may_see_contacts(key: Key | None) -> bool:
        return key is None or rank(key.role) >= rank("analyst")

    Viewer = Annotated[Key | None, Depends(require("viewer"))]
    Analyst = Annotated[Key | None, Depends(require("analyst"))]
    Editor = Annotated[Key | None, Depends(require("editor"))]

    @app.middleware("http")
    async def headers(request: Request, call_next: Callable) -> Response:
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        html = response.headers.get("content-type", "").startswith("text/html")
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP if html else API_CSP)
        return response

    def error(status: int, kind: str, message: str, **extra: Any) -> JSONResponse:
        return JSONResponse({"error": {"type": kind, "message": message, **extra}},
                            status_code=status)

    @app.exception_handler(CoalitionError)
    async def coalition_error(_: Request, e: CoalitionError) -> JSONResponse:
        extra = {}
        if isinstance(e, LoadError):
            extra["issues"] = [vars(i) for i in e.issues[:500]]
        return error(e.status_code, type(e).__name__, str(e), **extra)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, e: StarletteHTTPException) -> JSONResponse:
        return error(e.status_code, "HTTPError", str(e.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, e: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors())
        return error(422, "ValidationError", problems)

    # ---------------------------------------------------------------- routes
    page = explorer_page()

    @app.get("/", response_class=HTMLResponse, tags=["pages"])
    def home() -> HTMLResponse:
        """The web pages (dashboard, explorer, Cypher console, import). They hold no data and
        call the API with the user's key, so loading them needs none."""
        return HTMLResponse(page)

    @app.get("/api/health", tags=["system"])
    def health() -> dict[str, Any]:
        """No key needed. The store is not contacted, so this cannot leak or hang."""
        return {"status": "ok", "auth": "keys" if keys.active() else
                ("off (loopback, no keys)" if local_open else "keys")}

    @app.get("/api/stakeholders", tags=["stakeholders"])
    def stakeholders(_: Viewer,
                     q: Annotated[str, Query(description="Name, typos and prefixes welcome",
                                             examples=["bilxi polce"])] = "",
                     kind: Annotated[str | None, Query(
                         description="An organization kind or a sector",
                         examples=["truck stop"])] = None,
                     state: StateParam = None,
                     county: Annotated[str | None, Query(examples=["Harrison"])] = None,
                     limit: Annotated[int, Query(ge=1, le=200)] = 20,
                     offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
        """Search organizations and people by name (typo-tolerant), kind or sector, state,
        county."""
        return service.search(q, kind=kind, state=state, county=county, limit=limit,
                              offset=offset)

    @app.get("/api/stakeholders/{node_id}", tags=["stakeholders"])
    def stakeholder(node_id: EntityId, key: Viewer) -> dict[str, Any]:
        """Profile, connections, events, commitments, metrics, provenance."""
        return service.stakeholder(node_id, include_contacts=may_see_contacts(key))

    @app.get("/api/stakeholders/{node_id}/ego", tags=["stakeholders"])
    def ego(node_id: EntityId, key: Viewer,
            depth: Annotated[int, Query(ge=0, le=4, examples=[2])] = 2) -> dict[str, Any]:
        """The ego network (node-link JSON). It expands through actors and events; programs,
        places and metrics are its leaves."""
        return service.ego(node_id, depth, include_contacts=may_see_contacts(key))

    @app.get("/api/paths", tags=["stakeholders"])
    def paths(_: Viewer,
              a: Annotated[str, Query(description="An entity id",
                                      examples=["org:ms:mississippi-trucking-association"])],
              b: Annotated[str, Query(description="Another entity id",
                                      examples=["org:quality-carriers"])],
              limit: Annotated[int, Query(ge=1, le=20)] = 5) -> dict[str, Any]:
        """Shortest paths between two entities, by name and id. Paths run through
        organizations, people and events only (not through a shared program or place)."""
        return {"paths": service.paths(a, b, limit=limit)}

    @app.get("/api/events", tags=["events"])
    def events(_: Viewer, state: StateParam = None) -> list[dict[str, Any]]:
        return service.events(state)

    @app.get("/api/analysis", tags=["analysis"])
    def analysis(_: Viewer, state: StateParam = None, as_of: AsOf = None) -> dict[str, Any]:
        """The JSON of `coalition analyze` (docs/analysis.md)."""
        return service.analyze(state=state, as_of=as_of)

    @app.get("/api/charts", tags=["analysis"])
    def charts(_: Viewer, state: StateParam = None, as_of: AsOf = None
               ) -> list[dict[str, str]]:
        """The report's charts as SVG, each with a title and alt text (the dashboard's)."""
        return service.charts(state=state, as_of=as_of)

    @app.get("/api/recommendations", tags=["analysis"])
    def recommendations(_: Viewer,
                        state: Annotated[str, Query(description="Two-letter state code",
                                                    examples=["MS"])],
                        as_of: AsOf = None) -> dict[str, Any]:
        return service.analyze(state=state, as_of=as_of)["recommendations"][0]

    @app.post("/api/query", tags=["analysts"])
    def query(body: QueryIn, key: Analyst) -> dict[str, Any]:
        """Read-only Cypher with parameters; refused if it writes, administers, loads CSV or
        calls a procedure outside the allow-list (by the app and by the database); at most
        10 s (stopped by the database), 5,000 rows and 16 MB of result."""
        audit.record("query", key=key, cypher=body.cypher[:2000],
                     params=list(body.params))
        try:
            r = service.query(body.cypher, body.params, timeout=QUERY_TIMEOUT,
                              max_rows=MAX_ROWS, max_bytes=MAX_RESULT_BYTES)
        except Forbidden:  # by api.cypher_guard, inside the service
            audit.record("query refused", key=key, cypher=body.cypher[:2000])
            raise
        return {"columns": r.columns, "rows": r.rows, "truncated": r.truncated}

    @app.post("/api/import", tags=["editors"])
    async def import_workbook(key: Editor, file: Annotated[UploadFile, File()],
                              confirm: bool = False) -> dict[str, Any]:
        """Upload an .xlsx or .yaml workbook: without ``confirm`` a dry run (the diff);
        with ``confirm=true`` the load (all-or-nothing)."""
        name = pathlib.Path(file.filename or "upload").name
        if pathlib.Path(name).suffix.lower() not in (".xlsx", ".yaml", ".yml"):
            raise ConfigError("upload an .xlsx or .yaml workbook (a CSV folder: zip support "
                              "is not built yet; use `coalition load`)")
        with tempfile.TemporaryDirectory() as d:
            path = pathlib.Path(d) / name
            path.write_bytes(await file.read())
            report = service.load(path, dry_run=not confirm)
        audit.record("import" if confirm else "import dry-run", key=key, file=name,
                     written=report.written if confirm else 0)
        return report.as_dict()

    @app.get("/api/export", tags=["analysts"])
    def export(key: Analyst,
               format: Annotated[str, Query(  # noqa: A002
                   description="graphml, gexf, json, or csv (a zip of nodes.csv and edges.csv)",
                   examples=["graphml"])] = "graphml",
               state: StateParam = None) -> FileResponse:
        """The graph (or one state's part of it) for other tools."""
        folder = pathlib.Path(tempfile.mkdtemp())
        try:
            files = service.export(format, folder / ("csv" if format == "csv" else
                                                     f"coalition.{format}"),
                                   Filters(states=(state.upper(),)) if state else None,
                                   include_contacts=may_see_contacts(key))
            if format == "csv":  # two files: one download
                out = folder / "coalition-csv.zip"
                with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
                    for f in files:
                        z.write(f, f.name)
            else:
                out = files[0]
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        audit.record("export", key=key, format=format, state=state)
        return FileResponse(out, filename=out.name,
                            background=BackgroundTask(shutil.rmtree, folder, True))

    @app.get("/api/pages/network", response_class=HTMLResponse, tags=["pages"])
    def network_page(key: Viewer, state: StateParam = None) -> HTMLResponse:
        return HTMLResponse(service.network_page(
            state=state, include_contacts=may_see_contacts(key))[0])

    @app.get("/api/pages/report", response_class=HTMLResponse, tags=["pages"])
    def report_page(_: Viewer, state: StateParam = None, as_of: AsOf = None) -> HTMLResponse:
        return HTMLResponse(service.render_report(service.analyze(state=state, as_of=as_of),
                                                  "html"))

    @app.get("/api/audit", tags=["admin"])
    def audit_log(key: Annotated[Key | None, Depends(require("admin"))],
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
        return audit.tail(limit)

    return app
