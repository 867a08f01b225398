"""A zip of CSV files is a workbook, for `coalition load` and for POST /api/import; it is read
without extracting anything, within a budget, and names its members in problems as
``coalition.zip[organizations.csv]``. Rows other than the seed's are SYNTHETIC."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.service import CoalitionService
from graph.errors import LoadError, RowIssue
from graph.store import GraphStore
from loaders import archive
from loaders.load import load
from loaders.sources import read_workbook
from tests.conftest import SEED
from tests.loaders import test_corpus as corpus
from tests.loaders.corpus.cases import CASES, Refused
from tests.loaders.test_corpus import check_accepted, fingerprint, located

ORGS = "id,name,kind,state\norg:ms:a,A Stop,truck stop,MS\norg:ms:b,B Bar,saloon,MS\n"


def make_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            zi = zipfile.ZipInfo(name)
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return path


def forge(path: Path, offset: int, value: int, size: int) -> None:
    """Overwrite a field of the (one) central directory record: what a forged zip claims."""
    raw = bytearray(path.read_bytes())
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + offset:cd + offset + size] = value.to_bytes(size, "little")
    path.write_bytes(bytes(raw))


def refused(path: Path) -> str:
    with pytest.raises(LoadError) as info:
        read_workbook(path)
    assert "nothing was written" in str(info.value)
    return str(info.value)


def test_the_zipped_seed_loads_as_the_folder_does(tmp_path: Path,
                                                 embedded_store: GraphStore) -> None:
    z = make_zip(tmp_path / "seed.zip", {p.name: p.read_bytes() for p in SEED.glob("*.csv")})
    report = load(z, embedded_store)
    assert report.written == 190  # as tests/api/test_cli.py counts for the folder
    counts = embedded_store.counts()
    assert (counts.nodes, counts.edges) == (86, 104)
    row = embedded_store.read("MATCH (n:Event) RETURN n.source AS s LIMIT 1")[0]
    assert row["s"] == "seed.zip[events.csv]"


def test_a_problem_names_the_member_at_the_top_or_in_a_folder(tmp_path: Path) -> None:
    for inner, shown in (("organizations.csv", "coalition.zip[organizations.csv]"),
                         ("coalition/organizations.csv",
                          "coalition.zip[coalition/organizations.csv]")):
        z = make_zip(tmp_path / "coalition.zip", {inner: ORGS, "coalition/": ""})
        with pytest.raises(LoadError) as info:
            load(z, None)  # type: ignore[arg-type]  # refused before the store is needed
        [issue] = [i for i in info.value.issues if i.severity == "error"]
        assert str(issue).startswith(f"{shown}, row 3, column 'kind': unknown organization")


def test_macos_copies_hidden_files_and_other_files(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "w.zip", {
        "wb/organizations.csv": ORGS.replace("saloon", "casino"),
        "__MACOSX/wb/._organizations.csv": b"\x00\x05\x16\x07junk",
        "wb/.DS_Store": b"\x00junk", "wb/README.txt": "notes",
        "wb/contacts.csv": "a,b\n1,2\n", "wb/old.xlsx": b"PK junk"})
    wb = read_workbook(z)
    assert list(wb.sheets) == ["organizations"]
    assert len(wb.sheets["organizations"].rows) == 2
    assert sorted((i.file, i.severity) for i in wb.issues) == [
        ("w.zip[wb/contacts.csv]", "warning"), ("w.zip[wb/old.xlsx]", "warning")]


@pytest.mark.parametrize("name", ["../organizations.csv", "/tmp/organizations.csv",
                                  "wb/../../organizations.csv", "C:/organizations.csv"])
def test_a_name_outside_the_zip_is_refused_and_nothing_is_extracted(name: str,
                                                                    tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    z = make_zip(tmp_path / "in" / "w.zip", {name: ORGS})
    assert "points outside the zip" in refused(z)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["in", "w.zip"]


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    # 64 MB of one repeated row packs into ~64 KB: a ratio near 1,000
    z = make_zip(tmp_path / "bomb.zip", {"organizations.csv": "id,name\n" + "a,b\n" * 16_000_000})
    info = zipfile.ZipFile(z).infolist()[0]
    assert info.file_size > 500 * info.compress_size
    assert "looks like a zip bomb" in refused(z)


def test_the_budget_for_all_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_BYTES", 100)
    z = make_zip(tmp_path / "w.zip", {"organizations.csv": ORGS, "events.csv": ORGS})
    assert len(ORGS) * 2 > 100
    assert "at most 100 bytes of CSV" in refused(z)


def test_a_member_inflating_past_its_header_is_refused(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "w.zip", {"organizations.csv": ORGS})
    forge(z, 24, 10, 4)  # the uncompressed size: 10 bytes; zipfile stops there, CRC fails
    message = refused(z)
    assert "w.zip[organizations.csv]" in message and "zip the workbook folder again" in message


def test_too_many_entries(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "w.zip", {f"n{i}.txt": "" for i in range(archive.MAX_ENTRIES + 1)})
    assert "holds 1,001 entries" in refused(z)


def test_entries_are_counted_before_the_directory_is_read(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    # past 65,535 entries the count is in the ZIP64 end record
    z = tmp_path / "many.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
        for i in range(70_000):
            zf.writestr(str(i), b"")
    assert archive._directory(z)[0] == 70_000
    monkeypatch.setattr(zipfile, "ZipFile", None)  # refused without opening it
    assert "holds 70,000 entries" in refused(z)


def test_a_directory_too_large_for_its_count(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # a count can be forged small; the directory's size is checked as well
    z = make_zip(tmp_path / "w.zip", {"organizations.csv": ORGS, "a.txt": "", "b.txt": ""})
    entries, size = archive._directory(z)
    assert entries == 3 and size == 3 * 46 + len("organizations.csv") + 5 + 5
    monkeypatch.setattr(archive, "MAX_DIRECTORY", size - 1)
    assert f"holds 3 entries ({size:,} bytes of directory)" in refused(z)


def test_sheets_in_two_folders_or_twice(tmp_path: Path) -> None:
    two = make_zip(tmp_path / "two.zip", {"a/organizations.csv": ORGS, "b/events.csv": ORGS})
    assert "sheets in several folders (a/, b/)" in refused(two)
    twice = make_zip(tmp_path / "twice.zip", {"organizations.csv": ORGS,
                                              "Organizations.CSV": ORGS})
    assert "holds the organizations sheet twice" in refused(twice)


def test_password_protected_and_not_a_zip(tmp_path: Path) -> None:
    locked = make_zip(tmp_path / "locked.zip", {"organizations.csv": ORGS})
    forge(locked, 8, 0x1, 2)  # general purpose flags: encrypted (zipfile writes no such zip)
    assert "password-protected" in refused(locked)
    (tmp_path / "junk.zip").write_bytes(b"id,name\nnot,a zip\n")
    assert "not a readable zip file" in refused(tmp_path / "junk.zip")


def test_upload_a_zip_dry_run_then_confirm(embedded_settings, tmp_path: Path,
                                           embedded_store: GraphStore) -> None:
    settings = embedded_settings.model_copy(update={"keys_file": tmp_path / "keys.json",
                                                    "audit_file": tmp_path / "audit.log"})
    token = CoalitionService(settings).keys().create("editor", "zip")[1]
    client = TestClient(create_app(settings))
    auth = {"Authorization": f"Bearer {token}"}
    good = io.BytesIO()
    make_zip(tmp_path / "good.zip", {"wb/organizations.csv": ORGS.replace("saloon", "casino")})
    good.write((tmp_path / "good.zip").read_bytes())
    dry = client.post("/api/import", headers=auth,
                      files={"file": ("coalition.zip", good.getvalue())})
    assert dry.status_code == 200, dry.text
    assert dry.json()["nodes"]["TruckStop"]["created"] == 1
    assert embedded_store.counts().nodes == 0
    done = client.post("/api/import?confirm=true", headers=auth,
                       files={"file": ("coalition.zip", good.getvalue())})
    assert done.status_code == 200 and done.json()["written"] > 0
    assert embedded_store.read("MATCH (n:Casino) RETURN n.id AS id") == [{"id": "org:ms:b"}]
    # an unknown column too: its warning (row 1) is listed after the error (row 3)
    bad = make_zip(tmp_path / "bad.zip", {"organizations.csv": ORGS.replace(
        "state\n", "state,colour\n")})
    r = client.post("/api/import?confirm=true", headers=auth,
                    files={"file": ("bad.zip", bad.read_bytes())})
    assert r.status_code == 422
    issues = r.json()["error"]["issues"]
    assert [(i["file"], i["row"], i["column"], i["severity"]) for i in issues] == [
        ("bad.zip[organizations.csv]", 3, "kind", "error"),
        ("bad.zip[organizations.csv]", 1, "colour", "warning")]
    bomb = make_zip(tmp_path / "bomb.zip", {"events.csv": "id\n" + "a\n" * 8_000_000})
    r = client.post("/api/import", headers=auth, files={"file": ("bomb.zip", bomb.read_bytes())})
    assert r.status_code == 422 and "zip bomb" in r.json()["error"]["message"]
    assert embedded_store.counts().nodes == 3  # the good upload's two and its state



# -- the bad-input corpus's CSV cases, zipped and uploaded: refused at the same row and
# column (of the member), or accepted, and a refusal leaves the graph exactly as it was
CSV_CASES = {c.name: c for c in CASES if c.name.startswith("csv:")}
based, client_and_token = corpus.based, corpus.client_and_token  # its fixtures, here too


@pytest.mark.parametrize("name", list(CSV_CASES))
def test_corpus_csv_cases_uploaded_as_a_zip(name: str, tmp_path: Path, based: GraphStore,
                                            client_and_token) -> None:
    case = CSV_CASES[name]
    folder = case.build(tmp_path / "case")
    z = make_zip(tmp_path / "case.zip", {p.name: p.read_bytes() for p in folder.glob("*.csv")})
    client, token = client_and_token
    before = fingerprint(based)
    r = client.post("/api/import?confirm=true", headers={"Authorization": f"Bearer {token}"},
                    files={"file": ("case.zip", z.read_bytes())})
    if isinstance(case.expect, Refused):
        assert r.status_code == 422, r.text[:2000]
        issues = [RowIssue(**i) for i in r.json()["error"]["issues"]]
        want = dataclasses.replace(case.expect, file=f"case.zip[{case.expect.file}]")
        assert located(issues, want), r.json()["error"]["message"][:2000]
        assert fingerprint(based) == before
    else:
        assert r.status_code == 200, r.text[:2000]
        check_accepted(case, r.json()["warnings"], based)
