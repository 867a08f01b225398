"""``coalition``: the command line, a thin adapter over :class:`api.service.CoalitionService`."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from api.service import CoalitionService, jurisdiction_param, parse_param
from graph.errors import CoalitionError, ConfigError, LoadError
from graph.export import csv_cell
from graph.projection import Filters
from graph.settings import Settings, get_settings
from loaders.problems import as_records

app = typer.Typer(help="Stakeholder relationship graphs for anti-trafficking coalitions.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
store_app = typer.Typer(help="Manage the embedded FalkorDB server.", no_args_is_help=True)
app.add_typer(store_app, name="store")
keys_app = typer.Typer(help="API keys for `coalition serve` (stored hashed).",
                       no_args_is_help=True)
app.add_typer(keys_app, name="keys")

# soft_wrap: long ids and messages stay on one line when piped or captured
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
_state: dict[str, Any] = {}
#: near-duplicate warnings printed after a load (the most similar first)
NEAR_DUPLICATES_SHOWN = 20


def service() -> CoalitionService:
    return _state.setdefault("service", CoalitionService(_state.get("settings")))


@app.callback()
def main_options(
    store: Annotated[str | None, typer.Option(
        help="'embedded' (default), 'falkordb://host:port' or a Neo4j URI. "
             "Env: COALITION_STORE.")] = None,
    data_dir: Annotated[Path | None, typer.Option(
        help="Data directory of the embedded store. Env: COALITION_DATA_DIR.")] = None,
) -> None:
    overrides = {k: v for k, v in {"store": store, "data_dir": data_dir}.items() if v is not None}
    _state.clear()
    _state["settings"] = Settings(**overrides) if overrides else get_settings()


def _progress() -> tuple[Progress, Any]:
    bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                   TimeElapsedColumn(), console=err, transient=True,
                   disable=not err.is_terminal)
    task: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in task:
            task[stage] = bar.add_task(stage, total=total or None)
        bar.update(task[stage], completed=done, total=total or None)

    return bar, update


def _print_json(data: Any) -> None:
    out.print_json(json.dumps(data, default=str, ensure_ascii=False))


def _report_table(report: dict[str, Any]) -> None:
    verb = "Would write" if report["dry_run"] else "Wrote"
    for part in ("nodes", "relationships"):
        t = Table(title=f"{verb} {part}", title_justify="left")
        for col in ("", "created", "updated", "unchanged"):
            t.add_column(col, justify="right" if col else "left")
        for name, c in report[part].items():
            t.add_row(name, str(c["created"]), str(c["updated"]), str(c["unchanged"]))
        out.print(t)
    # Near-duplicates can run to thousands: the count and the most similar ones here; the
    # report (--format json) holds them all.
    n = report.get("near_duplicates", 0)
    warnings = report["warnings"]
    for w in warnings[:len(warnings) - n]:
        _problem("warning:", "yellow", w)
    if n:
        shown = f"; the {NEAR_DUPLICATES_SHOWN} most similar" if n > NEAR_DUPLICATES_SHOWN \
            else ""
        err.print(Text(f"{n} near-duplicate warning(s){shown}:", style="yellow"))
        for w in warnings[len(warnings) - n:][:NEAR_DUPLICATES_SHOWN]:
            _problem("warning:", "yellow", w)
    if report.get("removals") is not None:
        _removals_table(report["removals"], verb)
    if report["rejected_rows"]:
        where = f"; see {report['rejects_file']}" if report["rejects_file"] else ""
        err.print(Text(f"{report['rejected_rows']} row(s) rejected{where}", style="yellow"))


def _removals_table(removals: dict[str, Any], verb: str) -> None:
    sources = ", ".join(removals["sources"]) or "none"
    gone = [(n["type"], n["id"], n.get("name") or "") for n in removals["nodes"]] + \
        [(r["type"], r["key"], f"{r['src']} -> {r['dst']}") for r in removals["relationships"]]
    verb = "Would remove" if verb.startswith("Would") else "Removed"
    t = Table("type", "id / key", "", title=f"{verb} (sync of {sources}): {len(gone)}",
              title_justify="left")
    for row in gone:
        t.add_row(*row)
    out.print(t)
    for k in removals["kept"]:
        out.print(f"kept {k['type']} {k['id']}: {k['reason']}", highlight=False, markup=False)


@app.command("load")
def load_cmd(
    path: Annotated[Path, typer.Argument(help="A folder of CSV files, an .xlsx or a .yaml.")],
    dry_run: Annotated[bool, typer.Option(help="Validate and show the diff; write nothing.")
                       ] = False,
    skip_invalid: Annotated[bool, typer.Option(
        help="Write the valid rows; put the others in a rejects file beside the input.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    problems: Annotated[Path | None, typer.Option(
        help="Write every error and warning to this .csv or .json file, loaded or not.")
    ] = None,
    sync: Annotated[bool, typer.Option(
        help="The workbook is the whole truth for its sources: remove what they no longer "
             "have (never what another source or an edit wrote). With --dry-run: list it.")
    ] = False,
) -> None:
    """Validate a coalition workbook and load it (all-or-nothing unless --skip-invalid)."""
    bar, update = _progress()
    try:
        with bar:
            report = service().load(path, dry_run=dry_run, skip_invalid=skip_invalid,
                                    problems=problems, progress=update,
                                    sync=sync).as_dict()
    except LoadError as e:
        if fmt == "json":  # the problems on stdout too; the message still goes to stderr
            _print_json({"error": {"type": "LoadError", "message": str(e)},
                         "problems": as_records(e.issues)})
        raise
    if problems:
        err.print(Text(f"every problem is in {problems}"), highlight=False)
    if fmt == "json":
        _print_json(report)
    else:
        _report_table(report)
        if not dry_run:
            out.print(f"{report['written']} node(s) and relationship(s) written from {path}.")
            if report.get("change"):
                out.print(f"This load is change {report['change']} (coalition history; "
                          f"coalition undo {report['change']} takes it back).", highlight=False)


@app.command()
def history(
    entity: Annotated[str | None, typer.Argument(
        help="A stakeholder's id (or a relationship's key); default: every change.")] = None,
    since: Annotated[str | None, typer.Option(help="From this date or time on (ISO).")
                     ] = None,
    limit: Annotated[int, typer.Option(help="At most this many changes.")] = 50,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """The change log, newest first: who changed what, when, and what it was before."""
    from api import edits

    found = edits.history(service(), entity=entity, since=since, limit=limit)
    if fmt == "json":
        _print_json(found)
        return
    t = Table("change", "time", "who", "action", "what", title_justify="left",
              title=f"Changes{' to ' + entity if entity else ''}")
    for c in found:
        by = c.get("os_user") and f"cli ({c['os_user']})" or \
            f"{c.get('role')}{' key ' + c['key'] if c.get('key') else ''}"
        what = [c.get("summary") or ""]
        for e in c.get("entries", [])[:10]:
            changed = ", ".join(f"{k}: {v[0]!r} -> {v[1]!r}" for k, v in e["changes"].items()
                                if k not in ("labels",))
            verb = "new" if e["before"] is None else "gone" if e["after"] is None else "changed"
            what.append(f"  {verb} {e['type']} {e['id']}" + (f" ({changed})" if changed and
                                                              verb == "changed" else ""))
        if c.get("entry_count", 0) > 10:
            what.append(f"  ... {c['entry_count'] - 10:,} more")
        t.add_row(c["id"], c["time"], by, c["action"], Text("\n".join(what)))
    out.print(t)
    out.print(f"{len(found)} change(s)")


@app.command()
def undo(change_id: Annotated[str, typer.Argument(help="The change's id (coalition history).")]
         ) -> None:
    """Revert one change; refused while later changes touched the same records."""
    from api import edits

    r = edits.undo(service(), change_id, key=None, cli=True)
    out.print(f"Undid {change_id}: the undo is change {r['change']}.", highlight=False)


@app.command()
def merge(
    merged: Annotated[str, typer.Argument(help="The id of the record merged away.")],
    into: Annotated[str, typer.Option("--into", help="The id of the survivor (same kind).")],
    dry_run: Annotated[bool, typer.Option(help="Show what would move; write nothing.")
                       ] = False,
) -> None:
    """Merge one organization (or person) into another: its ties move to the survivor, the
    same tie twice folds into one, its names become aliases; one change (coalition undo)."""
    from api import edits

    r = edits.merge(service(), merged, into, version=None, key=None, cli=True,
                    dry_run=dry_run)
    c = r["counts"]
    for verb, keys in (("moves to", r["moved"]), ("folds into", r["folded"]),
                       ("is dropped", r["dropped"]), ("is re-pointed", r["retargeted"])):
        for k in keys:
            out.print(Text(f"  {verb:<13} {k}"), highlight=False)
    for p in r["people"]:
        out.print(Text(f"  works for {into} now: {p}"), highlight=False)
    if r["aliases"]:
        out.print(Text(f"  aliases of {into}: {'; '.join(r['aliases'])}"), highlight=False)
    for n in r["notes"]:
        out.print(Text(f"  note: {n}"), highlight=False)
    tally = (f"{c['moved']} moved, {c['folded']} folded, {c['dropped']} dropped, "
             f"{c['retargeted']} re-pointed, {c['people']} people")
    if dry_run:
        out.print(Text(f"Would merge {merged} into {into}: {tally} (dry run: nothing was "
                       "written)."), highlight=False)
        return
    out.print(Text(f"Merged {merged} into {into}: {tally}; change {r['change']} (coalition "
                   f"undo {r['change']} takes it back)."), highlight=False)


@app.command()
def stats(fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table") -> None:
    """Counts by label and by relationship type."""
    data = service().stats()
    if fmt == "json":
        _print_json(data)
        return
    out.print(f"{data['store']}: {data['nodes']} nodes, {data['relationships']} relationships")
    for title, counts in (("label", data["labels"]), ("relationship", data["relationship_types"])):
        t = Table(title_justify="left")
        t.add_column(title)
        t.add_column("count", justify="right")
        for k, v in counts.items():
            t.add_row(k, str(v))
        out.print(t)


@app.command()
def query(
    cypher: Annotated[str, typer.Argument(help="A read-only Cypher query.")],
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="name=value (JSON values allowed); repeatable.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
    timeout: Annotated[float, typer.Option(help="Seconds before the query is stopped.")] = 30.0,
) -> None:
    """Run a read-only Cypher query. The database itself refuses writes."""
    params = dict(parse_param(p) for p in param or [])
    result = service().query(cypher, params, timeout=timeout)
    if fmt == "json":
        _print_json(result.rows)
    elif fmt == "csv":
        w = csv.writer(sys.stdout)  # formulas defused, as in every CSV we write
        w.writerow([csv_cell(c) for c in result.columns])
        for row in result.rows:
            w.writerow([csv_cell(json.dumps(v, default=str) if isinstance(v, list | dict)
                                 else v) for v in row.values()])
    else:
        t = Table(*result.columns)
        for row in result.rows:
            t.add_row(*(json.dumps(v, default=str) if isinstance(v, list | dict) else str(v)
                        for v in row.values()))
        out.print(t)
        out.print(f"{len(result.rows)} row(s)")


@app.command("export")
def export_cmd(
    fmt: Annotated[str, typer.Option("--format", help="graphml, gexf, json or csv")],
    out_path: Annotated[Path, typer.Option("--out", help="File (a folder for csv).")],
    state: Annotated[list[str] | None, typer.Option(help="Only these states.")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Only these kinds.")] = None,
    include_contacts: Annotated[bool, typer.Option(
        help="Include people's email and phone (off by default).")] = False,
) -> None:
    """Export the graph (or part of it) for other tools."""
    filters = Filters(states=tuple(jurisdiction_param(s) for s in state or ()),
                      kinds=tuple(kind or ()))
    files = service().export(fmt, out_path, filters, include_contacts=include_contacts)
    for f in files:
        out.print(f"wrote {f}")


@app.command()
def analyze(
    state: Annotated[str | None, typer.Option(help="One state (e.g. MS); default: all.")] = None,
    scope: Annotated[str | None, typer.Option(
        help="national (the whole graph, across states) or a state, province or country; "
             "default: every jurisdiction with data and the national part.")] = None,
    as_of: Annotated[str | None, typer.Option(
        help="Date follow-ups are judged on (YYYY-MM-DD); default: today.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json, md or html")] = "md",
    out_path: Annotated[Path | None, typer.Option("--out", help="File; default: stdout.")
                        ] = None,
    blueprint: Annotated[Path | None, typer.Option(
        help="A blueprint YAML of the roles a coalition needs (default: the shipped one).")
    ] = None,
) -> None:
    """Gap analysis: missing roles, contact gaps, follow-ups, structure, recommendations."""
    when = None
    if as_of:
        try:
            when = dt.date.fromisoformat(as_of)
        except ValueError:
            raise ConfigError(f"--as-of takes a date like 2026-11-24, got {as_of!r}") from None
    if scope and state:
        raise ConfigError("give --scope or --state, not both (--state MS is --scope MS)")
    svc = service()
    report = svc.analyze(state=state, scope=scope, as_of=when, blueprint=blueprint)
    text = svc.render_report(report, fmt)
    if out_path:
        out_path.write_text(text, encoding="utf-8")
        out.print(f"wrote {out_path}")
    else:
        sys.stdout.write(text)


@app.command()
def paths(
    a: Annotated[str, typer.Argument(help="An entity id.")],
    b: Annotated[str, typer.Argument(help="Another entity id.")],
    limit: Annotated[int, typer.Option(help="At most this many paths.")] = 5,
    through_hubs: Annotated[bool, typer.Option(
        help="Take the shortest paths even through hubs.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """How two entities are connected: the shortest paths through organizations, people
    and events, going round hubs when that costs one step more at most."""
    found = service().paths(a, b, limit=limit, through_hubs=through_hubs)
    if fmt == "json":
        _print_json(found)
        return
    for p in found["paths"] or [[]]:
        out.print(" -> ".join(n["name"] for n in p) if p else "no path (within 6 steps)",
                  highlight=False)
    if found["note"]:
        out.print(found["note"], highlight=False)


@app.command()
def render(
    out_path: Annotated[Path, typer.Option("--out", help="The HTML file to write.")
                        ] = Path("network.html"),
    state: Annotated[str | None, typer.Option(help="One state, with its gap overlay.")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Only these kinds (repeatable).")
                    ] = None,
    focus: Annotated[str | None, typer.Option(help="The ego network of this entity id.")
                     ] = None,
    depth: Annotated[int, typer.Option(help="Ego network depth.")] = 1,
    path: Annotated[tuple[str, str] | None, typer.Option(
        help="Highlight the shortest paths between two entity ids.")] = None,
    size_by: Annotated[str, typer.Option(help="degree or betweenness")] = "degree",
    overlay: Annotated[bool, typer.Option(help="Gap overlay on a state view.")] = True,
    max_nodes: Annotated[int, typer.Option(
        help="Above this many nodes, aggregate by sector and county.")] = 2000,
    through_hubs: Annotated[bool, typer.Option(
        help="Ego networks and paths go through hubs (actors tied to much of the graph) "
        "too.")] = False,
    expand: Annotated[list[str] | None, typer.Option(
        help="Expand the ego network through this hub anyway (repeatable).")] = None,
    map_: Annotated[bool, typer.Option("--map", help=(
        "A map of sites and law enforcement per county (national, or --state XX) instead "
        "of a network; written to map.html unless --out is given."))] = False,
    build: Annotated[str | None, typer.Option(help=(
        "What this coalition build (an event id) changed: its state as of the end of its "
        "window, the rest faded, its figures in the side panel."))] = None,
    window: Annotated[int | None, typer.Option(
        help="Months after a build credited to it (default: the setting, 6).")] = None,
) -> None:
    """Write an offline network page (whole graph, state, kind, ego network or paths)."""
    if map_:
        from api.maps import map_page

        target = Path("map.html") if out_path == Path("network.html") else out_path
        html, facts = map_page(service(), state)
        target.write_text(html, encoding="utf-8")
        untied = sum(c["status"] == "untied" for c in facts["counties"].values())
        out.print(f"wrote {target}: {len(facts['counties'])} counties with sites or law "
                  f"enforcement, {untied} with sites that have no tie to law enforcement",
                  highlight=False)
        return
    if build:
        from api.changes import build_page

        html, facts = build_page(service(), build, window)
        out_path.write_text(html, encoding="utf-8")
        out.print(f"wrote {out_path}: {facts['nodes']} nodes, {facts['edges']} edges",
                  highlight=False)
        for note in facts["notes"]:
            out.print(note, highlight=False)
        return
    if size_by not in ("degree", "betweenness"):
        raise ConfigError("--size-by takes degree or betweenness")
    facts = service().render(out_path, state=state, kinds=tuple(kind or ()), focus=focus,
                             depth=depth, path=path, size_by=size_by, overlay=overlay,
                             max_nodes=max_nodes, through_hubs=through_hubs,
                             expand=tuple(expand or ()))
    out.print(f"wrote {facts['path']}: {facts['nodes']} nodes, {facts['edges']} edges",
              highlight=False)
    for note in facts["notes"]:
        out.print(note, highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int | None, typer.Option(
        min=1, max=64, help="Worker processes, each answering on one core at a time "
        "(default: the serve_workers setting, 1). For many browsing users two per core, "
        "with COALITION_SERVE_THREADS=2 (docs/api.md).")] = None,
) -> None:
    """Serve the HTTP API (docs at /docs). Beyond loopback only with API keys."""
    import uvicorn

    from api.app import check_bind, create_app

    svc = service()
    check_bind(host, svc)
    n = workers or svc.settings.serve_workers
    out.print(f"Serving the API at http://{host}:{port} over the {svc.settings.store} store "
              f"(API docs: /docs){f', {n} workers' if n > 1 else ''}", highlight=False)
    if svc.keys().auth().on is False:
        err.print("Auth is switched off (`coalition keys auth off`): anyone on this machine "
                  "can read and change the graph. `coalition keys auth on` switches it back.",
                  markup=False, highlight=False)
    if n == 1:
        uvicorn.run(create_app(svc.settings, bind_host=host), host=host, port=port,
                    log_level="warning")
        return
    # Each worker builds its app from the environment (api.app.app_from_env); the store and
    # data directory may have come from options, so they go there too.
    os.environ.update(COALITION_STORE=svc.settings.store, COALITION_BIND_HOST=host,
                      COALITION_DATA_DIR=str(Path(svc.settings.data_dir).resolve()))
    # Held open here, the embedded server starts once, before the workers, which find it
    # running instead of racing to start it.
    with svc.store():
        uvicorn.run("api.app:app_from_env", factory=True, workers=n, host=host, port=port,
                    log_level="warning")


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="viewer, analyst, editor or admin")],
    name: Annotated[str, typer.Option(help="Who or what the key is for.")] = "",
) -> None:
    """Create a key; it is printed once and stored only as a hash."""
    keys = service().keys()
    was_on = keys.auth().on
    key, token = keys.create(role, name)
    service().audit().record("key created", key=key, by="cli", os_user=_os_user())
    if was_on is False:
        service().audit().record("auth switched on", key=None, by="cli", os_user=_os_user(),
                                 reason=f"key {key.id} created")
        err.print("Auth was switched off; creating a key switched it back on.")
    out.print(f"key {key.id} ({key.role}, {key.name}): {token}", markup=False,
              highlight=False)
    err.print("Store it now: it is not shown again.")


@keys_app.command("list")
def keys_list() -> None:
    """Keys by id, name, role, and whether revoked (never the keys themselves)."""
    t = Table("id", "name", "role", "created", "revoked")
    for k in service().keys().list():
        t.add_row(k.id, k.name, k.role, k.created, k.revoked or "")
    out.print(t)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id.")]) -> None:
    """Revoke a key at once."""
    keys = service().keys()
    k = keys.revoke(key_id)
    service().audit().record("key revoked", key=k, by="cli", os_user=_os_user())
    out.print(f"revoked {k.id} ({k.role}, {k.name})", markup=False, highlight=False)
    if not keys.active():
        err.print("No active key is left: `coalition serve` answers 401 until you create "
                  "one (auth stays on; `coalition keys auth off` is the explicit way out).")


@keys_app.command("auth")
def keys_auth(state: Annotated[str | None, typer.Argument(
        help="'on' or 'off'; without it, show whether auth is on.")] = None) -> None:
    """Show, or switch on or off, whether a server on loopback asks for keys.

    Auth turns on with the first key and stays on when keys are revoked; only this command
    switches it off, and the audit log records who did."""
    keys = service().keys()
    if state is None:
        sw = keys.auth()
        shown = {True: "on", False: "off", None: "off (no key created yet)"}[sw.on]
        since = f", since {sw.changed} ({sw.by})" if sw.changed else ""
        out.print(f"auth is {shown}{since}; {sum(k.revoked is None for k in keys.list())} "
                  "active key(s)", markup=False, highlight=False)
        return
    if state not in ("on", "off"):
        raise ConfigError(f"`coalition keys auth` takes on or off, not {state!r}")
    on = state == "on"
    if not keys.switch(on, by=f"cli ({_os_user()})"):
        out.print(f"auth was already {state}; nothing changed.")
        return
    service().audit().record(f"auth switched {state}", key=None, by="cli", os_user=_os_user())
    if on:
        out.print("Auth is on: every request needs a key." + (
            "" if keys.active() else " No key is active: create one with `coalition keys "
            "create --role admin`."), markup=False, highlight=False)
    else:
        out.print("Auth is off for a server on 127.0.0.1: anyone on this machine can read and "
                  "change the graph without a key. A server on any other address refuses to "
                  "start until `coalition keys auth on`.", markup=False, highlight=False)


def _os_user() -> str:
    """Who ran the command, for the audit log: the API key of a CLI user is the shell."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


