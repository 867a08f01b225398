"""The web pages: one offline page (no CDN) with a dashboard per state, the explorer, the
Cypher console and the import page. It holds no data itself; it calls the API with the key
the user gives (kept in sessionStorage), so it needs no auth to load."""

from __future__ import annotations

import json

from jinja2 import Environment
from markupsafe import Markup

from visualizations import palette
from visualizations.network import VIEW_JS, bundled

PAGE = r"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>coalition-graph</title>
<style>{{ vis_css }}</style>
<style>
body{margin:0;font:14px/1.45 system-ui,sans-serif;color:#222}header{background:#0072B2;color:#fff;
padding:.5rem 1rem;display:flex;gap:1rem;align-items:center}header h1{font-size:1rem;margin:0}
nav button{background:none;border:0;color:#fff;font:inherit;padding:.3rem .6rem;cursor:pointer}
nav button[aria-selected=true]{border-bottom:3px solid #E69F00}main{padding:1rem}
section[hidden]{display:none}input,select,textarea,button.act{font:inherit;padding:.3rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .4rem;
text-align:left;vertical-align:top}#graph,#qgraph{height:26rem;border:1px solid #ccc}#result td{overflow-wrap:anywhere}.err{color:#D55E00}
#hits li{cursor:pointer;padding:.15rem 0}#hits li:hover{text-decoration:underline}
.cols{display:flex;gap:1rem}#graphwrap{position:relative}#egoempty{position:absolute;top:40%;left:0;right:0;text-align:center;color:#555}
ul.legend{list-style:none;padding:0;margin:.3rem 0;columns:2}ul.legend li{display:flex;align-items:center;gap:.4rem;break-inside:avoid}ul.legend li.lh{font-size:.8rem;color:#555;font-weight:600;margin-top:.3rem}
.chip{display:inline-block;border-left:.6rem solid;padding:0 .3rem;margin-left:.3rem;font-size:.85em;color:#444;background:#f4f4f4}
fieldset{border:1px solid #ddd;margin:.3rem 0;padding:.2rem .5rem}fieldset label{display:inline-block;margin-right:.6rem;white-space:nowrap}
fieldset legend{font-weight:600;font-size:.85rem}.hint{color:#666;font-size:.8rem;margin:.2rem 0}#egofilters{max-height:14rem;overflow:auto}.charts{display:flex;flex-wrap:wrap;gap:1rem}.charts img{max-width:560px;width:100%}.cols>div{flex:1;min-width:0}code{color:#555}
.sw{display:inline-block;width:1rem;height:1rem;border:1px solid #999}#mapwrap svg{width:100%;max-width:900px;max-height:32rem}#mapwrap path[data-fips]:hover{stroke:#000}
</style></head><body>
<header><h1>coalition-graph</h1>
<nav role="tablist">
<button role="tab" data-tab="dashboard" aria-selected="true">Dashboard</button>
<button role="tab" data-tab="explorer">Explorer</button>
<button role="tab" data-tab="console">Cypher console</button>
<button role="tab" data-tab="import">Import</button>
<button role="tab" data-tab="changes">History</button></nav>
<label style="margin-left:auto">API key <input id="key" type="password" size="18"
 placeholder="only if keys are on"></label></header>
<main>
<p id="error" class="err" role="alert"></p>
<section id="dashboard">
 <label>Scope <select id="state"></select></label> <span id="coverage"></span>
 <div class="cols"><div><h2 id="hmissing">Missing roles</h2><ul id="missing"></ul>
 <h2 id="hgaps">Sites without a law-enforcement contact</h2><ul id="gaps"></ul></div>
 <div><h2 id="hfollowups">Follow-ups due or overdue</h2><ul id="followups"></ul>
 <form id="fuform" hidden aria-labelledby="fulegend"><fieldset><legend id="fulegend"></legend>
 <label>Date <input id="fu-date" type="date" required></label>
 <label>Kind <select id="fu-kind"><option>call</option><option>email</option><option>meeting</option><option>visit</option></select></label>
 <label>Contacted (id, optional) <input id="fu-entity" size="28"></label><br>
 <label>Outcome <input id="fu-outcome" size="40"></label> <label>Note <input id="fu-note" size="30"></label>
 <p class="hint" id="fuhint"></p>
 <button class="act" type="submit" id="fu-save">Log it</button> <button class="act" type="button" id="fu-cancel">Cancel</button></fieldset></form>
 <p id="fumsg" role="status"></p>
 <p><a id="report" href="#" target="_blank">Full briefing (HTML)</a> ·
 <a id="netpage" href="#" target="_blank">Network page</a></p></div></div>
 <div id="charts" class="charts"></div>
 <h2>Sites and law enforcement by county</h2>
 <p><label><input type="checkbox" id="mapnation"> the whole country</label> ·
 <a id="mappage" href="#" target="_blank">Map page</a></p>
 <div id="maplegend"></div><div id="maphover" class="hint" aria-live="polite"></div>
 <div id="mapwrap"></div><div id="maptable"></div>
</section>
<section id="explorer" hidden>
 <div class="cols"><div>
 <label>Search <input id="q" autocomplete="off" placeholder="name, e.g. biloxi"></label>
 <ul id="hits"></ul>
 <h2 id="who"></h2>
 <p id="editbar" hidden><button class="act" id="edit">Edit</button>
 <button class="act" id="del">Delete</button> <button class="act" id="merge" aria-haspopup="dialog">Merge into…</button>
 <button class="act" id="hist">History</button>
 <button class="act" id="logfu">Log follow-up</button></p>
 <form id="sfuform" hidden aria-label="log a follow-up"><fieldset><legend>Log a follow-up with this stakeholder</legend>
 <label>Build <select id="sfu-event"></select></label>
 <label>Date <input id="sfu-date" type="date" required></label>
 <label>Kind <select id="sfu-kind"><option>call</option><option>email</option><option>meeting</option><option>visit</option></select></label><br>
 <label>Outcome <input id="sfu-outcome" size="40"></label> <label>Note <input id="sfu-note" size="30"></label><br>
 <button class="act" type="submit" id="sfu-save">Log it</button> <button class="act" type="button" id="sfu-cancel">Cancel</button></fieldset></form>
 <form id="editform" hidden><table id="editfields"></table>
 <button class="act" type="submit" id="save">Save</button> <button class="act" type="button" id="canceledit">Cancel</button></form>
 <div id="delask" hidden role="alertdialog" aria-label="confirm delete"><p id="delmsg"></p>
 <button class="act" id="delyes">Delete it</button> <button class="act" id="delno">Keep it</button></div>
 <div id="mergeask" hidden role="dialog" aria-labelledby="mergetitle">
 <p id="mergetitle">Merge this record into another of the same kind: its ties move there, its name
 becomes an alias, and it is removed (undo from its history).</p>
 <label>Merge into <input id="mergeq" autocomplete="off" placeholder="name of the record to keep"></label>
 <ul id="mergehits" aria-label="records to merge into"></ul>
 <p id="mergemsg" aria-live="polite"></p>
 <button class="act" id="mergeyes" disabled>Merge</button> <button class="act" id="mergeno">Cancel</button></div>
 <p id="editmsg" role="status"></p>
 <div id="histlist" hidden></div>
 <div id="profile"></div></div>
 <div><div id="graphwrap"><div id="graph" role="img" aria-label="ego network"></div>
 <p id="egoempty" hidden>Nothing in this network matches these filters.</p></div>
 <div id="hubs" hidden><p>Not expanded, being hubs tied to much of the graph (click one in
 the network, or here):</p><ul id="hublist"></ul></div>
 <h3>Legend</h3><ul class="legend" id="egolegend"></ul>
 <details open><summary>Filters</summary><div id="egofilters"></div></details>
 <p><label>Path from <input id="pa" size="22"></label> <label>to <input id="pb" size="22"></label>
 <button class="act" id="findpath">Find paths</button></p><ol id="paths"></ol></div></div>
</section>
<section id="changes" hidden>
 <p>Every change to the graph, newest first (the whole log needs the admin role). Undo puts back
 what a change touched; it is refused while a later change touched the same records.</p>
 <button class="act" id="loadchanges">Show the change log</button>
 <div id="changelist"></div>
</section>
<section id="console" hidden>
 <textarea id="cypher" rows="4" cols="90">MATCH (o:Organization {state: $state}) RETURN o.id AS id, o.name AS name ORDER BY name</textarea><br>
 <label>Parameters (JSON) <input id="params" size="40" value='{"state": "MS"}'></label>
 <button class="act" id="run">Run (read-only)</button>
 <button class="act" id="csv" disabled>Download CSV</button>
 <p id="qinfo"></p>
 <div id="qgraph" role="img" aria-label="the result as a network" hidden></div>
 <div id="result"></div>
 <h2>History</h2><ol id="history"></ol>
</section>
<section id="import" hidden>
 <h2>A workbook</h2>
 <p>Upload a workbook (.xlsx, .yaml, or a .zip of a workbook folder's CSV files). First the dry run shows what would change; then confirm.</p>
 <input id="file" type="file" accept=".xlsx,.yaml,.yml,.zip" aria-label="workbook file">
 <button class="act" id="dry">Dry run</button> <button class="act" id="confirm" disabled>Confirm load</button>
 <div id="diff"></div>
 <h2>An attendee export</h2>
 <p>A registration, sign-in or check-in export (.csv, .xlsx) of one event. The plan shows each
 organization matched to the graph or created with a kind guessed from its name: correct the kinds
 (or give the id of a graph organization it is) before importing.</p>
 <label>Event <input id="attevent" list="eventlist" size="50" aria-label="attendee export's event id"></label>
 <input id="attfile" type="file" accept=".csv,.xlsx,.xlsm" aria-label="attendee export file">
 <button class="act" id="attplan">Plan</button> <button class="act" id="attgo" disabled>Import</button>
 <div id="attresult"></div>
 <h2>A survey export</h2>
 <p>One row per respondent (.csv, .xlsx): per question the share agreeing and n become measures of
 the event; names and emails in it are never read.</p>
 <label>Event <input id="survevent" list="eventlist" size="50" aria-label="survey's event id"></label>
 <input id="survfile" type="file" accept=".csv,.xlsx,.xlsm" aria-label="survey export file">
 <label><input type="checkbox" id="survcomments"> keep free-text comments (on the event, never tied to a person)</label>
 <button class="act" id="survplan">Plan</button> <button class="act" id="survgo" disabled>Import</button>
 <div id="survresult"></div>
 <datalist id="eventlist"></datalist>
 <h2>An impact report</h2>
 <p>Upload a report (.txt, .md, .pdf, .docx): a draft workbook is made from it by rules, offline,
 and shown as tables. Correct the cells, remove rows that are wrong, then dry-run and load the tables.</p>
 <input id="reportfile" type="file" accept=".txt,.md,.pdf,.docx" aria-label="report file">
 <button class="act" id="draft">Draft</button>
 <div id="draftnotes"></div><div id="drafttables"></div>
 <p><button class="act" id="draftdry" disabled>Dry run the tables</button>
 <button class="act" id="draftload" disabled>Load the tables</button></p>
 <div id="draftdiff"></div>
 <h2>Near-duplicates to review</h2>
 <p>Organizations of one state whose names look like the same one (what loads warn about).
 Merge them, or say they are not the same: either way the pair is not asked about again.</p>
 <button class="act" id="loaddups">Show the pairs</button>
 <p id="dupmsg" role="status"></p>
 <ul id="duplist"></ul>
</section>
</main>
<script>{{ vis_js }}</script>
<script>{{ view_js }}</script>
<script id="palette" type="application/json">{{ palette }}</script>
<script>
"use strict";
const PALETTE = JSON.parse(document.getElementById("palette").textContent);
// sector of a node as the pages colour it (visualizations/palette.py broad_sector)
function sectorOf(kind, label) {
  if (label === "Organization") return PALETTE.kindSector[kind] || "industry";
  return PALETTE.labelSector[label] || "people";
}
function chip(kind, label) {
  const colour = PALETTE.sectors[sectorOf(kind, label)] || "#999";
  return `<span class="chip" style="border-color:${esc(colour)}">${esc(kind || String(label || "").toLowerCase())}</span>`;
}
// "A referred B to C": a tie read in its direction, from either end
function sentence(a, type, b, to) {
  const verb = PALETTE.verb[type] || type.toLowerCase().replace(/_/g, " ");
  return `${a} ${verb} ${b}` + (to ? ` to ${to}` : "");
}
const $ = (id) => document.getElementById(id);
let NATIONAL = "national";  // the national scope's value in the list (from /api/scopes)
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
$("key").value = sessionStorage.getItem("key") || "";
$("key").addEventListener("change", () => sessionStorage.setItem("key", $("key").value));
async function api(path, opts = {}) {
  $("error").textContent = "";
  const headers = Object.assign({}, opts.headers || {});
  if ($("key").value) headers["Authorization"] = "Bearer " + $("key").value;
  const r = await fetch(path, Object.assign({}, opts, {headers}));
  const body = r.headers.get("content-type", "").includes("json") ? await r.json() : await r.text();
  if (!r.ok) { $("error").textContent = (body.error && body.error.message) || r.statusText; throw new Error(r.status); }
  return body;
}
document.querySelectorAll("nav button").forEach(b => b.addEventListener("click", () => {
  document.querySelectorAll("nav button").forEach(x => x.setAttribute("aria-selected", x === b));
  document.querySelectorAll("main section").forEach(s => s.hidden = s.id !== b.dataset.tab);
}));
// dashboard
// every jurisdiction with data, grouped by country, after the national scope
async function loadStates() {
  const s = await api("/api/scopes");
  NATIONAL = s.national;
  $("state").innerHTML = `<option value="${esc(s.national)}">National (across states)</option>` +
    s.countries.map(c => `<optgroup label="${esc(c.name)}">` + c.jurisdictions.map(j =>
      `<option value="${esc(j.scope)}">${esc(j.name)} (${esc(j.scope)})</option>`).join("") +
      "</optgroup>").join("");
  if (s.countries.length) $("state").value = s.countries[0].jurisdictions[0].scope;
  dashboard(); drawMap();
}
const HEADINGS = {
  state: ["Missing roles", "Sites without a law-enforcement contact", "Follow-ups due or overdue"],
  national: ["Coverage by jurisdiction", "Brokers between state coalitions", "National organizations' reach into states"]};
function headings(which) {
  ["hmissing", "hgaps", "hfollowups"].forEach((id, i) => { $(id).textContent = HEADINGS[which][i]; });
}
async function nationalDashboard(r) {
  const n = r.national;
  headings("national");
  $("coverage").textContent = `${n.states.length} jurisdiction(s) with data`;
  $("missing").innerHTML = n.coverage_by_state.map(c => `<li>${esc(c.state)}: coverage ${Math.round(100 * (c.coverage || 0))}% (${c.roles_filled} of ${c.roles_counted} roles filled)</li>`).join("") || "<li>no jurisdiction recorded</li>";
  $("gaps").innerHTML = n.brokers.map(b => `<li>${esc(b.name)}: ties into ${b.jurisdictions.map(esc).join(", ")}</li>`).join("") || "<li>no broker between state coalitions</li>";
  $("followups").innerHTML = n.reach.organizations.map(o => `<li>${esc(o.name)} reaches ${o.jurisdictions.map(esc).join(", ")}</li>`).join("") || "<li>none</li>";
}
async function dashboard() {
  const st = $("state").value;
  const scope = "scope=" + encodeURIComponent(st);
  $("report").href = "/api/pages/report?" + scope;
  if (st === "national") {
    await nationalDashboard(await api("/api/analysis?" + scope));
    $("netpage").href = "/api/pages/network";
    $("charts").innerHTML = "";
    return;
  }
  headings("state");
  const r = await api("/api/analysis?state=" + encodeURIComponent(st));
  const cov = r.coverage[0];
  $("coverage").textContent = `coverage ${Math.round(100 * (cov.coverage || 0))}% (${cov.roles_filled} of ${cov.roles_counted} roles filled)`;
  $("missing").innerHTML = cov.roles.filter(x => x.status === "missing" || x.status === "partial")
    .map(x => `<li>${esc(x.name)}: ${esc(x.status)}${x.candidates.length ? " (invite " + x.candidates.map(c => esc(c.name)).join(", ") + ")" : ""}</li>`).join("");
  $("gaps").innerHTML = r.contact_gaps[0].sites.map(s => `<li>${esc(s.name)} (${esc(s.kind)})</li>`).join("") || "<li>none</li>";
  FOLLOWUPS = r.followups[0].schedule.filter(f => f.status === "overdue" || f.status === "due");
  $("followups").innerHTML = FOLLOWUPS.map((f, i) => `<li data-event="${esc(f.event.id)}" data-months="${esc(f.months)}">${esc(f.event.name)}: ${f.months}-month, ${esc(f.status)} (due ${esc(f.due)}) ` +
    `<button class="act logit" data-i="${i}" aria-label="log a follow-up for ${esc(f.event.name)}, ${f.months}-month">log it</button></li>`).join("") || "<li>none</li>";
  $("report").href = "/api/pages/report?state=" + encodeURIComponent(st);
  $("netpage").href = "/api/pages/network?state=" + encodeURIComponent(st);
  const charts = await api("/api/charts?state=" + encodeURIComponent(st));
  // SVG as <img>: a chart's markup cannot script the page (and CSP allows data: images only)
  $("charts").innerHTML = charts.map(c => `<figure><img alt="${esc(c.alt)}" src="data:image/svg+xml,${encodeURIComponent(c.svg)}"><figcaption>${esc(c.title)}</figcaption></figure>`).join("");
}
$("state").addEventListener("change", dashboard);
// -- logging a follow-up (docs/editing.md, Logging a follow-up): POST /api/followups
let FOLLOWUPS = [], FUPOINT = null;
function today() { const d = new Date(); return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10); }
// one at a time: a second press (a double click) while the first is on its way would log
// the same contact twice
let LOGGING = false;
async function logFollowup(body) {
  if (LOGGING) return {ok: false, body: {}};
  LOGGING = true;
  document.querySelectorAll("#fu-save, #sfu-save").forEach(b => { b.disabled = true; });
  try {
    const r = await fetchJSON("/api/followups", {method: "POST",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    if (!r.ok) {
      const e = r.body.error || {};
      $("error").textContent = (e.message || String(r.status)) + (e.issues ? " " + e.issues.map(i => `${i.column}: ${i.message}`).join("; ") : "");
    }
    return r;
  } finally {
    LOGGING = false;
    document.querySelectorAll("#fu-save, #sfu-save").forEach(b => { b.disabled = false; });
  }
}
$("followups").addEventListener("click", (e) => {
  const b = e.target.closest("button.logit");
  if (!b) return;
  FUPOINT = FOLLOWUPS[Number(b.dataset.i)];
  $("fulegend").textContent = `Log a follow-up: ${FUPOINT.event.name}, ${FUPOINT.months}-month`;
  $("fuhint").textContent = `It counts for this point when dated ${FUPOINT.window_start} to ${FUPOINT.window_end}.`;
  $("fu-date").value = today(); $("fu-entity").value = ""; $("fu-outcome").value = ""; $("fu-note").value = "";
  $("fuform").hidden = false; $("fumsg").textContent = "";
  $("fu-date").focus();
});
$("fu-cancel").addEventListener("click", () => { $("fuform").hidden = true; });
$("fuform").addEventListener("keydown", (e) => { if (e.key === "Escape") $("fuform").hidden = true; });
$("fuform").addEventListener("submit", async (e) => {
  e.preventDefault();
  const p = FUPOINT, body = {event_id: p.event.id, date: $("fu-date").value, kind: $("fu-kind").value};
  for (const [k, id] of [["entity_id", "fu-entity"], ["outcome", "fu-outcome"], ["note", "fu-note"]]) {
    if ($(id).value.trim()) body[k] = $(id).value.trim();
  }
  const r = await logFollowup(body);
  if (!r.ok) return;
  $("fuform").hidden = true;
  await dashboard();
  // the point as the schedule sees it now (done, or still open when dated outside its window)
  const a = await api("/api/analysis?state=" + encodeURIComponent($("state").value));
  const now = a.followups[0].schedule.find(f => f.event.id === p.event.id && f.months === p.months);
  $("fumsg").textContent = `Logged ${r.body.id}: the ${p.months}-month point of ${p.event.name} is ${now ? now.status : "gone"}.`;
});
// the map: an SVG built on the server from the vendored Census boundaries, every text escaped
async function drawMap() {
  // the national scope, like the box, maps the whole country
  const scope = $("state").value;
  const st = $("mapnation").checked || scope === NATIONAL ? "" : scope;
  const q = st ? "?state=" + encodeURIComponent(st) : "";
  const m = await api("/api/map" + q);
  $("mappage").href = "/api/pages/map" + q;
  $("maplegend").innerHTML = m.legend;
  $("mapwrap").innerHTML = m.svg;
  $("maptable").innerHTML = m.table;
  $("mapwrap").querySelectorAll("path[data-fips]").forEach(p => p.addEventListener("mouseenter",
    () => { $("maphover").textContent = p.querySelector("title").textContent; }));
  window.coalitionMap = {state: m.state, counties: m.counties, ready: true};
}
$("state").addEventListener("change", drawMap);
$("mapnation").addEventListener("change", drawMap);
// explorer
let timer = null, egoView = null;
$("q").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 200); });
async function search() {
  const q = $("q").value.trim();
  if (!q) { $("hits").innerHTML = ""; return; }
  const r = await api("/api/stakeholders?limit=10&q=" + encodeURIComponent(q));
  $("hits").innerHTML = r.items.map(h => `<li data-id="${esc(h.id)}">${esc(h.name)}${chip(h.kind, h.label)} <code>${esc(h.id)}</code></li>`).join("");
}
$("hits").addEventListener("click", (e) => { const li = e.target.closest("li"); if (li) show(li.dataset.id); });
async function show(id) {
  const p = await api("/api/stakeholders/" + encodeURIComponent(id));
  id = p.id;  // a record merged away answers with its survivor (a 301, followed)
  $("who").textContent = p.profile.name || id;
  $("pa").value = id;
  const rows = Object.entries(p.profile).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(Array.isArray(v) ? v.join("; ") : v)}</td></tr>`).join("");
  const me = esc(p.profile.name || id);
  // each tie in its own direction, with the other party's kind
  const ties = p.connections.map(c => {
    const other = esc(c.name || c.id), to = c.to_id ? esc(c.to_name || c.to_id) : null;
    const text = c.direction === "out" ? sentence(me, c.type, other, to) : sentence(other, c.type, me, to);
    return `<li data-type="${esc(c.type)}" data-direction="${esc(c.direction)}">${text}${chip(c.kind, c.label)}${c.date ? " (" + esc(c.date) + ")" : ""}</li>`;
  }).join("");
  const evs = p.events.map(e => `<li>${esc(e.role)}: ${esc(e.name)} (${esc(e.date)})</li>`).join("");
  const facts = p.metrics.map(m => `<li>${esc(m.name)}: <b>${esc(m.value)}</b> ${esc(m.unit || "")}</li>`).join("");
  const fus = (p.followups || []).map(f => `<li>${esc(f.date)}: ${esc(f.contact || "follow-up")} after ${esc(f.event.name || f.event.id || "")}${f.outcome ? "; outcome: " + esc(f.outcome) : ""}</li>`).join("");
  $("profile").innerHTML = `<table>${rows}</table>` + (facts ? `<h3>Facts</h3><ul id="facts">${facts}</ul>` : "") +
    `<h3>Connections</h3><ul id="connections">${ties || "<li>none</li>"}</ul><h3>Events</h3><ul>${evs || "<li>none</li>"}</ul>` +
    (fus ? `<h3>Follow-ups</h3><ul id="sfollowups">${fus}</ul>` : "") + `<p>Source: ${esc(p.provenance.citation || p.provenance.source)}</p>`;
  CURRENT = p;
  $("editbar").hidden = false; $("editform").hidden = true; $("delask").hidden = true;
  $("mergeask").hidden = true;
  $("histlist").hidden = true; $("sfuform").hidden = true;
  $("logfu").hidden = !["Organization", "Person"].includes(p.label);
  egoFocus = id; egoExpand = [];
  await drawEgo();
}
// -- editing (docs/editing.md): a form of the sheet's columns, checked by the loader on save
let CURRENT = null;
const COLUMNS = {
  Organization: ["name", "kind", "level", "state", "county", "city", "aliases", "website", "note", "citation"],
  Person: ["name", "organization_id", "title", "role", "email", "phone", "start", "end", "note", "citation"]};
function cellValue(v) { return v == null ? "" : Array.isArray(v) ? v.join("; ") : String(v); }
$("edit").addEventListener("click", () => {
  const cols = COLUMNS[CURRENT.label];
  if (!cols) { $("editmsg").textContent = "only organizations and people are edited here"; return; }
  const have = Object.assign({}, CURRENT.profile, {citation: CURRENT.provenance.citation});
  $("editfields").innerHTML = cols.map(c => `<tr><th><label for="f-${c}">${esc(c)}</label></th>` +
    `<td><input id="f-${c}" data-col="${c}" size="40" value="${esc(cellValue(have[c]))}" data-was="${esc(cellValue(have[c]))}"></td></tr>`).join("");
  $("editform").hidden = false; $("editmsg").textContent = "";
  $("f-name").focus();
});
$("canceledit").addEventListener("click", () => { $("editform").hidden = true; });
// the stakeholder's builds: a follow-up is logged against the build it follows up
$("logfu").addEventListener("click", () => {
  // its own builds and those it took part in through its people (issue 10), each once
  const builds = [...new Map([...CURRENT.events, ...(CURRENT.events_via_people || [])]
    .filter(e => e.kind === "coalition build").map(e => [e.id, e])).values()];
  if (!builds.length) { $("editmsg").textContent = "It took part in no coalition build: log the follow-up from the dashboard's list."; return; }
  $("sfu-event").innerHTML = builds.map(b => `<option value="${esc(b.id)}">${esc(b.name)} (${esc(b.date)})</option>`).join("");
  $("sfu-date").value = today(); $("sfu-outcome").value = ""; $("sfu-note").value = "";
  $("sfuform").hidden = false; $("editmsg").textContent = "";
  $("sfu-event").focus();
});
$("sfu-cancel").addEventListener("click", () => { $("sfuform").hidden = true; });
$("sfuform").addEventListener("keydown", (e) => { if (e.key === "Escape") $("sfuform").hidden = true; });
$("sfuform").addEventListener("submit", async (e) => {
  e.preventDefault();
  const id = CURRENT.id, body = {event_id: $("sfu-event").value, entity_id: id,
    date: $("sfu-date").value, kind: $("sfu-kind").value};
  if ($("sfu-outcome").value.trim()) body.outcome = $("sfu-outcome").value.trim();
  if ($("sfu-note").value.trim()) body.note = $("sfu-note").value.trim();
  const r = await logFollowup(body);
  if (!r.ok) return;
  await show(id);
  $("editmsg").textContent = `Logged ${r.body.id}.`;
});
$("editform").addEventListener("submit", async (e) => {
  e.preventDefault();
  const fields = {};
  $("editfields").querySelectorAll("input").forEach(i => {
    if (i.value !== i.dataset.was) fields[i.dataset.col] = i.value.trim() ? i.value : null;
  });
  if (!Object.keys(fields).length) { $("editmsg").textContent = "nothing changed"; return; }
  const id = CURRENT.id;
  try {
    await api("/api/stakeholders/" + encodeURIComponent(id), {method: "PATCH",
      headers: {"Content-Type": "application/json", "If-Match": '"' + CURRENT.version + '"'},
      body: JSON.stringify({fields})});
  } catch (err) {
    if (String(err.message) === "409") $("editmsg").textContent = "Someone changed it since you opened it: reopen it to see their change, then edit again.";
    return;
  }
  await show(id);
  $("editmsg").textContent = "Saved: " + Object.keys(fields).join(", ") + ".";
});
$("del").addEventListener("click", () => {
  $("delmsg").textContent = `Delete ${CURRENT.profile.name || CURRENT.id} and its ${CURRENT.connections.length + CURRENT.events.length} ties? It can be undone from its history.`;
  $("delask").hidden = false; $("delyes").focus();
});
$("delno").addEventListener("click", () => { $("delask").hidden = true; });
$("delyes").addEventListener("click", async () => {
  const id = CURRENT.id;
  const r = await fetchJSON("/api/stakeholders/" + encodeURIComponent(id), {method: "DELETE",
    headers: {"If-Match": '"' + CURRENT.version + '"'}});
  const why = r.body.error || {};
  if (r.status === 409 && why.people) {
    $("delmsg").textContent = `${why.people.length} people work for it (${why.people.join(", ")}): delete them too?`;
    $("delyes").onclick = async () => {
      $("delyes").onclick = null;
      await api("/api/stakeholders/" + encodeURIComponent(id) + "?cascade=true", {method: "DELETE",
        headers: {"If-Match": '"' + CURRENT.version + '"'}});
      deleted(id);
    };
    return;
  }
  if (!r.ok) { $("error").textContent = why.message || String(r.status); return; }
  deleted(id);
});
function deleted(id) {
  $("delask").hidden = true; $("editbar").hidden = true; $("profile").innerHTML = "";
  $("who").textContent = ""; CURRENT = null;
  $("editmsg").textContent = `Deleted ${id}. Undo it from the History tab.`;
}
// merge into another record (graph/merging.py): pick the survivor by the name search, confirm
let MERGEINTO = null, mergeTimer = null;
$("merge").addEventListener("click", () => {
  MERGEINTO = null; $("mergeq").value = ""; $("mergehits").innerHTML = "";
  $("mergemsg").textContent = ""; $("mergeyes").disabled = true;
  $("mergeask").hidden = false; $("mergeq").focus();
});
$("mergeno").addEventListener("click", () => { $("mergeask").hidden = true; $("merge").focus(); });
$("mergeq").addEventListener("input", () => { clearTimeout(mergeTimer); mergeTimer = setTimeout(mergeSearch, 200); });
async function mergeSearch() {
  const q = $("mergeq").value.trim();
  if (!q) { $("mergehits").innerHTML = ""; return; }
  const r = await api("/api/stakeholders?limit=10&q=" + encodeURIComponent(q));
  // only the same kind, never itself: the route refuses anything else
  const hits = r.items.filter(h => h.label === CURRENT.label && h.id !== CURRENT.id);
  $("mergehits").innerHTML = hits.map(h => `<li><button class="act pick" data-id="${esc(h.id)}" data-name="${esc(h.name)}">` +
    `${esc(h.name)} <code>${esc(h.id)}</code></button></li>`).join("") || `<li>no ${esc(CURRENT.label.toLowerCase())} of that name</li>`;
  $("mergehits").querySelectorAll("button.pick").forEach(b => b.addEventListener("click", () => {
    MERGEINTO = b.dataset.id;
    const n = CURRENT.connections.length + CURRENT.events.length;
    $("mergemsg").textContent = `Merge ${CURRENT.profile.name || CURRENT.id} into ${b.dataset.name} (${MERGEINTO})? ` +
      `Its ${n} ties move there (a tie both have is kept once) and ${CURRENT.id} is removed.`;
    $("mergeyes").disabled = false; $("mergeyes").focus();
  }));
}
$("mergeyes").addEventListener("click", async () => {
  if (!MERGEINTO) return;
  const id = CURRENT.id;
  const r = await fetchJSON("/api/stakeholders/" + encodeURIComponent(id) + "/merge", {method: "POST",
    headers: {"Content-Type": "application/json", "If-Match": '"' + CURRENT.version + '"'},
    body: JSON.stringify({into: MERGEINTO})});
  if (!r.ok) { $("mergemsg").textContent = (r.body.error || {}).message || String(r.status); return; }
  await show(r.body.into);
  $("editmsg").textContent = mergedText(r.body) + " Undo it from the History.";
});
function mergedText(m) {
  const c = m.counts;
  return `Merged ${m.merged} into ${m.into}: ${c.moved} ties moved, ${c.folded} folded into ties it had, ${c.dropped} dropped.`;
}
// like api(), but hands back a refusal instead of throwing (the page decides what it means)
async function fetchJSON(path, opts = {}) {
  $("error").textContent = "";
  const headers = Object.assign({}, opts.headers || {});
  if ($("key").value) headers["Authorization"] = "Bearer " + $("key").value;
  const r = await fetch(path, Object.assign({}, opts, {headers}));
  return {ok: r.ok, status: r.status, body: await r.json().catch(() => ({}))};
}
// a change that a later one undid says so, and offers no second undo
function changeItems(cs) {
  const undone = new Set(cs.map(c => c.undoes).filter(Boolean));
  return cs.map(c => {
    const who = [c.role, c.key || c.os_user].filter(Boolean).join(" ");
    return `<li data-change="${esc(c.id)}"><b>${esc(c.action)}</b> ${esc(c.summary || "")} · ${esc(c.time)} · ${esc(who)}` +
      (undone.has(c.id) ? " (undone)" : ` <button class="act undo" data-change="${esc(c.id)}" aria-label="undo ${esc(c.action)} ${esc(c.time)}">Undo</button>`) + "</li>";
  }).join("");
}
async function undoFrom(list, reload) {
  list.querySelectorAll("button.undo").forEach(b => b.addEventListener("click", async () => {
    const r = await fetchJSON("/api/changes/" + encodeURIComponent(b.dataset.change) + "/undo", {method: "POST"});
    const why = r.body.error || {};
    if (!r.ok) { $("error").textContent = why.message || String(r.status); return; }
    await reload();
  }));
}
async function showHistory() {
  const cs = await api("/api/changes?entity=" + encodeURIComponent(CURRENT.id));
  $("histlist").innerHTML = `<h3>History</h3><ol>${changeItems(cs) || "<li>no change recorded</li>"}</ol>`;
  $("histlist").hidden = false;
  undoFrom($("histlist"), async () => { await show(CURRENT.id).catch(() => {}); await showHistory(); });
}
$("hist").addEventListener("click", showHistory);
async function showChanges() {
  const cs = await api("/api/changes?limit=200");
  $("changelist").innerHTML = `<ol>${changeItems(cs) || "<li>no change recorded</li>"}</ol>`;
  undoFrom($("changelist"), showChanges);
}
$("loadchanges").addEventListener("click", showChanges);
// Hubs (an organizer tied to every build) are shown but not expanded: the ego network would
// be the whole graph. A click on one, or its button, expands through it.
let egoFocus = null, egoExpand = [];
async function drawEgo() {
  const id = egoFocus;
  const more = egoExpand.map(h => "&expand=" + encodeURIComponent(h)).join("");
  const ego = await api("/api/stakeholders/" + encodeURIComponent(id) + "/ego?depth=2" + more);
  const held = ego.nodes.filter(n => n.draw && n.draw.hub_hidden);
  $("hubs").hidden = !held.length;
  $("hublist").innerHTML = held.map(n => `<li><button class="act" data-hub="${esc(n.id)}">Expand ${esc(n.name || n.id)} (+${esc(n.draw.hub_hidden)})</button></li>`).join("");
  // drawn as the network pages draw it: laid out in Python (physics off), coloured by
  // sector, shaped by kind, metrics folded into their node's tooltip
  const data = {nodes: ego.nodes.filter(n => n.draw).map(n => Object.assign({id: n.id}, n.draw)),
                edges: ego.draw_edges, options: ego.options};
  if (egoView) egoView.network.destroy();
  egoView = coalitionView.create($("graph"), data, ego.view);
  egoView.verbs = PALETTE.verb;
  $("egolegend").innerHTML = ego.legend.map(i => i.heading ? `<li class="lh">${esc(i.text)}</li>` : `<li>${i.svg}<span>${esc(i.text)}</span></li>`).join("");
  coalitionView.filters($("egofilters"), egoView, $("egoempty"));
  window.egoGraph = {nodes: egoView.nodes, edges: egoView.edges, view: egoView};  // not window.explorer: that is the <section id="explorer">
  egoView.network.on("click", (e) => {
    const n = e.nodes.length ? egoView.nodes.get(e.nodes[0]) : null;
    if (n && n.hub_hidden) expandHub(n.id);
  });
}
function expandHub(id) { if (!egoExpand.includes(id)) { egoExpand.push(id); drawEgo(); } }
$("hublist").addEventListener("click", (e) => { const b = e.target.closest("button"); if (b) expandHub(b.dataset.hub); });
$("findpath").addEventListener("click", async () => {
  const r = await api(`/api/paths?a=${encodeURIComponent($("pa").value)}&b=${encodeURIComponent($("pb").value)}`);
  $("paths").innerHTML = (r.paths.map(p => `<li>${p.map(n => esc(n.name)).join(" → ")}</li>`).join("") || "<li>no path</li>") +
    (r.note ? `<li class="note">${esc(r.note)}</li>` : "");
});
// console
let last = null;
function history() { return JSON.parse(localStorage.getItem("history") || "[]"); }
function drawHistory() { $("history").innerHTML = history().map(h => `<li><code>${esc(h)}</code></li>`).join(""); }
$("history").addEventListener("click", (e) => { const c = e.target.closest("code"); if (c) $("cypher").value = c.textContent; });
$("run").addEventListener("click", async () => {
  let params;
  try { params = JSON.parse($("params").value || "{}"); } catch (e) { $("error").textContent = "parameters must be JSON"; return; }
  const r = await api("/api/query", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({cypher: $("cypher").value, params})});
  last = r;
  $("qinfo").textContent = `${r.rows.length} row(s)${r.truncated ? " (truncated)" : ""}`;
  $("result").innerHTML = `<table><tr>${r.columns.map(c => `<th>${esc(c)}</th>`).join("")}</tr>` +
    r.rows.map(row => `<tr>${r.columns.map(c => `<td>${esc(cellText(row[c]))}</td>`).join("")}</tr>`).join("") + "</table>";
  $("csv").disabled = false;
  drawResult(r);
  const h = [$("cypher").value, ...history().filter(x => x !== $("cypher").value)].slice(0, 20);
  localStorage.setItem("history", JSON.stringify(h)); drawHistory();
});
// A node or relationship reads as its name and id in the table (the CSV keeps everything).
function cellText(v) {
  if (v === null || typeof v !== "object") return v ?? "";
  if ("element" in v && "labels" in v) return `${v.properties.name || ""} (${v.properties.id || v.labels.join(":")})`;
  if ("start" in v && "end" in v && "type" in v) return `-[:${v.type}]->`;
  if (Array.isArray(v)) return v.map(cellText).join("; ");
  if ("nodes" in v && "edges" in v) return v.nodes.map(cellText).join(" → ");
  return JSON.stringify(v);
}
// The result as a network: every node and relationship in it (also inside paths and lists),
// tied together by the database's element ids; an end not in the result is drawn as "…".
let qnet = null;
function collect(v, g) {
  if (Array.isArray(v)) { v.forEach(x => collect(x, g)); return; }
  if (!v || typeof v !== "object") return;
  if ("element" in v && "labels" in v) { g.nodes.set(v.element, v); return; }
  if ("start" in v && "end" in v && "type" in v) { g.edges.push(v); return; }
  Object.values(v).forEach(x => collect(x, g));
}
function drawResult(r) {
  const g = {nodes: new Map(), edges: []};
  r.rows.forEach(row => collect(Object.values(row), g));
  if (qnet) { qnet.destroy(); qnet = null; }
  window.consoleGraph = null;
  $("qgraph").hidden = !(g.nodes.size || g.edges.length);
  if ($("qgraph").hidden) return;
  const nodes = new vis.DataSet([...g.nodes.values()].map(n => {
    const base = n.labels.find(l => PALETTE.baseLabels.includes(l)), kind = n.properties.kind;
    const colour = PALETTE.sectors[sectorOf(kind, base)] || "#999";
    return {id: n.element, color: {background: colour, border: colour},
      shape: PALETTE.kindShape[kind] || PALETTE.labelShape[base] || "dot", size: 12,
      label: String(n.properties.name || n.properties.id || n.labels.join(":")).slice(0, 30),
      title: String(n.properties.id || n.labels.join(":"))};
  }));
  const edges = new vis.DataSet();
  for (const e of g.edges) {
    const id = [e.start, e.type, e.end, e.properties.key || ""].join("|");
    if (edges.get(id)) continue;
    for (const end of [e.start, e.end]) if (!nodes.get(end)) nodes.add({id: end, label: "…", title: "not in the result"});
    edges.add({id, from: e.start, to: e.end, label: e.type.toLowerCase(), arrows: "to", font: {size: 10}});
  }
  qnet = new vis.Network($("qgraph"), {nodes, edges}, {physics: {stabilization: {iterations: 150}}});
  window.consoleGraph = {nodes, edges};
}
// The rule of graph/export.py's defuse_formula, which documents it (and a test holds the two
// to the same cases): a cell that could start a spreadsheet formula gets a leading ', but
// a plain number such as -5 stays a number.
const FORMULA = /^(?:[\t\r]|[\t\n\v\f\r \u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20])/;
const NUMBER = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
function defuseFormula(text) { return FORMULA.test(text) && !NUMBER.test(text) ? "'" + text : text; }
function csvCell(v) {
  const text = String(typeof v === "object" && v !== null ? JSON.stringify(v) : v ?? "");
  return `"${defuseFormula(text).replace(/"/g, '""')}"`;
}
$("csv").addEventListener("click", () => {
  const text = [last.columns.map(csvCell).join(","), ...last.rows.map(r => last.columns.map(c => csvCell(r[c])).join(","))].join("\n");
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], {type: "text/csv"})); a.download = "query.csv"; a.click();
});
// import
async function upload(confirm) {
  const f = $("file").files[0];
  if (!f) { $("error").textContent = "choose a workbook first"; return; }
  const form = new FormData(); form.append("file", f);
  const r = await api("/api/import" + (confirm ? "?confirm=true" : ""), {method: "POST", body: form});
  $("diff").innerHTML = showDiff(r, confirm);
  $("confirm").disabled = confirm;
}
function showDiff(r, confirm) {
  const rows = Object.entries(r.nodes).concat(Object.entries(r.relationships))
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${v.created}</td><td>${v.updated}</td><td>${v.unchanged}</td></tr>`).join("");
  const warn = (r.warnings || []).length ? `<details><summary>${r.warnings.length} warning(s)</summary><ul>${r.warnings.map(w => `<li>${esc(w)}</li>`).join("")}</ul></details>` : "";
  return `<p>${confirm ? "Loaded: " + r.written + " written" : "Dry run: nothing written yet"}</p><table><tr><th></th><th>created</th><th>updated</th><th>unchanged</th></tr>${rows}</table>${warn}`;
}
// a drafted report: one editable table per sheet; what is loaded is what the tables hold
let DRAFT = null;
async function draft() {
  const f = $("reportfile").files[0];
  if (!f) { $("error").textContent = "choose a report first"; return; }
  const form = new FormData(); form.append("file", f);
  DRAFT = await api("/api/extract", {method: "POST", body: form});
  const notes = (DRAFT.warnings || []).map(w => `<li>${esc(w)}</li>`).join("");
  $("draftnotes").innerHTML = `<p>Drafted from ${esc(DRAFT.report)}: ` +
    Object.entries(DRAFT.sheets).map(([n, s]) => `${s.rows.length} ${esc(n)}`).join(", ") + ".</p>" +
    (notes ? `<ul>${notes}</ul>` : "") +
    (DRAFT.review ? `<details><summary>What to check</summary><pre>${esc(DRAFT.review)}</pre></details>` : "");
  $("drafttables").innerHTML = Object.entries(DRAFT.sheets).map(([n, s]) =>
    `<h3>${esc(n)}</h3><table data-sheet="${esc(n)}"><tr><th></th>${s.columns.map(c => `<th>${esc(c)}</th>`).join("")}</tr>` +
    s.rows.map((row, i) => `<tr data-row="${i}"><td><button class="drop" aria-label="remove ${esc(n)} row ${i + 2}">remove</button></td>` +
      s.columns.map(c => `<td><input data-col="${esc(c)}" aria-label="${esc(n)} row ${i + 2} ${esc(c)}" value="${esc(row[c] || "")}"></td>`).join("") + "</tr>").join("") +
    "</table>").join("");
  $("drafttables").querySelectorAll("button.drop").forEach(b => b.addEventListener("click", () => b.closest("tr").remove()));
  $("draftdry").disabled = false; $("draftload").disabled = true; $("draftdiff").innerHTML = "";
}
// The tables as a YAML workbook (JSON is YAML): one row a line, so the loader's line
// numbers point at a row; empty cells are left out, as in a spreadsheet.
function draftWorkbook() {
  const parts = [...$("drafttables").querySelectorAll("table[data-sheet]")].map(t => {
    const rows = [...t.querySelectorAll("tr[data-row]")].map(tr => {
      const o = {};
      tr.querySelectorAll("input[data-col]").forEach(i => { if (i.value.trim()) o[i.dataset.col] = i.value; });
      return JSON.stringify(o);
    });
    return JSON.stringify(t.dataset.sheet) + ": [\n" + rows.join(",\n") + "\n]";
  });
  return new File(["{\n" + parts.join(",\n") + "\n}\n"], "draft.yaml", {type: "application/yaml"});
}
async function loadDraft(confirm) {
  const form = new FormData(); form.append("file", draftWorkbook());
  const r = await api("/api/import" + (confirm ? "?confirm=true" : ""), {method: "POST", body: form});
  $("draftdiff").innerHTML = showDiff(r, confirm);
  $("draftload").disabled = confirm;
}
// attendee and survey exports: a plan first (dry run), then the import of what it showed
async function events() {
  if ($("eventlist").children.length) return;
  const es = await api("/api/events");
  $("eventlist").innerHTML = es.map(e => `<option value="${esc(e.id)}">${esc(e.name)}</option>`).join("");
}
["attevent", "survevent"].forEach(id => $(id).addEventListener("focus", () => events().catch(() => {})));
const KINDS = Object.keys(PALETTE.kindSector).sort();
function exportForm(fileId, eventId, dryRun) {
  const f = $(fileId).files[0];
  if (!f || !$(eventId).value.trim()) { $("error").textContent = "choose the export and its event first"; return null; }
  const form = new FormData();
  form.append("file", f); form.append("event_id", $(eventId).value.trim());
  form.append("dry_run", dryRun ? "true" : "false");
  return form;
}
// the corrections on the page, as the review file the import applies (JSON is YAML)
function attendeeReview() {
  const orgs = [...document.querySelectorAll("#attresult tr[data-name]")].map(tr => {
    const o = {name: tr.dataset.name, kind: tr.querySelector("select").value || null};
    const m = tr.querySelector("input.match").value.trim();
    if (m) o.match = m;
    return o;
  });
  return new File([JSON.stringify({organizations: orgs}, null, 1)], "review.yaml", {type: "application/yaml"});
}
async function attendees(go) {
  const form = exportForm("attfile", "attevent", !go);
  if (!form) return;
  if (document.querySelector("#attresult tr[data-name]")) form.append("review", attendeeReview());
  const r = await api("/api/import/attendees", {method: "POST", body: form});
  const created = r.organizations.created.map(o =>
    `<tr data-name="${esc(o.name)}"><td>${esc(o.name)}</td><td><select aria-label="kind of ${esc(o.name)}">` +
    ['<option value="">(not recorded)</option>'].concat(KINDS.map(k => `<option${k === o.kind ? " selected" : ""}>${esc(k)}</option>`)).join("") +
    `</select></td><td>${esc(o.rule || "")}${o.confidence != null ? " (" + o.confidence + ")" : ""}</td>` +
    `<td><input class="match" aria-label="graph id ${esc(o.name)} is" placeholder="${esc((o.similar || [])[0] || "")}"></td></tr>`).join("");
  const matched = r.organizations.matched.map(o => `<li>${esc(o.name)} (${esc(o.id)}, by ${esc(o.by)})</li>`).join("");
  $("attresult").innerHTML = `<p>${go ? "Imported" : "Plan: nothing written yet"}: ${r.people.length} people, ` +
    `${r.attendance.attended} attended, ${r.attendance.registered} registered only.</p>` +
    (matched ? `<details><summary>${r.organizations.matched.length} matched to the graph</summary><ul>${matched}</ul></details>` : "") +
    (created ? `<table><tr><th>new organization</th><th>kind</th><th>guessed by</th><th>or it is (graph id)</th></tr>${created}</table>` : "") +
    (r.load ? showDiff(r.load, go) : "") + (r.review || []).map(x => `<p class="hint">${esc(x)}</p>`).join("");
  $("attgo").disabled = go;
}
async function survey(go) {
  const form = exportForm("survfile", "survevent", !go);
  if (!form) return;
  form.append("keep_comments", $("survcomments").checked ? "true" : "false");
  const r = await api("/api/import/survey", {method: "POST", body: form});
  $("survresult").innerHTML = `<p>${go ? "Imported" : "Plan: nothing written yet"}: ${r.respondents} respondents.</p>` +
    `<table><tr><th>question</th><th>measure</th><th>agreeing</th><th>n</th></tr>` +
    r.questions.map(q => `<tr><td>${esc(q.column)}</td><td>${esc(q.metric)}</td><td>${esc(q.share)}</td><td>${q.n}</td></tr>`).join("") +
    "</table>" + (r.warnings || []).map(x => `<p class="hint">${esc(x)}</p>`).join("") + (r.load ? showDiff(r.load, go) : "");
  $("survgo").disabled = go;
}
$("attplan").addEventListener("click", () => attendees(false));
$("attgo").addEventListener("click", () => attendees(true));
$("survplan").addEventListener("click", () => survey(false));
$("survgo").addEventListener("click", () => survey(true));
// the review queue: merge (the survivor keeps the other's name as an alias) or not the same
async function showDuplicates() {
  const q = await api("/api/review/duplicates");
  const side = (o) => `${esc(o.name)} <code>${esc(o.id)}</code>${o.kind ? " (" + esc(o.kind) + ")" : ""}`;
  $("duplist").innerHTML = q.pairs.map(p => `<li data-pair="${esc(p.pair)}">${side(p.a)} and ${side(p.b)}, similarity ${p.similarity} ` +
    `<button class="act dup" data-do="merge" data-from="${esc(p.b.id)}" data-into="${esc(p.a.id)}">Merge into the first</button> ` +
    `<button class="act dup" data-do="merge" data-from="${esc(p.a.id)}" data-into="${esc(p.b.id)}">Merge into the second</button> ` +
    `<button class="act dup" data-do="distinct" data-from="${esc(p.a.id)}" data-into="${esc(p.b.id)}">Not the same</button></li>`).join("") ||
    `<li>Nothing to review${q.decided ? " (" + q.decided + " decided)" : ""}.</li>`;
  $("duplist").querySelectorAll("button.dup").forEach(b => b.addEventListener("click", async () => {
    if (b.dataset.do === "merge") {
      const m = await api("/api/stakeholders/" + encodeURIComponent(b.dataset.from) + "/merge", {method: "POST",
        headers: {"Content-Type": "application/json"}, body: JSON.stringify({into: b.dataset.into})});
      $("dupmsg").textContent = mergedText(m) + " Undo it from the History tab.";
    } else {
      await api("/api/review/duplicates", {method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({a: b.dataset.from, b: b.dataset.into, decision: "distinct"})});
    }
    await showDuplicates();
  }));
}
$("loaddups").addEventListener("click", showDuplicates);
$("draft").addEventListener("click", draft);
$("draftdry").addEventListener("click", () => loadDraft(false));
$("draftload").addEventListener("click", () => loadDraft(true));
$("dry").addEventListener("click", () => upload(false));
$("confirm").addEventListener("click", () => upload(true));
// api() has already shown the message; a refused request is not a page error
window.addEventListener("unhandledrejection", (e) => e.preventDefault());
drawHistory();
loadStates().catch(() => {});
</script></body></html>
"""


def explorer_page() -> str:
    return Environment(autoescape=True).from_string(PAGE).render(
        vis_css=bundled("vis-network.css"), vis_js=bundled("vis-network.min.js"),
        view_js=Markup(VIEW_JS),
        palette=Markup(json.dumps(palette.for_js()).replace("<", "\\u003c")))
