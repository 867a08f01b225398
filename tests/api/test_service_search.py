"""Search in a long-lived service (the API): the name index is built once, rebuilt only when
something else wrote to the graph, and never blocks searches while it is rebuilt."""

from __future__ import annotations

import time

import pytest

from api.service import CoalitionService
from graph.store import open_store
from loaders.load import load
from tests.conftest import SEED, write_workbook


def ids(result: dict) -> list[str]:
    return [i["id"] for i in result["items"]]


@pytest.fixture
def service(embedded_settings):
    with open_store(embedded_settings) as store:
        load(SEED, store)
    svc = CoalitionService(embedded_settings, keep_open=True)
    yield svc
    svc.close()


def names(result: dict) -> list[str]:
    return [i["name"] for i in result["items"]]


def wait_for_refresh(svc: CoalitionService) -> None:
    deadline = time.monotonic() + 30
    while svc._refreshing and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not svc._refreshing


def test_typos_and_prefixes_find_the_seed_organizations(service) -> None:
    assert ids(service.search("bilxi polce"))[0] == "org:ms:biloxi-police-department"
    assert "org:quality-carriers" in ids(service.search("qualit"))
    # an alias finds its organization
    assert ids(service.search("San Joaquin County Regional Transportation"))[0] == \
        "org:ca:san-joaquin-regional-transit-district"
    assert service.search("zzzzqqq")["total"] == 0


def test_index_is_kept_while_the_graph_is_unchanged(service) -> None:
    service.search("tat")
    first = service._names[2]
    service.NAMES_TTL = 0.0
    service.search("tat")  # past the TTL: checks in the background
    wait_for_refresh(service)
    assert service._names[2] is first


def test_writes_by_another_process_show_up_after_the_check(service, embedded_settings,
                                                           tmp_path) -> None:
    name = "Synthetic Example Freight Lines"  # test data, not from the sources
    assert name not in names(service.search("example freight"))
    service.NAMES_TTL = 0.0
    wb = write_workbook(tmp_path / "more", organizations=f"""
        name,kind,state
        {name},trucking company,MS
    """)
    with open_store(embedded_settings) as other:  # as `coalition load` would, beside the API
        load(wb, other)
    assert name not in names(service.search("example freight"))  # starts the rebuild
    wait_for_refresh(service)
    assert names(service.search("exmple freight"))[0] == name