@store_app.command("start")
def store_start() -> None:
    """Start the embedded server and keep it running until 'coalition store stop'."""
    s = service().store_start()
    verb = "Started" if s["started"] else "Already running:"
    out.print(f"{verb} FalkorDB {s.get('falkordb_version')} (pid {s['pid']}) on {s['socket']}")


@store_app.command("stop")
def store_stop() -> None:
    """Stop the embedded server cleanly."""
    stopped = service().store_stop()["stopped"]
    out.print("Stopped the embedded server." if stopped else "The embedded server was not "
              "running.")


@store_app.command("status")
def store_status(fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table"
                 ) -> None:
    """Is the embedded server running, where, and with what."""
    s = service().store_status()
    if fmt == "json":
        _print_json(s)
        return
    for k, v in s.items():
        out.print(f"{k:>16}: {v}")


@app.command()
def demo(
    reset: Annotated[bool, typer.Option(help="Empty the store before loading the seed.")
                     ] = False,
    out_dir: Annotated[Path, typer.Option(help="Where the briefing is written.")] = Path("out"),
    serve_pages: Annotated[bool, typer.Option("--serve/--no-serve", help=(
        "End by serving the API and pages at http://127.0.0.1:8000 until Ctrl-C."))] = True,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
) -> None:
    """Start the embedded store, load the seed dataset, write the briefing and network
    pages, show what to try next, and serve them (unless --no-serve)."""
    bar, update = _progress()
    with bar:
        result = service().demo(reset=reset, out_dir=out_dir, progress=update)
    rep, st = result["load"], result["stats"]
    out.print(f"[bold]Seed dataset[/] ({rep['source']}): {rep['rows_read']} rows read, "
              f"{rep['written']} nodes and relationships written "
              f"({'first load' if rep['written'] else 'already loaded: nothing changed'}).")
    out.print(f"Store: {st['store']}: {st['nodes']} nodes, {st['relationships']} relationships.")
    t = Table("label", "count", title="What is in the graph", title_justify="left")
    for k, v in st["labels"].items():
        t.add_row(k, str(v))
    out.print(t)
    for f in result.get("files", []):
        out.print(f"Wrote {f}", highlight=False)
    out.print("[bold]Try next[/]")
    out.print(TRY_NEXT.replace("coalition ", f"{_command_name()} "), markup=False,
              highlight=False)
    if serve_pages:
        out.print("Open / for the dashboard, explorer, Cypher console and import tabs; the "
                  "network page is /api/pages/network?state=MS. Ctrl-C stops; --no-serve skips "
                  "this.",
                  highlight=False)
        serve(host="127.0.0.1", port=port)


