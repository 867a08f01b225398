"""The near-duplicate review queue (api/review.py) over HTTP, on the real embedded store with
the seed loaded plus SYNTHETIC organizations whose pairs were worked out by hand."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.security import Audit
from graph.store import GraphStore
from loaders.load import load
from tests.api import test_http
from tests.conftest import write_workbook

settings, seeded, tokens = test_http.settings, test_http.seeded, test_http.tokens

#: SYNTHETIC: a typo'd twin of a sheriff's office; two sites of one chain (never a pair)
ORGS = """
    id,name,kind,state
    org:ms:hancock-a,Hancock County Sheriff's Office,law enforcement,MS
    org:ms:hancock-b,Hancock County Sherif's Office,law enforcement,MS
    org:ms:loves-245,Love's Travel Stop #245,truck stop,MS
    org:ms:loves-246,Love's Travel Stop #246,truck stop,MS
"""


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_queue_decide_and_a_later_load(seeded, tokens, tmp_path: Path,
                                       embedded_store: GraphStore) -> None:
    wb = write_workbook(tmp_path / "synthetic", organizations=ORGS)
    first = load(wb, embedded_store)
    assert first.near_duplicates == 1  # the load flags the sheriff's twin, not the chain
    client = TestClient(create_app(seeded))
    editor = auth(tokens["editor"])
    assert client.get("/api/review/duplicates?state=MS",
                      headers=auth(tokens["viewer"])).status_code == 403
    q = client.get("/api/review/duplicates?state=Mississippi", headers=editor).json()
    # by hand: the seed's MS organizations have no near twin; the synthetic pair is the one
    assert [(p["a"]["id"], p["b"]["id"]) for p in q["pairs"]] == [
        ("org:ms:hancock-a", "org:ms:hancock-b")]
    assert q["pairs"][0]["similarity"] >= 92 and q["total"] == 1
    bad = client.post("/api/review/duplicates", headers=editor,
                      json={"a": "org:ms:hancock-a", "b": "org:ms:hancock-b",
                            "decision": "same"})
    assert bad.status_code == 400 and "merge" in bad.json()["error"]["message"]
    done = client.post("/api/review/duplicates", headers=editor,
                       json={"a": "org:ms:hancock-b", "b": "org:ms:hancock-a",
                             "decision": "distinct"})
    assert done.status_code == 200 and done.json()["pair"] == "org:ms:hancock-a org:ms:hancock-b"
    after = client.get("/api/review/duplicates?state=MS", headers=editor).json()
    assert after["pairs"] == [] and after["decided"] == 1
    # remembered: the same workbook loaded again (a row changed) flags nothing
    (wb / "organizations.csv").write_text((wb / "organizations.csv").read_text().replace(
        "truck stop,MS\n", "truck stop,MS\n", 1) + "org:ms:x,Another Stop,truck stop,MS\n")
    assert load(wb, embedded_store).near_duplicates == 0
    missing = client.post("/api/review/duplicates", headers=editor,
                          json={"a": "org:ms:hancock-a", "b": "org:nope",
                                "decision": "distinct"})
    assert missing.status_code == 404
    lines = [e for e in Audit(seeded.audit_file).tail(1000) if e["action"] == "review"]
    assert [e["outcome"] for e in lines] == ["refused", "done", "refused"]
    # the decisions are no part of the graph
    assert embedded_store.read("MATCH (n:Entity) WHERE n:Review RETURN count(n) AS n") == [
        {"n": 0}]
