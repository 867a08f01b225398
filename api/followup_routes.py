"""The HTTP route that logs a follow-up (issue 13, item 2, ``POST /api/followups``),
registered by api/app.py with one call; the work is in api/followup_edits.py. Editors and
above; a viewer or an analyst gets 403 (the ``Editor`` dependency)."""

# no "from __future__ import annotations": the route is annotated with the app's role
# dependency, passed in at run time, which FastAPI must see as an object, not a name

from typing import Any, Literal

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api import followup_edits
from api.service import CoalitionService


class FollowupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(..., max_length=300, description="The coalition build it follows up",
                          examples=["event:ms:2026-01-10:gulf-coast-build"])
    entity_id: str | None = Field(None, max_length=300,
                                  description="The organization or person contacted",
                                  examples=["org:ms:biloxi-police-department"])
    date: str = Field(..., max_length=40, description="When: 2026-02-12 (or 2026-02)",
                      examples=["2026-02-12"])
    # a str, not a Literal: a wrong kind gets the loader's message (422 with the field),
    # as every other field does
    kind: str = Field(..., max_length=40, description="call, email, meeting or visit",
                      examples=["call"])
    outcome: str | None = Field(None, max_length=2000,
                                description="What came of it; no personal details",
                                examples=["will host the truck stop training in March"])
    note: str | None = Field(None, max_length=4000, examples=["SYNTHETIC"])


class FollowupOut(BaseModel):
    id: str = Field(..., description="The follow-up event's id")
    version: str | None
    change: str = Field(..., description="The change in the change log (undo it with "
                        "POST /api/changes/{change}/undo)")
    warnings: list[str] = []
    status: Literal["logged"] = "logged"


def add_routes(app: FastAPI, service: CoalitionService, editor: Any) -> None:
    """Register the route; ``editor`` is the app's editor dependency."""
    Editor = editor

    @app.post("/api/followups", status_code=201, tags=["editors"],
              response_model=FollowupOut)
    def log_followup(body: FollowupIn, key: Editor) -> JSONResponse:
        """Log a contact made after a coalition build (a call, email, meeting or visit): a
        follow-up event that follows the build, tied to the stakeholder contacted; the
        follow-up schedule counts it. Checked as the loader checks an events row; 201 with
        the follow-up's `id`."""
        r = followup_edits.log(service, body.model_dump(exclude_none=True), key=key)
        return JSONResponse({**r, "status": "logged"}, status_code=201,
                            headers={"Location": f"/api/stakeholders/{r['id']}",
                                     **({"ETag": f'"{r["version"]}"'} if r.get("version")
                                        else {})})
