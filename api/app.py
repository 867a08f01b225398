"""The HTTP API: thin FastAPI routes over :class:`api.service.CoalitionService`.

Security, built in from the start:
- every route but ``/api/health`` requires a role (viewer < analyst < editor < admin) via an
  API key (``Authorization: Bearer <key>`` or ``X-API-Key``);
- on loopback, auth is off only until the first key is created (a single local user, treated
  as admin); from then on it stays on, whatever is revoked, until an admin runs
  ``coalition keys auth off`` (audited). Bound to any other address, the server refuses to
  start without an active key or with auth switched off (:func:`check_bind`);
- people's contact details only for analyst and above; Cypher is read-only in the database and
  checked by the app first, with a timeout and a row cap; queries, every import attempt
  (refused, failed or done) and key use go to the audit log;
- no CORS headers (cross-origin pages cannot call it); standard security headers on every
  response, errors included;
- /docs and /redoc from the assets the fastapi-offline wheel ships: no CDN.
Errors have one shape: ``{"error": {"type", "message", "issues"?}}``; an unexpected exception
is a 500 in that shape with a reference, its details only in the server log.
"""

# No "from __future__ import annotations": FastAPI must see the Annotated dependencies
# defined inside create_app as objects, not as names it cannot resolve.

import contextlib
import csv
import datetime as dt
import functools
import gc
import hashlib
import importlib.resources
import ipaddress
import logging
import os
import pathlib
import re
import secrets
import shutil
import tempfile
import threading
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any, Literal
from urllib.parse import quote

import anyio.to_thread
import orjson
import yaml
from fastapi import Depends, FastAPI, File, Form, Header, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, field_validator
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.headers import SecureHeaders, secure
from api.pages import explorer_page
from api.security import AuthError, Forbidden, Key, rank
from api.service import CoalitionService, jurisdiction_param
from graph.errors import CoalitionError, ConfigError, LoadError, RowIssue
from graph.projection import Filters
from graph.settings import Settings, get_settings
from loaders.problems import ordered

MAX_ROWS = 5000
MAX_RESULT_BYTES = 16 * 2**20
QUERY_TIMEOUT = 10.0
#: /docs and /redoc: their scripts come from this server (no inline script at all); both UIs
#: set inline styles, ReDoc runs its search in a blob: worker, and "Try it out" calls the API.
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
            "worker-src blob:; frame-ancestors 'none'")
#: Swagger UI 5 and ReDoc 2, as the fastapi-offline wheel ships them (Apache-2.0 and MIT)
DOCS_ASSETS = importlib.resources.files("fastapi_offline") / "static"

log = logging.getLogger("coalition.api")


@functools.cache
def redoc_bundle() -> bytes:
    """ReDoc's script, its one hard-coded fetch (the Redocly logo in the side menu, from
    their CDN) pointed at the favicon served beside it: the CSP would block the fetch, but the
    page should not even try. The browser test fails on any outside request, so a new ReDoc
    that moves the URL shows up there."""
    js = (DOCS_ASSETS / "redoc.standalone.js").read_bytes()
    return js.replace(b"https://cdn.redoc.ly/redoc/logo-mini.svg", b"/docs/assets/favicon.png")


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


#: What a parser raises on a malformed file (ParseError is a SyntaxError; BadZipFile and
#: UnicodeError are ValueErrors here or subclass them), as opposed to a store's errors.
UNREADABLE = (ValueError, TypeError, LookupError, ArithmeticError, RecursionError,
              SyntaxError, zipfile.BadZipFile, csv.Error, yaml.YAMLError)


def unreadable(name: str, e: Exception, folder: str) -> LoadError:
    """A parser's own exception while a workbook is read, as the 422 a bad file deserves.
    The loader names file, row and column for every problem it knows; this is the net under
    it for one it does not, so a malformed upload is never answered as a server fault."""
    log.warning("%s could not be read", name, exc_info=e)
    detail = f"{type(e).__name__}: {e}".replace(folder + "/", "")[:300]
    return LoadError([RowIssue(name, 0, "", f"the file could not be read ({detail}). Check "
                               "that it opens in a spreadsheet program (.xlsx) or is valid "
                               "YAML, as docs/workbook.md describes.")],
                     f"{name} could not be read; nothing was written.")