def _command_name() -> str:
    """'coalition' if that is on PATH, else the path it was run by (e.g. .venv/bin/coalition)."""
    script = Path(sys.argv[0])
    on_path = shutil.which("coalition")
    if on_path and Path(on_path).resolve() == script.resolve():
        return "coalition"
    if script.name == "coalition":
        try:
            return str(script.resolve().relative_to(Path.cwd()))
        except ValueError:
            return str(script)
    return "coalition"


TRY_NEXT = """\
  coalition analyze --state MS --as-of 2026-11-24
  coalition render --state MS --out ms.html
  coalition render --map --state MS --out ms-map.html
  coalition render --build event:ms:2020-01-16:gulfport-coalition-build --out gulfport.html
  coalition render --path org:ms:mississippi-trucking-association org:quality-carriers --out path.html
  coalition stats
  coalition query 'MATCH (o:Organization)-[:ATTENDED|HOSTED]->(e:Event {state: $state})
                   RETURN e.name AS event, o.name AS organization ORDER BY event' -p state=MS
  coalition query 'MATCH (p:Person)-[r:REFERRED]->(o) RETURN p.name, o.name, r.to_id, r.event_id'
  coalition export --format graphml --out coalition.graphml
  coalition load data/seed --dry-run"""


def _problem(label: str, style: str, message: object) -> None:
    # Messages quote what people typed ("kind [/bold]"): print them as text, never as rich
    # markup, which would fail on them or restyle them.
    err.print(Text.assemble((label, style), " ", str(message)), highlight=False)


