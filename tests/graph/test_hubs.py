"""Hubs in ego networks and paths (issue 15), on a small SYNTHETIC graph whose answers are
worked out by hand below, on both stores (the expansion runs in the database).

The graph: a national organizer (``org:hub``) hosted 30 builds ``event:e1`` ... ``e30``; at
each of e2 ... e30 one organization ``org:aN`` attended; at e1 an energy company co-hosted
and a sheriff's office attended; the energy company partners with the organizer and with a
carrier; and a chain carrier - p1 - p2 - p3 - p4 - a3 of partnerships goes round the hub.

Everything but the organizer is in Texas, so also tied to the ``state:TX`` node (a leaf of
ego networks and paths, as places are). Degrees (distinct neighbours): hub 31 (30 builds
and the energy company), energy 4 (e1, carrier, hub, TX), e1 4, e2..e30 3, p1..p4 3,
carrier 3, a3 3, the sheriff and the other a's 2: 67 actors and events. The 99th percentile
(definition 7) sits between the two largest values, 4 and 31: 4 + 0.34 * 27 = 13.2; the
threshold is max(25, 13.2) = 25, and only the organizer (31) is above it.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from api.service import CoalitionService
from graph.hubs import find_hubs
from graph.projection import Filters, preferred_paths, project
from graph.settings import Settings
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook

HUB, ENERGY, SHERIFF, CARRIER = "org:hub", "org:energy", "org:sheriff", "org:carrier"
E1 = "event:e1"
TX = "state:TX"


def workbook(folder: Path) -> Path:
    src = "SYNTHETIC"
    orgs = [f"{HUB},National Organizer,nonprofit,,{src}",
            f"{ENERGY},Energy Co,energy company,TX,{src}",
            f"{SHERIFF},County Sheriff's Office,law enforcement,TX,{src}",
            f"{CARRIER},Carrier Inc,trucking company,TX,{src}"]
    orgs += [f"org:a{i},Attendee {i},trucking company,TX,{src}" for i in range(2, 31)]
    orgs += [f"org:p{i},Partner {i},trucking company,TX,{src}" for i in range(1, 5)]
    events = [f"event:e{i},Build {i},coalition build,2024-01-{i:02d},TX,{src}"
              for i in range(1, 31)]
    part = [f"{HUB},event:e{i},hosted,{src}" for i in range(1, 31)]
    part += [f"org:a{i},event:e{i},attended,{src}" for i in range(2, 31)]
    part += [f"{ENERGY},{E1},co-hosted,{src}", f"{SHERIFF},{E1},attended,{src}"]
    chain = [CARRIER, "org:p1", "org:p2", "org:p3", "org:p4", "org:a3"]
    rels = [f"{ENERGY},partners with,{HUB},{src}", f"{ENERGY},partners with,{CARRIER},{src}"]
    rels += [f"{a},partners with,{b},{src}" for a, b in itertools.pairwise(chain)]
    return write_workbook(
        folder,
        organizations="id,name,kind,state,citation\n" + "\n".join(orgs),
        events="id,name,kind,date,state,citation\n" + "\n".join(events),
        participation="entity_id,event_id,role,citation\n" + "\n".join(part),
        relationships="source_id,type,target_id,citation\n" + "\n".join(rels))


@pytest.fixture
def hubbed(store: GraphStore, tmp_path: Path) -> GraphStore:
    load(workbook(tmp_path / "wb"), store)
    return store


def hubs(store: GraphStore) -> dict[str, int]:
    return find_hubs(store, percentile=99, min_ties=25)


def test_only_the_organizer_is_a_hub(hubbed: GraphStore) -> None:
    assert hubs(hubbed) == {HUB: 31}
    # the floor: with more than 31 needed, nobody is
    assert find_hubs(hubbed, percentile=99, min_ties=31) == {}


def test_ego_network_shows_the_hub_but_does_not_expand_it(hubbed: GraphStore) -> None:
    one = project(hubbed, Filters(focus=ENERGY, depth=1), hubs=hubs(hubbed))
    assert set(one) == {ENERGY, E1, CARRIER, HUB, TX}
    assert "hub_hidden" not in one.nodes[HUB]  # depth 1 expands nothing anyway
    two = project(hubbed, Filters(focus=ENERGY, depth=2), hubs=hubs(hubbed))
    assert set(two) == {ENERGY, E1, CARRIER, HUB, TX, SHERIFF, "org:p1"}
    # 31 neighbours, of which energy and e1 are on the page
    assert two.nodes[HUB]["hub_hidden"] == 29


def test_expanding_the_hub_on_request(hubbed: GraphStore) -> None:
    every = {ENERGY, E1, CARRIER, HUB, TX, SHERIFF, "org:p1"} | {f"event:e{i}"
                                                              for i in range(2, 31)}
    asked = project(hubbed, Filters(focus=ENERGY, depth=2, expand=(HUB,)), hubs=hubs(hubbed))
    assert set(asked) == every and "hub_hidden" not in asked.nodes[HUB]
    # no hub rule at all (--through-hubs): the same here
    assert set(project(hubbed, Filters(focus=ENERGY, depth=2))) == every
    # focused on the hub itself, it is expanded: its 30 builds and the energy company
    own = project(hubbed, Filters(focus=HUB, depth=1), hubs=hubs(hubbed))
    assert len(own) == 32


def test_paths_go_round_the_hub_within_one_extra_step(hubbed: GraphStore) -> None:
    h = hubs(hubbed)
    # through the hub: carrier - energy - hub - e3 - a3 (4 steps); round it: the chain (5)
    through = preferred_paths(hubbed, CARRIER, "org:a3", hubs=h, through_hubs=True)
    assert through.paths == [[CARRIER, ENERGY, HUB, "event:e3", "org:a3"]]
    round_ = preferred_paths(hubbed, CARRIER, "org:a3", hubs=h)
    assert round_.paths == [[CARRIER, "org:p1", "org:p2", "org:p3", "org:p4", "org:a3"]]
    assert round_.went_round and round_.hubs == (HUB,)


def test_when_the_only_path_runs_through_the_hub_it_says_so(hubbed: GraphStore) -> None:
    # sheriff - e1 - hub - e7 - a7: no way round within 5 steps
    only = preferred_paths(hubbed, SHERIFF, "org:a7", hubs=hubs(hubbed))
    assert only.paths == [[SHERIFF, E1, HUB, "event:e7", "org:a7"]]
    assert only.hubs == (HUB,) and not only.went_round
    # a hub-free shortest path is taken as it is, with nothing to say
    free = preferred_paths(hubbed, SHERIFF, ENERGY, hubs=hubs(hubbed))
    assert free.paths == [[SHERIFF, E1, ENERGY]] and free.hubs == ()


def test_service_and_page_say_what_is_hidden(settings: Settings, tmp_path: Path) -> None:
    service = CoalitionService(settings)
    service.load(workbook(tmp_path / "wb"))
    ego = service.ego(ENERGY, 2)
    hub = next(n for n in ego["nodes"] if n["id"] == HUB)
    assert hub["draw"]["hub_hidden"] == 29
    assert "+29 via National Organizer" in hub["draw"]["title"]
    assert len(service.ego(ENERGY, 2, through_hubs=True)["nodes"]) == 36
    found = service.paths(SHERIFF, "org:a7")
    assert [n["id"] for n in found["paths"][0]] == [SHERIFF, E1, HUB, "event:e7", "org:a7"]
    assert "run through a hub (National Organizer)" in found["note"]
    _, facts = service.network_page(focus=ENERGY, depth=2)
    assert any("National Organizer (+29, id org:hub)" in n for n in facts["notes"])
    assert facts["nodes"] == 7


def test_the_seed_has_no_hub(store: GraphStore) -> None:
    from tests.conftest import SEED

    load(SEED, store)
    assert find_hubs(store, percentile=99, min_ties=25) == {}
    # its best-connected node, the Gulfport build (20 neighbours), stays under the floor;
    # without the floor it would be the one hub (the 99th percentile of 44: 18 + 0.57 * 2)
    assert find_hubs(store, percentile=99, min_ties=1) == {
        "event:ms:2020-01-16:gulfport-coalition-build": 20}


def test_cli_paths_and_render_take_the_hub_options(tmp_path: Path, data_dir: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from api import cli

    monkeypatch.setenv("COALITION_GRAPH_NAME", f"hubs{tmp_path.name[-12:]}")
    run = CliRunner()

    def coalition(*args: str):
        r = run.invoke(cli.app, ["--data-dir", str(data_dir), *args])
        assert r.exit_code == 0, r.output
        return r.output

    coalition("load", str(workbook(tmp_path / "wb")))
    text = coalition("paths", CARRIER, "org:a3")
    assert "Carrier Inc -> Partner 1 -> Partner 2 -> Partner 3 -> Partner 4 -> Attendee 3" \
        in text and "go round a hub (National Organizer)" in text
    assert "Energy Co -> National Organizer -> Build 3" in coalition(
        "paths", CARRIER, "org:a3", "--through-hubs")
    out = tmp_path / "ego.html"
    assert "7 nodes" in coalition("render", "--focus", ENERGY, "--depth", "2", "--out",
                                  str(out))
    assert "36 nodes" in coalition("render", "--focus", ENERGY, "--depth", "2",
                                   "--expand", HUB, "--out", str(out))