def check_bind(host: str, service: CoalitionService) -> None:
    """Refuse to serve beyond this machine without API keys, or with auth switched off."""
    if is_loopback(host):
        return
    keys = service.keys()
    if keys.auth().on is False:
        raise ConfigError(f"refusing to listen on {host}: auth is switched off (`coalition "
                          "keys auth off`), which is meant for a single local user. Run "
                          "`coalition keys auth on`, or listen on 127.0.0.1.")
    if not keys.active():
        raise ConfigError(f"refusing to listen on {host} without API keys: anyone who can "
                          "reach it could read the graph. Create one with `coalition keys "
                          "create --role admin`, or listen on 127.0.0.1.")


# Parameters shared by several routes, documented once, with examples from the seed data.
EntityId = Annotated[str, Path(description="An entity id (see docs/workbook.md)",
                               examples=["org:quality-carriers"])]
StateParam = Annotated[str | None, Query(description="A state, province or country as the "
                                         "workbook takes it: MS, Mississippi, Alberta, CA-AB",
                                         examples=["MS"])]
ScopeParam = Annotated[str | None, Query(description="national (the whole graph, across "
                                         "states) or a state, province or country; default: "
                                         "every jurisdiction and the national part",
                                         examples=["national"])]
AsOf = Annotated[dt.date | None, Query(description="Date follow-ups are due against "
                                       "(default: today)", examples=["2026-11-24"])]

BuildWindow = Annotated[int | None, Query(
    ge=1, le=60, description="Months after a build credited to it (default: the setting "
    "change_window_months, 6)", examples=[6])]


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


#: a field's value as a workbook cell holds it; null empties the field
FieldValue = str | int | float | bool | None


class StakeholderIn(BaseModel):
    type: Literal["organization", "person"] = Field(
        ..., description="What is created", examples=["organization"])
    fields: dict[str, FieldValue] = Field(
        ..., description="The columns of the organizations or people sheet "
        "(docs/workbook.md); the id is derived as a load derives it when not given",
        examples=[{"name": "Harrison County Sheriff's Office", "kind": "law enforcement",
                   "state": "MS", "county": "Harrison"}])


class StakeholderPatch(BaseModel):
    fields: dict[str, FieldValue] = Field(
        ..., description="The columns to change (null empties one); the rest stay",
        examples=[{"city": "Gulfport"}])


class MergeIn(BaseModel):
    into: str = Field(..., description="The survivor: the record this one is merged into",
                      examples=["org:ms:harrison-county-sheriffs-office"])


class PairDecision(BaseModel):
    a: str = Field(..., examples=["org:ms:hancock-county-sherifs-office"])
    b: str = Field(..., examples=["org:ms:hancock-county-sheriffs-office"])
    decision: str = Field(..., description="distinct: they are not the same (to say they "
                          "are, merge them)", examples=["distinct"])


IfMatch = Annotated[str | None, Header(
    description="The version you edited (`version` of GET /api/stakeholders/{id}, or its "
    "ETag)", examples=["3fa9c1d2e4b5a6978812ab34"])]
ChangeId = Annotated[str, Path(description="A change's id (GET /api/changes)",
                               examples=["chg-20261202T071015123456Z-3fa9c1"])]


