// The System Admin page: polls /admin/monitoring/data (figures, alerts, health) and
// /admin/monitoring/trends (charts), and searches the logs. Plain JS, no build step.
"use strict";
(function () {
  const BASE = "/admin/monitoring";
  const $ = (sel) => document.querySelector(sel);
  const charts = {};
  let refreshMs = 3000;
  // Log fields shown in their own columns or the same on every line of a file.
  const HIDDEN = ["timestamp", "level", "message", "service", "environment", "logger"];

  function fmt(v, digits) {
    if (v === null || v === undefined) return "no data";
    return Number(v).toFixed(digits);
  }
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function row(cells, cls) {
    const tr = el("tr", undefined, cls);
    cells.forEach((c) => tr.appendChild(c instanceof Node ? c : el("td", String(c))));
    return tr;
  }
  async function getJson(url) {
    const r = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.detail || ("HTTP " + r.status));
    return body;
  }

  function showFigure(key, figure, digits) {
    const node = $("#" + key);
    const value = figure ? figure.value : null;
    node.textContent = figure && figure.error ? "error" : fmt(value, digits);
    node.dataset.value = value === null || value === undefined ? "" : String(value);
    node.title = figure ? figure.dashboard + " / " + figure.title + " (" + figure.ref_id + "):\n" +
      figure.expr + (figure.error ? "\n" + figure.error : "") : "";
  }

  function showQueues(m) {
    const table = $("#queues");
    table.replaceChildren();
    const active = {};
    ((m.queue_active || {}).series || []).forEach((s) => { active[s.labels.queue] = s.value; });
    ((m.queue_waiting || {}).series || []).forEach((s) => {
      const q = s.labels.queue;
      table.appendChild(row([q, fmt(s.value, 0) + " waiting", fmt(active[q], 0) + " active"]));
    });
    ((m.eventbus_depth || {}).series || []).forEach((s) => {
      table.appendChild(row(["events:" + s.labels.consumer_group, fmt(s.value, 0) + " pending", ""]));
    });
    if (!table.children.length) table.appendChild(row(["no data"]));
    table.title = [m.queue_waiting, m.eventbus_depth].filter(Boolean).map((f) => f.expr).join("\n");
  }

  function showWorker(w) {
    const node = $("#worker");
    node.textContent = w.health;
    node.className = "value small " + (w.health === "healthy" ? "" : "error");
    node.dataset.value = w.health;
    $("#worker-detail").textContent = w.error ? w.error :
      fmt(w.jobs_per_s, 2) + " jobs/s completed, " + fmt(w.active_jobs, 0) + " in progress";
  }

  function showHealth(h) {
    const pill = $("#health");
    pill.textContent = h.status + " (" + h.http_status + ")";
    pill.className = "pill " + (h.status === "healthy" ? "ok" : h.status === "degraded" ? "warn" : "bad");
    pill.dataset.status = h.status;
    const table = $("#health-checks");
    table.replaceChildren();
    Object.entries(h.checks || {}).forEach(([name, s]) => {
      table.appendChild(row([name, el("td", s, s === "healthy" ? "" : "error")]));
    });
  }

  function since(iso) {
    const t = Date.parse(iso);
    if (isNaN(t)) return iso;
    const s = Math.max(0, Math.round((Date.now() - t) / 1000));
    return new Date(t).toISOString().replace("T", " ").slice(0, 19) + "Z (" + s + " s ago)";
  }

  function showAlerts(a) {
    const body = $("#alerts tbody");
    body.replaceChildren();
    a.items.forEach((it) => {
      const tr = row([it.name, el("td", it.severity, "sev-" + it.severity), since(it.since), it.summary]);
      tr.dataset.alert = it.name;
      body.appendChild(tr);
    });
    $("#alert-count").textContent = a.error ? "" : "(" + a.items.length + ")";
    $("#alerts-note").textContent = a.error || (a.items.length ? "" : "No active alerts.");
    $("#alerts-note").className = a.error ? "error" : "muted";
  }

  function showSnapshot(d) {
    const m = d.metrics || {};
    refreshMs = Math.max(1000, (d.refresh_s || 3) * 1000);
    const prom = $("#prometheus");
    prom.textContent = d.prometheus === "ok" ? "Prometheus: ok" : d.prometheus;
    prom.className = "pill " + (d.prometheus === "ok" ? "ok" : "bad");
    showFigure("request_rate", m.request_rate, 2);
    showFigure("error_rate", m.error_rate, 2);
    showFigure("p95_latency", m.p95_latency, 1);
    showFigure("db_query_rate", m.db_query_rate, 2);
    showFigure("events_published", m.events_published, 2);
    $("#eventbus-detail").textContent = "events/s published, " +
      fmt((m.events_consumed || {}).value, 2) + " consumed";
    showQueues(m);
    showWorker(d.worker);
    $("#active_users").textContent = String(d.active_users.value);
    $("#active-users-detail").textContent = "seen in the last " + d.active_users.window_s + " s";
    showHealth(d.health);
    showAlerts(d.alerts);
    $("#figures").dataset.at = String(d.at);
    $("#updated").textContent = "updated " + new Date(d.at * 1000).toLocaleTimeString();
  }

  function showCharts(t) {
    const box = $("#charts");
    if (!t.charts.length) { box.textContent = t.prometheus; return; }
    t.charts.forEach((c) => {
      const times = c.times.map((x) => Math.round(x));
      const lines = c.series.length ? c.series : [{ label: "no data", values: times.map(() => null) }];
      const data = [times].concat(lines.map((s) => s.values));
      const key = lines.map((s) => s.label).join("|");
      let chart = charts[c.key];
      if (chart && chart.key === key) { chart.plot.setData(data); return; }
      if (!chart) {  // one box per chart, in the server's order, kept across refreshes
        chart = charts[c.key] = { node: el("div", undefined, "chart") };
        chart.node.dataset.key = c.key;
        chart.node.title = c.expr;
        box.appendChild(chart.node);
      } else {
        chart.plot.destroy();  // other series than before: a new plot in the same box
      }
      const opts = {
        title: c.label + " (" + c.unit + ")", width: 420, height: 180,
        series: [{}].concat(lines.map((s, i) => ({
          label: s.label, stroke: ["#2a6fdb", "#d0342c", "#2e9d5b", "#b87800", "#7b3fb8"][i % 5],
        }))),
      };
      chart.key = key;
      chart.plot = new uPlot(opts, data, chart.node);
    });
  }

  async function poll() {
    try { showSnapshot(await getJson(BASE + "/data")); }
    catch (e) { $("#updated").textContent = "update failed: " + e.message; }
    setTimeout(poll, refreshMs);
  }
  async function pollTrends() {
    try { showCharts(await getJson(BASE + "/trends")); }
    catch (e) { $("#charts").textContent = "trends failed: " + e.message; }
    setTimeout(pollTrends, Math.max(refreshMs, 5000));
  }

  async function searchLogs(q) {
    const note = $("#log-note");
    const body = $("#logs tbody");
    delete note.dataset.matched;  // set again when this search's answer is shown
    try {
      const r = await getJson(BASE + "/logs?q=" + encodeURIComponent(q));
      body.replaceChildren();
      r.entries.forEach((hit) => {
        const e = hit.entry;
        const rest = Object.assign({}, e);
        HIDDEN.forEach((k) => delete rest[k]);
        const tr = row([e.timestamp || "", hit.source, e.level || "", e.message || "", JSON.stringify(rest)]);
        tr.className = e.level === "error" ? "error" : "";
        body.appendChild(tr);
      });
      note.className = r.error ? "error" : "muted";
      note.textContent = r.error || (r.matched + " matching line(s) of " + r.scanned + " scanned" +
        (r.matched > r.entries.length ? ", newest " + r.entries.length + " shown" : ""));
      note.dataset.matched = String(r.matched);
    } catch (e) {
      note.className = "error";
      note.textContent = e.message;
      note.dataset.matched = "error";
    }
  }

  $("#log-form").addEventListener("submit", (ev) => { ev.preventDefault(); searchLogs($("#log-query").value); });
  document.querySelectorAll("#log-form button[data-q]").forEach((b) => {
    b.addEventListener("click", () => { $("#log-query").value = b.dataset.q; searchLogs(b.dataset.q); });
  });
  poll();
  pollTrends();
})();