def main() -> None:
    try:
        app()
    except CoalitionError as e:  # LoadError included: its message lists every problem
        _problem("error:", "red", e)
        raise SystemExit(1) from None


@app.command("extract")
def extract_cmd(
    report: Annotated[Path, typer.Argument(help="An impact report: .txt, .md, .pdf or .docx.")],
    out_dir: Annotated[Path, typer.Option("--out", help="The folder to draft the workbook in "
                                          "(new, empty, or an earlier draft).")],
    citation: Annotated[str | None, typer.Option(
        help="What each row's citation column says; default: the report's file name.")] = None,
    graph: Annotated[bool, typer.Option("--graph/--no-graph", help=(
        "Recognise the graph's own organizations and aliases, and refer to what it holds by "
        "id (reads the store; writes nothing)."))] = True,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Draft a workbook folder from an impact report, for a person to review and then load."""
    result = service().extract(report, out_dir, citation=citation, use_graph=graph)
    if fmt == "json":
        _print_json(result)
        return
    t = Table("sheet", "rows", title=f"Drafted from {report.name}", title_justify="left")
    for sheet, n in result["rows"].items():
        t.add_row(sheet, str(n))
    out.print(t)
    for w in result["warnings"]:
        _problem("warning:", "yellow", w)
    if result["matched"]:
        out.print(f"{len(result['matched'])} already in the graph, referred to by id.",
                  highlight=False)
    for item in result["review"][:20]:
        _problem("check:", "cyan", item)
    if len(result["review"]) > 20:
        out.print(f"... and {len(result['review']) - 20} more in REVIEW.md", highlight=False)
    out.print(f"Wrote {out_dir} (see {out_dir / 'REVIEW.md'}). Each row's note gives its "
              f"confidence and the sentence it came from. Next: coalition load {out_dir} "
              "--dry-run", highlight=False, markup=False)


# -- attendee and survey exports (issue 12, items 3 and 4; docs/intake.md)
import_app = typer.Typer(help="Import what event tools export: attendee lists and surveys.",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")


def _column_map(pairs: list[str] | None) -> dict[str, str]:
    mapping = {}
    for pair in pairs or []:
        column, sep, fieldname = pair.partition("=")
        if not sep or not column.strip() or not fieldname.strip():
            raise typer.BadParameter(f"{pair!r}: write --map 'COLUMN=FIELD', e.g. --map "
                                     "'Agency Represented=organization'", param_hint="--map")
        mapping[column.strip()] = fieldname.strip()
    return mapping


@import_app.command("attendees")
def import_attendees_cmd(
    file: Annotated[Path, typer.Argument(help="A registration, sign-in or check-in export "
                                         "(.csv or .xlsx).")],
    event: Annotated[str, typer.Option("--event", help="The id of the event (in the graph).")],
    dry_run: Annotated[bool, typer.Option(help="Show the plan; write nothing (the review file "
                                          "is still written).")] = False,
    column_map: Annotated[list[str] | None, typer.Option(
        "--map", help="COLUMN=FIELD for a column the synonyms miss (name, first_name, "
        "last_name, organization, title, email, phone, attended); repeatable.")] = None,
    review: Annotated[Path | None, typer.Option(
        help="The review file to apply and update (default: FILE's name with .review.yaml).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Import an attendee export as people of their organizations at an event."""
    bar, update = _progress()
    with bar:
        plan = service().import_attendees(file, event_id=event, dry_run=dry_run,
                                          mapping=_column_map(column_map), review=review,
                                          progress=update)
    plan.pop("review_yaml", None)
    if fmt == "json":
        _print_json(plan)
        return
    orgs = plan["organizations"]
    t = Table("organization", "id", "how", title="Organizations", title_justify="left")
    for m in orgs["matched"]:
        t.add_row(m["name"], m["id"], f"matched by {m['by']}")
    for c in orgs["created"]:
        how = f"{'again' if c['again'] else 'new'}: {c['kind'] or 'kind unknown'} by " \
              f"{c['rule']} ({c['confidence']:.2f})" + \
              (f", level {c['level']}" if c["level"] else "")
        t.add_row(c["name"], c["id"], how)
    out.print(t)
    t = Table("person", "organization", "attendance", "contact", title="People",
              title_justify="left")
    for p in plan["people"]:
        t.add_row(p["name"], p["organization"] or "", p["attendance"] +
                  (" (in the graph)" if p["in_graph"] else ""), ", ".join(p["contact"]))
    out.print(t)
    out.print(f"{plan['attendance']['attended']} attended, {plan['attendance']['registered']} "
              "registered only.", highlight=False)
    for item in plan["review"]:
        _problem("check:", "cyan", item)
    _report_table(plan["load"])
    if plan["review_file"]:
        out.print(f"Review file: {plan['review_file']} (correct kinds or set `match`, then "
                  "import again).", highlight=False, markup=False)
    if not dry_run:
        out.print(f"{plan['load']['written']} node(s) and relationship(s) written from {file}.")


@import_app.command("survey")
def import_survey_cmd(
    file: Annotated[Path, typer.Argument(help="A survey export, one row per respondent "
                                         "(.csv or .xlsx).")],
    event: Annotated[str, typer.Option("--event", help="The id of the event surveyed.")],
    dry_run: Annotated[bool, typer.Option(help="Show the metrics; write nothing.")] = False,
    keep_comments: Annotated[bool, typer.Option(
        help="Keep free-text answers, as one text on the event, tied to no respondent.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Import a survey export as metrics of the event (share agreeing and n per question)."""
    bar, update = _progress()
    with bar:
        plan = service().import_survey(file, event_id=event, dry_run=dry_run,
                                       keep_comments=keep_comments, progress=update)
    if fmt == "json":
        _print_json(plan)
        return
    t = Table("question", "metric", "agreeing", "n", title=f"{plan['respondents']} respondents",
              title_justify="left")
    for q in plan["questions"]:
        t.add_row(q["column"], q["metric"], f"{q['share']:g}%", str(q["n"]))
    out.print(t)
    if plan["by_sector"]:
        out.print("By sector: " + ", ".join(f"{s} {n}" for s, n in plan["by_sector"].items()),
                  highlight=False, markup=False)
    out.print(f"Not read: {', '.join(plan['ignored_columns']) or 'none'}; comments kept: "
              f"{plan['comments']}.", highlight=False, markup=False)
    for w in plan["warnings"]:
        _problem("warning:", "yellow", w)
    _report_table(plan["load"])
    if not dry_run:
        out.print(f"{plan['load']['written']} node(s) and relationship(s) written from {file}.")


# -- logging a follow-up (issue 13 item 2; docs/editing.md, Logging a follow-up)
followup_app = typer.Typer(help="Follow-ups after coalition builds: log a contact.",
                           no_args_is_help=True)
app.add_typer(followup_app, name="followup")


@followup_app.command("log")
def followup_log_cmd(
    event_id: Annotated[str, typer.Argument(help="The id of the coalition build it follows "
                                            "up.")],
    date: Annotated[str, typer.Option("--date", help="When: 2026-02-12 (or 2026-02).")],
    kind: Annotated[str, typer.Option("--kind", help="call, email, meeting or visit.")],
    entity: Annotated[str | None, typer.Option("--entity", help="The id of the organization "
                                               "or person contacted.")] = None,
    outcome: Annotated[str | None, typer.Option(help="What came of it; no personal "
                                                "details.")] = None,
    note: Annotated[str | None, typer.Option(help="A note.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Log a contact made after a coalition build; the follow-up schedule counts it. One
    change, undoable (coalition undo CHANGE)."""
    from api import followup_edits

    fields = {k: v for k, v in {"event_id": event_id, "date": date, "kind": kind,
                                "entity_id": entity, "outcome": outcome,
                                "note": note}.items() if v is not None}
    r = followup_edits.log(service(), fields, key=None, cli=True)
    if fmt == "json":
        _print_json(r)
        return
    for w in r["warnings"]:
        _problem("warning:", "yellow", w)
    out.print(f"Logged {r['id']} (change {r['change']}; coalition undo {r['change']} takes "
              "it back).", highlight=False, markup=False)