class FastJSONResponse(JSONResponse):
    """JSON spelled by orjson (in C): the standard library's encoder took a sixth of a
    browsing client's ego request. For content that is plain JSON values already."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)


def app_from_env() -> FastAPI:
    """The app of one worker of ``coalition serve --workers N``: uvicorn builds it in each
    worker process, from the settings and bind address the parent put in the environment."""
    return create_app(Settings(), bind_host=os.environ.get("COALITION_BIND_HOST", "127.0.0.1"))


def create_app(settings: Settings | None = None, *, bind_host: str = "127.0.0.1") -> FastAPI:
    service = CoalitionService(settings or get_settings(), keep_open=True)
    keys, audit = service.keys(), service.audit()
    local_open = is_loopback(bind_host)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Warm the search index in the background: on a national graph reading every name
        # takes seconds, which the first searcher should not pay.
        def warm() -> None:
            service.warm()
            # What the server holds for good (the name index, the hubs, the app) leaves the
            # collector's generations: every full collection walked all of it again, and
            # the allocations of each ego request (thousands of small dicts) trigger them
            # often. A sixth of the instructions of drawing an ego network (callgrind).
            gc.freeze()
            # An ego request allocates some 50,000 objects: at the default threshold (700)
            # that is six young collections each, which walk the request's live objects
            # again every time; at 5,000, less than one (its collector time 0.46 -> 0.28 ms)
            gc.set_threshold(5000, *gc.get_threshold()[1:])

        threading.Thread(target=warm, daemon=True, name="warm-names").start()
        # The routes are plain functions, run in this pool: see Settings.serve_threads
        anyio.to_thread.current_default_thread_limiter().total_tokens = \
            service.settings.serve_threads
        try:
            yield
        finally:
            service.close()  # drops the lease: an embedded server nobody pinned stops

    app = FastAPI(
        lifespan=lifespan, docs_url=None, redoc_url=None,  # served below, without a CDN
        title="coalition-graph", version="0.1.0",
        description="Stakeholder relationship graph of anti-trafficking coalitions. Send an "
                    "API key as `Authorization: Bearer <key>` (roles: viewer < analyst < "
                    "editor < admin). Errors: `{\"error\": {\"type\", \"message\"}}`.")
    app.state.service = service  # for tests that need to reach inside a request

    def caller(request: Request) -> Key | None:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else \
            request.headers.get("x-api-key", "")
        if local_open and not keys.required():
            return None  # a single local user: auth is off
        if not token:
            if request.method != "GET":  # attempts to change or query; not every page poll
                audit.record("key missing", key=None, method=request.method,
                             path=request.url.path)
            raise AuthError("an API key is required: send 'Authorization: Bearer <key>'")
        key = keys.verify(token)
        if key is None:
            audit.record("key refused", key=None, path=request.url.path)
            raise AuthError("unknown or revoked API key")
        audit.record("key used", key=key, method=request.method, path=request.url.path)
        return key

    def require(role: str) -> Callable[..., Awaitable[Key | None]]:
        # async, so FastAPI runs it on the event loop: a plain function would take a turn of
        # the route thread pool, queueing every request's key check behind other requests'
        # work (the check reads the small keys file and may append a line to the audit log)
        async def dependency(request: Request) -> Key | None:
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

    def error(status: int, kind: str, message: str, *, headers: dict[str, str] | None = None,
              **extra: Any) -> JSONResponse:
        # headers here too: Starlette's outermost layer sends some of these past the middleware
        response = JSONResponse({"error": {"type": kind, "message": message, **extra}},
                                status_code=status, headers=headers)
        secure(response.headers)
        return response

    def unexpected(request: Request, e: Exception) -> JSONResponse:
        # The client learns that it failed and a reference; what failed (paths, queries,
        # data) stays in the server log.
        ref = secrets.token_hex(4)
        log.error("unexpected error %s in %s %s", ref, request.method, request.url.path,
                  exc_info=e)
        return error(500, "InternalError", f"the server failed unexpectedly (reference "
                     f"{ref}); the details are in the server log. If it happens again, tell "
                     "the administrator the reference.")

    app.add_middleware(SecureHeaders, on_error=unexpected)

    @app.exception_handler(CoalitionError)
    async def coalition_error(_: Request, e: CoalitionError) -> JSONResponse:
        extra = {}
        if isinstance(e, LoadError):
            # errors first: with the cap, a long list of warnings must not hide them
            extra["issues"] = [vars(i) for i in ordered(e.issues)[:500]]
        extra.update(getattr(e, "details", None) or {})  # a conflict's versions, changes
        return error(e.status_code, type(e).__name__, str(e), **extra)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, e: StarletteHTTPException) -> JSONResponse:
        return error(e.status_code, "HTTPError", str(e.detail), headers=e.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, e: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors())
        return error(422, "ValidationError", problems)

    @app.exception_handler(Exception)
    async def last_resort(request: Request, e: Exception) -> JSONResponse:
        # Starlette's outermost layer calls this for what the middleware above did not see
        # (an error inside the middleware stack itself).
        return unexpected(request, e)

    # ---------------------------------------------------------------- API docs, offline
    app.mount("/docs/assets", StaticFiles(directory=str(DOCS_ASSETS)), name="docs-assets")

    def docs_page(title: str, body: str) -> HTMLResponse:
        return HTMLResponse(
            f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
            "<meta name=viewport content='width=device-width, initial-scale=1'>"
            "<link rel=icon href='/docs/assets/favicon.png'></head>"
            f"<body style='margin:0'>{body}</body></html>",
            headers={"Content-Security-Policy": DOCS_CSP})

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return docs_page("coalition-graph API", (
            "<link rel=stylesheet href='/docs/assets/swagger-ui.css'><div id=swagger-ui></div>"
            "<script src='/docs/assets/swagger-ui-bundle.js'></script>"
            "<script src='/docs/swagger-init.js'></script>"))

    @app.get("/docs/swagger-init.js", include_in_schema=False)
    def swagger_init() -> Response:
        # A file, not an inline script, so the docs' CSP can say script-src 'self' alone.
        # validatorUrl null: Swagger UI would otherwise send the spec to validator.swagger.io.
        return Response(
            "window.ui = SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui', "
            "layout: 'BaseLayout', deepLinking: true, validatorUrl: null, "
            "presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]"
            "});\n", media_type="text/javascript")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return docs_page("coalition-graph API", (
            "<redoc spec-url='/openapi.json'></redoc>"
            "<script src='/redoc/redoc.standalone.js'></script>"))

    @app.get("/redoc/redoc.standalone.js", include_in_schema=False)
    def redoc_js() -> Response:
        return Response(redoc_bundle(), media_type="text/javascript",
                        headers={"Cache-Control": "max-age=86400"})

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
        switch = keys.auth()
        if not local_open or switch.on:
            auth = "keys"
        elif switch.on is False:
            auth = f"off (loopback; switched off by {switch.by} at {switch.changed})"
        else:
            auth = "off (loopback, no key created yet)"
        return {"status": "ok", "auth": auth}

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
    def stakeholder(node_id: EntityId, key: Viewer, response: Response) -> dict[str, Any]:
        """Profile, connections, events, commitments, metrics, provenance, and the
        `version` an edit sends back as If-Match (also the ETag). A record merged into
        another answers 301 to it."""
        try:
            found = service.stakeholder(node_id, include_contacts=may_see_contacts(key))
        except CoalitionError as e:
            if getattr(e, "status_code", None) != 404:
                raise
            survivor = edits.redirect(service, node_id)
            if survivor is None:
                raise
            # merged away (graph/merging.py): the record it is part of now
            return RedirectResponse(f"/api/stakeholders/{quote(survivor, safe=':')}",
                                    status_code=301)
        if found.get("version"):
            response.headers["ETag"] = f'"{found["version"]}"'
        return found

    # ---------------------------------------------------------------- editing (api/edits.py)
    from api import edits

    def edited(result: dict[str, Any], status: int = 200) -> JSONResponse:
        headers = {"ETag": f'"{result["version"]}"'} if result.get("version") else {}
        if status == 201:
            headers["Location"] = f"/api/stakeholders/{result['id']}"
        return JSONResponse(result, status_code=status, headers=headers)

    @app.post("/api/stakeholders", status_code=201, tags=["editors"])
    def create_stakeholder(body: StakeholderIn, key: Editor) -> JSONResponse:
        """Create an organization or a person, checked as the loader checks a row (its
        messages, id rules and privacy rules); 201 with `id`, `version` and `change`."""
        return edited(edits.create(service, body.type, body.fields, key=key), 201)

    @app.patch("/api/stakeholders/{node_id}", tags=["editors"])
    def update_stakeholder(node_id: EntityId, body: StakeholderPatch, key: Editor,
                           if_match: IfMatch = None) -> JSONResponse:
        """Change some fields; `If-Match: <version>` is required. A stale version: 409 with
        `current_version` and `changed_since` (the changes since yours)."""
        return edited(edits.update(service, node_id, body.fields,
                                   version=edits.version_param(if_match), key=key))

    @app.delete("/api/stakeholders/{node_id}", tags=["editors"])
    def delete_stakeholder(node_id: EntityId, key: Editor, if_match: IfMatch = None,
                           cascade: Annotated[bool, Query(
                               description="An organization's people go with it")] = False
                           ) -> dict[str, Any]:
        """Remove a stakeholder and its ties; an organization with people: 409 naming them,
        unless `cascade=true`."""
        return edits.delete(service, node_id, version=edits.version_param(if_match),
                            cascade=cascade, key=key)

    @app.post("/api/stakeholders/{node_id}/merge", tags=["editors"])
    def merge_stakeholder(node_id: EntityId, body: MergeIn, key: Editor,
                          if_match: IfMatch = None) -> JSONResponse:
        """Merge this record into `into` (same kind: organizations with organizations,
        people with people): its ties move to the survivor (the same tie twice folds into
        one), its name and aliases become the survivor's aliases, it is removed and its id
        answers 301 to the survivor. One change of the log (undo restores both). 200 with
        the `survivor`, `change` and `counts` (moved, folded, dropped, ...); `If-Match`:
        this record's version, optional."""
        result = edits.merge(service, node_id, body.into,
                             version=edits.version_param(if_match), key=key)
        result["survivor"] = service.stakeholder(body.into,
                                                 include_contacts=may_see_contacts(key))
        return edited(result)

    # events, relationships, participation, commitments (api/record_routes.py, issue 13.2)
    from api import record_routes
    record_routes.add_routes(app, service, Viewer, Editor)
    # logging a follow-up (api/followup_routes.py, issue 13.2)
    from api import followup_routes
    followup_routes.add_routes(app, service, Editor)

    @app.get("/api/changes", tags=["changes"])
    def list_changes(key: Viewer,
                     entity: Annotated[str | None, Query(
                         description="Only changes that touched this id (a stakeholder, "
                         "or a relationship's key); without it, every change (admins)",
                         examples=["org:quality-carriers"])] = None,
                     since: Annotated[str | None, Query(
                         description="From this date or time on (ISO)",
                         examples=["2026-12-01"])] = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100
                     ) -> list[dict[str, Any]]:
        """The change log, newest first: who, when, what, and each touched node and
        relationship before and after. An entity's history for every role; the whole log
        for admins."""
        if entity is None and key is not None and rank(key.role) < rank("admin"):
            raise Forbidden("the whole change log needs the admin role; give entity=ID for "
                            "one stakeholder's history")
        return edits.history(service, entity=entity, since=since, limit=limit,
                             include_contacts=may_see_contacts(key))

    # ------------------------------------------------------------- review queue (api/review.py)
    from api import review

    @app.get("/api/review/duplicates", tags=["editors"])
    def duplicate_queue(_: Editor, state: StateParam = None,
                        limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
        """Organizations that look like the same one (a load's near-duplicate warnings),
        most similar first, without the pairs already decided: merge them, or say they are
        not the same."""
        return review.queue(service, state=jurisdiction_param(state) if state else None,
                            limit=limit)

    @app.post("/api/review/duplicates", tags=["editors"])
    def decide_pair(body: PairDecision, key: Editor) -> dict[str, Any]:
        """Remember a decision on a pair (``distinct``): neither the queue nor a later load
        flags it again."""
        return review.decide(service, body.a, body.b, body.decision, key=key)

    @app.get("/api/changes/{change_id}", tags=["changes"])
    def one_change(change_id: ChangeId, _: Editor) -> dict[str, Any]:
        """One change with everything it touched."""
        return edits.change(service, change_id)

    @app.post("/api/changes/{change_id}/undo", tags=["editors"])
    def undo_change(change_id: ChangeId, key: Editor) -> dict[str, Any]:
        """Revert one change (itself a change); 409 naming the later changes that touched
        the same records (undo those first)."""
        return edits.undo(service, change_id, key=key)

    @app.get("/api/stakeholders/{node_id}/ego", tags=["stakeholders"])
    def ego(node_id: EntityId, key: Viewer,
            depth: Annotated[int, Query(ge=0, le=4, examples=[2])] = 2,
            expand: Annotated[list[str] | None, Query(
                description="Hubs to expand through anyway (repeatable)", max_length=50,
                examples=[["org:tat"]])
            ] = None,
            through_hubs: Annotated[bool, Query(
                description="Expand through every hub")] = False) -> JSONResponse:
        """The ego network (node-link JSON). It expands through actors and events; programs,
        places and metrics are its leaves, and so are hubs (actors tied to much of the
        graph, docs/views.md) unless expanded: a hub's node says how many neighbours it
        hides (`hub_hidden`)."""
        # plain JSON values already (GraphStore.read): FastAPI's encoder would walk every
        # one of them again, about a third of the time of a browsing client's request
        return FastJSONResponse(service.ego(node_id, depth, include_contacts=may_see_contacts(key),
                                        expand=tuple(expand or ()), through_hubs=through_hubs))

    @app.get("/api/paths", tags=["stakeholders"])
    def paths(_: Viewer,
              a: Annotated[str, Query(description="An entity id",
                                      examples=["org:ms:mississippi-trucking-association"])],
              b: Annotated[str, Query(description="Another entity id",
                                      examples=["org:quality-carriers"])],
              limit: Annotated[int, Query(ge=1, le=20)] = 5,
              through_hubs: Annotated[bool, Query(
                  description="Take the shortest paths even through hubs")] = False
              ) -> dict[str, Any]:
        """Shortest paths between two entities, by name and id. Paths run through
        organizations, people and events only (not through a shared program or place), and
        go round hubs when that costs one step more at most; `note` says when they could
        not, or did."""
        return service.paths(a, b, limit=limit, through_hubs=through_hubs)

    @app.get("/api/events", tags=["events"])
    def events(_: Viewer, state: StateParam = None) -> list[dict[str, Any]]:
        return service.events(state)

    @app.get("/api/scopes", tags=["analysis"])
    def scopes(_: Viewer) -> dict[str, Any]:
        """What `scope` takes: national, and every jurisdiction with data, by country."""
        return service.scopes()

    @app.get("/api/analysis", tags=["analysis"])
    def analysis(_: Viewer, state: StateParam = None, as_of: AsOf = None,
                 scope: ScopeParam = None) -> dict[str, Any]:
        """The JSON of `coalition analyze` (docs/analysis.md)."""
        return service.analyze(state=state, scope=scope, as_of=as_of)

    @app.get("/api/charts", tags=["analysis"])
    def charts(_: Viewer, state: StateParam = None, as_of: AsOf = None,
               scope: ScopeParam = None) -> list[dict[str, str]]:
        """The report's charts as SVG, each with a title and alt text (the dashboard's)."""
        return service.charts(state=state, scope=scope, as_of=as_of)

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
                              confirm: bool = False, sync: bool = False) -> dict[str, Any]:
        """Upload a workbook (.xlsx, .yaml, or a .zip of CSV files, read as
        loaders/archive.py says): without ``confirm`` a dry run (the diff);
        with ``confirm=true`` the load (all-or-nothing). ``sync=true``: the workbook is the
        whole truth for its sources; ``removals`` lists what that removes (or would)."""
        name = pathlib.Path(file.filename or "upload").name
        data = await file.read()
        # The load blocks for seconds to minutes: in a worker thread, so that health, reads
        # and other users are served meanwhile.
        return await run_in_threadpool(import_upload, key, name, data, confirm, sync)

    def import_upload(key: Key | None, name: str, data: bytes, confirm: bool,
                      sync: bool = False) -> dict[str, Any]:
        """Every attempt ends in one audit line: refused (the input), failed (anything else,
        with how much the store had acknowledged by then) or done."""
        entry: dict[str, Any] = {"file": name, "bytes": len(data),
                                 "sha256": hashlib.sha256(data).hexdigest()}
        written, reading = 0, False

        def progress(stage: str, done: int, _total: int) -> None:
            nonlocal written, reading
            if stage == "checking the workbook":
                reading = done == 0
            elif stage == "writing":
                written = done

        action = "import" if confirm else "import dry-run"
        try:
            if pathlib.Path(name).suffix.lower() not in (".xlsx", ".yaml", ".yml", ".zip"):
                raise ConfigError("upload an .xlsx or .yaml workbook, or a .zip of the CSV "
                                  "files of a workbook folder")
            with tempfile.TemporaryDirectory() as d:
                path = pathlib.Path(d) / name
                path.write_bytes(data)
                try:
                    report = service.load(path, dry_run=not confirm, progress=progress,
                                          who=edits.who(key), sync=sync)
                except CoalitionError as e:
                    # The loader names the file by its path: here a temporary folder the
                    # uploader has never seen.
                    e.args = tuple(a.replace(d + "/", "") if isinstance(a, str) else a
                                   for a in e.args)
                    raise
                except UNREADABLE as e:
                    if not reading:
                        raise
                    raise unreadable(name, e, d) from e
        except Exception as e:
            refused = isinstance(e, LoadError | ConfigError)
            audit.record(action, key=key, **entry, outcome="refused" if refused else "failed",
                         error=type(e).__name__, message=str(e)[:1000],
                         **({} if refused else {"written_before_failure": written}))
            raise
        removed = {} if report.removals is None or not confirm else {"removed": len(
            report.removals["nodes"]) + len(report.removals["relationships"])}
        audit.record(action, key=key, **entry, outcome="done",
                     written=report.written if confirm else 0, change=report.change, **removed)
        return report.as_dict()

    @app.post("/api/extract", tags=["editors"])
    async def extract_report(key: Editor, file: Annotated[UploadFile, File()]
                             ) -> dict[str, Any]:
        """Draft a workbook from an impact report (.txt, .md, .pdf, .docx) for a person to
        correct: the drafted sheets as tables (``sheets``: columns and rows), the review
        notes, warnings. Nothing is written; load the corrected tables with /api/import."""
        name = pathlib.Path(file.filename or "report.txt").name
        data = await file.read()
        out = await run_in_threadpool(service.draft_tables, name, data)
        audit.record("extract", key=key, file=name, bytes=len(data),
                     sha256=hashlib.sha256(data).hexdigest())
        return out

    # Attendee and survey exports (issue 12, items 3 and 4): the same checks, worker thread
    # and audit line as a workbook upload, over the service's imports.
    EXPORTS = (".csv", ".xlsx", ".xlsm")

    @app.post("/api/import/attendees", tags=["editors"])
    async def import_attendees(
            key: Editor, file: Annotated[UploadFile, File(description="a .csv or .xlsx export")],
            event_id: Annotated[str, Form(description="the event the export is of",
                                          examples=["event:ms:2020-01-16:gulfport-coalition-build"])],
            dry_run: Annotated[bool, Form()] = True,
            map: Annotated[list[str] | None, Form(description="COLUMN=FIELD, for a column "
                                                   "the synonyms miss")] = None,
            review: Annotated[UploadFile | None, File(description="the review file an "
                                                      "earlier dry run returned, corrected")
                              ] = None) -> dict[str, Any]:
        """A registration / sign-in export: the plan (``dry_run``, the default) or the import
        (all-or-nothing). The answer's ``review_yaml`` is the review file to correct and send
        back with the next call."""
        name = pathlib.Path(file.filename or "upload.csv").name
        data = await file.read()
        corrections = await review.read() if review is not None else None

        def run(path: pathlib.Path, progress: Callable[[str, int, int], None]) -> dict[str, Any]:
            mapping = {}
            for m in map or []:
                column, sep, fieldname = m.partition("=")
                if not sep:
                    raise ConfigError(f"map: {m!r} is not COLUMN=FIELD, e.g. 'Agency "
                                      "Represented=organization'")
                mapping[column.strip()] = fieldname.strip()
            review_path = None
            if corrections is not None:
                review_path = path.with_name("upload.review.yaml")
                review_path.write_bytes(corrections)
            out = service.import_attendees(path, event_id=event_id, dry_run=dry_run,
                                           mapping=mapping, review=review_path,
                                           write_review=False, progress=progress,
                                           who=edits.who(key))
            if not may_see_contacts(key):  # which contact details were given: analysts up
                for p in out["people"]:
                    p.pop("contact", None)
            return out

        return await run_in_threadpool(import_export, key, "import attendees", name, data,
                                       dry_run, run, {"event_id": event_id})

    @app.post("/api/import/survey", tags=["editors"])
    async def import_survey(
            key: Editor, file: Annotated[UploadFile, File(description="a .csv or .xlsx export")],
            event_id: Annotated[str, Form(description="the event surveyed",
                                          examples=["event:ms:2020-01-16:gulfport-coalition-build"])],
            dry_run: Annotated[bool, Form()] = True,
            keep_comments: Annotated[bool, Form()] = False) -> dict[str, Any]:
        """A survey export, one row per respondent: its metrics (``dry_run``, the default,
        shows them) as metrics of the event."""
        name = pathlib.Path(file.filename or "upload.csv").name
        data = await file.read()

        def run(path: pathlib.Path, progress: Callable[[str, int, int], None]) -> dict[str, Any]:
            return service.import_survey(path, event_id=event_id, dry_run=dry_run,
                                         keep_comments=keep_comments, progress=progress,
                                         who=edits.who(key))

        return await run_in_threadpool(import_export, key, "import survey", name, data,
                                       dry_run, run, {"event_id": event_id})

    def import_export(key: Key | None, action: str, name: str, data: bytes, dry_run: bool,
                      run: Callable[..., dict[str, Any]], extra: dict[str, Any]
                      ) -> dict[str, Any]:
        """As ``import_upload``: one audit line per attempt, refused, failed or done."""
        entry: dict[str, Any] = {"file": name, "bytes": len(data),
                                 "sha256": hashlib.sha256(data).hexdigest(), **extra}
        written = 0

        def progress(stage: str, done: int, _total: int) -> None:
            nonlocal written
            if stage == "writing":
                written = done

        action = f"{action} dry-run" if dry_run else action
        try:
            if pathlib.Path(name).suffix.lower() not in EXPORTS:
                raise ConfigError("upload the export as .csv or .xlsx")
            with tempfile.TemporaryDirectory() as d:
                path = pathlib.Path(d) / name
                path.write_bytes(data)
                try:
                    out = run(path, progress)
                except CoalitionError as e:
                    e.args = tuple(a.replace(d + "/", "") if isinstance(a, str) else a
                                   for a in e.args)
                    raise
                except UNREADABLE as e:
                    raise unreadable(name, e, d) from e
        except Exception as e:
            refused = isinstance(e, LoadError | ConfigError)
            audit.record(action, key=key, **entry, outcome="refused" if refused else "failed",
                         error=type(e).__name__, message=str(e)[:1000],
                         **({} if refused else {"written_before_failure": written}))
            raise
        audit.record(action, key=key, **entry, outcome="done",
                     written=0 if dry_run else (out.get("load") or {}).get("written", 0))
        return out

    @app.get("/api/export", tags=["analysts"])
    def export(key: Analyst,
               format: Annotated[str, Query(
                   description="graphml, gexf, json, or csv (a zip of nodes.csv and edges.csv)",
                   examples=["graphml"])] = "graphml",
               state: StateParam = None) -> FileResponse:
        """The graph (or one state's part of it) for other tools."""
        folder = pathlib.Path(tempfile.mkdtemp())
        try:
            files = service.export(format, folder / ("csv" if format == "csv" else
                                                     f"coalition.{format}"),
                                   Filters(states=(jurisdiction_param(state),)) if state else None,
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

    @app.get("/api/map", tags=["analysis"])
    def contact_map(_: Viewer, state: StateParam = None) -> dict[str, Any]:
        """The map of sites and law enforcement per county (the dashboard's): the SVG, the
        county table, each county's status (docs/views.md)."""
        from api.maps import map_parts

        return map_parts(service, state)

    @app.get("/api/pages/map", response_class=HTMLResponse, tags=["pages"])
    def map_page(_: Viewer, state: StateParam = None) -> HTMLResponse:
        """The offline map page of `coalition render --map`."""
        from api.maps import map_page as page

        return HTMLResponse(page(service, state)[0])

    @app.get("/api/events/{event_id}/changes", tags=["events"])
    def build_changes(_: Viewer, event_id: Annotated[str, Path(
                          description="A coalition build's id",
                          examples=["event:ms:2020-01-16:gulfport-coalition-build"])],
                      window: BuildWindow = None) -> dict[str, Any]:
        """What a coalition build changed (docs/analysis.md, `build_changes`)."""
        from api.changes import changes

        return changes(service, event_id, window)

    @app.get("/api/pages/build", response_class=HTMLResponse, tags=["pages"])
    def build_page(key: Viewer, id: Annotated[str, Query(
                       description="A coalition build's id",
                       examples=["event:ms:2020-01-16:gulfport-coalition-build"])],
                   window: BuildWindow = None) -> HTMLResponse:
        """The view of `coalition render --build`."""
        from api.changes import build_page as page

        return HTMLResponse(page(service, id, window,
                                 include_contacts=may_see_contacts(key))[0])

    @app.get("/api/pages/report", response_class=HTMLResponse, tags=["pages"])
    def report_page(_: Viewer, state: StateParam = None, as_of: AsOf = None,
                    scope: ScopeParam = None) -> HTMLResponse:
        return HTMLResponse(service.render_report(
            service.analyze(state=state, scope=scope, as_of=as_of), "html"))

    @app.get("/api/audit", tags=["admin"])
    def audit_log(key: Annotated[Key | None, Depends(require("admin"))],
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
        return audit.tail(limit)

    return app
