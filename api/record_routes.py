"""The HTTP routes that edit events, relationships, participation and commitments (issue
13, item 2), registered by api/app.py with one call; the work is in api/record_edits.py.
Editors and above; a viewer or an analyst gets 403 (the ``Editor`` dependency)."""

# no "from __future__ import annotations": the routes are annotated with the app's role
# dependencies, passed in at run time, which FastAPI must see as objects, not names

from typing import Annotated, Any

from fastapi import FastAPI, Header, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api import edits, record_edits
from api.service import CoalitionService

FieldValue = str | int | float | bool | None

IfMatch = Annotated[str | None, Header(
    description="The version you edited (`version` of the record's GET, or its ETag)",
    examples=["3fa9c1d2e4b5a6978812ab34"])]
TieKey = Annotated[str, Path(description="The tie's key, as the workbook identifies its row "
                             "(docs/editing.md): relationships <type>:<source>><target>:<date>,"
                             " participation <type>:<entity>><event>:<role>, commitments "
                             "<type>:<entity>><program>:<date>",
                             examples=["referred:org:ms:a>org:ms:b:2025-03"])]
EventId = Annotated[str, Path(description="An event's id", examples=["event:ms:2020-02-12:build"])]
Cascade = Annotated[bool, Query(description="What took part in the event and what came out "
                                "of it go with it")]


class RowIn(BaseModel):
    fields: dict[str, FieldValue] = Field(
        ..., description="The columns of the sheet (docs/workbook.md), as a workbook row",
        examples=[{"source_id": "org:ms:a", "type": "referred", "target_id": "org:ms:b"}])


class RowPatch(BaseModel):
    fields: dict[str, FieldValue] = Field(
        ..., description="The columns to change (null empties one); the rest stay",
        examples=[{"status": "active"}])


def _answer(result: dict[str, Any], status: int = 200, location: str | None = None
            ) -> JSONResponse:
    headers = {"ETag": f'"{result["version"]}"'} if result.get("version") else {}
    if location:
        headers["Location"] = location
    return JSONResponse(result, status_code=status, headers=headers)


def add_routes(app: FastAPI, service: CoalitionService, viewer: Any, editor: Any) -> None:
    """Register the routes; ``viewer`` and ``editor`` are the app's role dependencies."""
    Viewer, Editor = viewer, editor

    @app.post("/api/events", status_code=201, tags=["editors"])
    def create_event(body: RowIn, key: Editor) -> JSONResponse:
        """Create an event from one row of the events sheet: 201 with `id`, `version`."""
        r = record_edits.create_event(service, body.fields, key=key)
        return _answer(r, 201, f"/api/stakeholders/{r['id']}")

    @app.patch("/api/events/{event_id}", tags=["editors"])
    def update_event(event_id: EventId, body: RowPatch, key: Editor,
                     if_match: IfMatch = None) -> JSONResponse:
        """Change some fields of an event; `If-Match` is required (stale: 409)."""
        return _answer(record_edits.update_event(service, event_id, body.fields,
                                                 version=edits.version_param(if_match),
                                                 key=key))

    @app.delete("/api/events/{event_id}", tags=["editors"])
    def delete_event(event_id: EventId, key: Editor, if_match: IfMatch = None,
                     cascade: Cascade = False) -> dict[str, Any]:
        """Remove an event; one with participation or outcomes: 409 naming them, unless
        `cascade=true`."""
        return record_edits.delete_event(service, event_id,
                                         version=edits.version_param(if_match),
                                         cascade=cascade, key=key)

    for sheet in record_edits.TIE_SHEETS:
        _tie_routes(app, service, sheet, Viewer, Editor)


def _tie_routes(app: FastAPI, service: CoalitionService, sheet: str, Viewer: Any,
                Editor: Any) -> None:
    what = sheet.rstrip("s")

    @app.get(f"/api/{sheet}/{{tie_key:path}}", tags=[sheet], name=f"get_{what}")
    def get_tie(tie_key: TieKey, _: Viewer) -> JSONResponse:
        return _answer(record_edits.tie(service, sheet, tie_key))

    @app.post(f"/api/{sheet}", status_code=201, tags=["editors"], name=f"create_{what}")
    def create_tie(body: RowIn, key: Editor) -> JSONResponse:
        r = record_edits.create_tie(service, sheet, body.fields, key=key)
        return _answer(r, 201, f"/api/{sheet}/{r['key']}")

    @app.patch(f"/api/{sheet}/{{tie_key:path}}", tags=["editors"], name=f"update_{what}")
    def update_tie(tie_key: TieKey, body: RowPatch, key: Editor,
                   if_match: IfMatch = None) -> JSONResponse:
        return _answer(record_edits.update_tie(service, sheet, tie_key, body.fields,
                                               version=edits.version_param(if_match),
                                               key=key))

    @app.delete(f"/api/{sheet}/{{tie_key:path}}", tags=["editors"], name=f"delete_{what}")
    def delete_tie(tie_key: TieKey, key: Editor, if_match: IfMatch = None) -> dict[str, Any]:
        return record_edits.delete_tie(service, sheet, tie_key,
                                       version=edits.version_param(if_match), key=key)

    for f, doc in ((get_tie, f"One {what} by its key, with its `version`."),
                   (create_tie, (f"Create a {what} from one row of the {sheet} sheet: 201 "
                                 "with `key` and `version`; its key taken: 409.")),
                   (update_tie, (f"Change some fields of a {what}; `If-Match` is required "
                                 "(stale: 409 with the current version). The type, ends and "
                                 "date or role make the key and cannot change.")),
                   (delete_tie, f"Remove a {what} (and the OUTCOME_OF its row made).")):
        f.__doc__ = doc
