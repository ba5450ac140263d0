"use strict";
// The live dashboard: figures arrive as Server-Sent Events from "events" (see docs/web.md).
(function () {
  const PROVIDERS = ["openlibrary", "googlebooks", "isbndb"];
  const COLORS = { openlibrary: "#2e5aac", googlebooks: "#1a7f37", isbndb: "#b54708" };
  const KINDS = ["http", "rate-limited", "quota", "unavailable", "timeout", "malformed"];
  const KIND_COLORS = ["#c4320a", "#dd2590", "#7a5af8", "#667085", "#b54708", "#0e9384"];
  const TIER_COLORS = ["#2e5aac", "#1a7f37", "#b54708", "#7a5af8"];
  const KEEP = 300;

  const $ = (id) => document.getElementById(id);
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  const fmt = (v, digits) => (v === null || v === undefined ? "–" : Number(v).toFixed(digits === undefined ? 0 : digits));

  // -- charts ---------------------------------------------------------------------------------
  function makeChart(box, series, yLabel, range) {
    const opts = {
      width: Math.max(box.clientWidth, 280),
      height: box.clientWidth < 500 ? 200 : 240,
      series: [{}].concat(series),
      axes: [
        { values: (u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString([], { hour12: false })) },
        { label: yLabel, size: 60 },
      ],
      scales: range ? { y: { range: range } } : {},
      legend: { live: false },
    };
    const data = [[]].concat(series.map(() => []));
    const chart = new uPlot(opts, data, box);
    const handle = { chart, data, box };
    charts.push(handle);
    return handle;
  }
  function push(handle, t, values) {
    const data = handle.data;
    data[0].push(t);
    values.forEach((v, i) => data[i + 1].push(v));
    if (data[0].length > KEEP) data.forEach((column) => column.shift());
    handle.chart.setData(data);
    handle.box.dataset.points = String(data[0].length);
  }
  const charts = [];
  window.addEventListener("resize", () => {
    for (const h of charts) h.chart.setSize({ width: Math.max(h.box.clientWidth, 280), height: h.box.clientWidth < 500 ? 200 : 240 });
  });

  let latency = null, requests = null, cache = null, cacheTiers = "";
  function latencyChart() {
    const series = [];
    for (const p of PROVIDERS) {
      series.push({ label: p + " p50", stroke: COLORS[p], width: 2, spanGaps: true });
      series.push({ label: p + " p95", stroke: COLORS[p], width: 1, dash: [6, 4], spanGaps: true });
    }
    return makeChart($("chart-latency"), series, "ms");
  }
  function requestsChart() {
    const series = [{ label: "successes/s", stroke: "#1a7f37", width: 2 }];
    KINDS.forEach((k, i) => series.push({ label: k + "/s", stroke: KIND_COLORS[i], width: 1.5 }));
    series.push({ label: "429s/s", stroke: "#000", width: 1, dash: [3, 3] });
    return makeChart($("chart-requests"), series, "req/s");
  }

  // -- live figures ---------------------------------------------------------------------------
  let previous = null;
  function onStats(figures) {
    const t = figures.time || Date.now() / 1000;
    if (!latency) latency = latencyChart();
    if (!requests) requests = requestsChart();
    const providers = figures.providers || {};
    const lat = [];
    for (const p of PROVIDERS) {
      const l = (providers[p] || {}).latency_ms || {};
      lat.push(l.p50 === undefined ? null : l.p50, l.p95 === undefined ? null : l.p95);
    }
    push(latency, t, lat);

    const totals = { successes: 0, rate_limited: 0 };
    KINDS.forEach((k) => (totals[k] = 0));
    for (const p of Object.values(providers)) {
      totals.successes += p.successes || 0;
      totals.rate_limited += p.rate_limited || 0;
      for (const [k, n] of Object.entries(p.failures_by_kind || {})) if (k in totals) totals[k] += n;
    }
    if (previous) {
      const dt = Math.max(t - previous.t, 0.001);
      const rate = (k) => Math.max(0, (totals[k] - previous.totals[k]) / dt);
      push(requests, t, [rate("successes")].concat(KINDS.map(rate), [rate("rate_limited")]));
    }
    previous = { t, totals };

    const tiers = figures.cache || {};
    const names = Object.keys(tiers);
    if (names.join(",") !== cacheTiers) {
      cacheTiers = names.join(",");
      $("chart-cache").textContent = "";
      const at = charts.indexOf(cache);
      if (at >= 0) charts.splice(at, 1);
      cache = makeChart($("chart-cache"), names.map((n, i) => ({ label: n, stroke: TIER_COLORS[i % 4], width: 2, spanGaps: true })), "hit rate", [0, 1]);
    }
    if (cache) push(cache, t, names.map((n) => (tiers[n].hit_rate === undefined ? null : tiers[n].hit_rate)));
    renderCacheTable(tiers);
    renderProviders(providers);
    renderWeb(figures.web || {});
    for (const job of figures.jobs || []) renderJob(job);
  }

  function renderProviders(providers) {
    const box = $("providers");
    for (const name of PROVIDERS) {
      const p = providers[name];
      let card = box.querySelector(`[data-provider="${name}"]`);
      if (!card) {
        card = el("article", { class: "card", "data-provider": name });
        box.appendChild(card);
      }
      card.textContent = "";
      const h = el("h3", {}, name);
      const state = p ? (p.enabled === false ? "disabled" : p.breaker) : "disabled";
      h.appendChild(el("span", { class: "badge breaker", "data-state": state }, state));
      card.appendChild(h);
      if (!p) continue;
      const dl = el("dl");
      const row = (k, v) => { dl.appendChild(el("dt", {}, k)); dl.appendChild(el("dd", {}, v)); };
      row("requests", fmt(p.requests));
      row("ok / failed", `${fmt(p.successes)} / ${fmt(p.failures)}`);
      row("429s", fmt(p.rate_limited));
      row("p50 / p95", `${fmt(p.latency_ms && p.latency_ms.p50)} / ${fmt(p.latency_ms && p.latency_ms.p95)} ms`);
      row("quota left", p.quota_left === null || p.quota_left === undefined ? "not counted" : fmt(p.quota_left));
      row("breaker trips", fmt(p.breaker_trips));
      card.appendChild(dl);
    }
  }
  function renderCacheTable(tiers) {
    const body = $("cache-table").querySelector("tbody");
    body.textContent = "";
    for (const [name, t] of Object.entries(tiers)) {
      const tr = el("tr");
      [name, fmt(t.hits), fmt(t.misses), t.hit_rate === null ? "–" : (100 * t.hit_rate).toFixed(1) + " %", fmt(t.entries)].forEach((v) => tr.appendChild(el("td", {}, v)));
      body.appendChild(tr);
    }
  }
  function renderWeb(web) {
    const dl = $("web-figures");
    dl.textContent = "";
    const row = (k, v) => { dl.appendChild(el("dt", {}, k)); dl.appendChild(el("dd", {}, v)); };
    row("answers", fmt(web.requests));
    row("by status", Object.entries(web.by_status || {}).map(([k, v]) => `${k}: ${v}`).join(" · ") || "–");
    row("refused", Object.entries(web.rejected || {}).map(([k, v]) => `${k}: ${v}`).join(" · ") || "–");
    row("in flight", fmt(web.in_flight));
    row("dashboards listening", fmt(web.listeners));
    row("uptime", fmt(web.uptime_s) + " s");
  }

  // -- warming jobs ---------------------------------------------------------------------------
  function renderJob(job) {
    const list = $("jobs");
    let box = list.querySelector(`[data-job="${job.id}"]`);
    if (job.state === "cancelled") { if (box) box.remove(); return; }
    const none = $("no-jobs");
    if (none) none.remove();
    if (!box) {
      box = el("div", { class: "job", "data-job": job.id });
      list.prepend(box);
    }
    const p = job.progress || {};
    box.dataset.state = job.state;
    box.textContent = "";
    const head = el("div", { class: "job-head" });
    head.appendChild(el("strong", {}, `${job.source || "job"} · ${job.id}`));
    head.appendChild(el("span", { class: "badge", "data-state": job.state }, job.state + (job.resumed ? " (resumed)" : "")));
    box.appendChild(head);
    const bar = el("progress", { max: String(p.total || 0), value: String(p.done || 0) });
    box.appendChild(bar);
    const eta = job.state === "done" ? "done" : (p.eta_s === null || p.eta_s === undefined ? "ETA –" : `ETA ${fmt(p.eta_s)} s`);
    box.appendChild(el("div", { class: "muted" }, `${fmt(p.done)}/${fmt(p.total)} authors · ${fmt(p.warmed)} warmed · ${fmt(p.skipped)} skipped · ${fmt(p.failed)} failed · ${eta}`));
    if (job.error) box.appendChild(el("div", { class: "muted" }, job.error));
    if (job.rejected_count) {
      const details = el("details", { class: "rejected" });
      details.appendChild(el("summary", {}, `${job.rejected_count} rejected rows`));
      const ul = el("ul");
      for (const r of job.rejected_rows || []) ul.appendChild(el("li", {}, `line ${r.line}: ${r.reason}`));
      details.appendChild(ul);
      box.appendChild(details);
    }
  }

  $("upload").addEventListener("submit", (event) => {
    event.preventDefault();
    const status = $("upload-status");
    const file = $("upload-file").files[0];
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    const headers = {};
    const token = $("upload-token").value.trim();
    if (token) headers.Authorization = "Bearer " + token;
    status.textContent = "uploading…";
    fetch("warm/csv", { method: "POST", body: form, headers })
      .then((r) => r.json().then((body) => ({ ok: r.ok, body })))
      .then(({ ok, body }) => {
        if (!ok) { status.textContent = body.error || "refused"; return; }
        status.textContent = `job ${body.id} started (${body.progress.total} authors)`;
        renderJob(body);
      })
      .catch(() => { status.textContent = "the upload failed"; });
  });

  // -- the event stream -----------------------------------------------------------------------
  function connect() {
    const live = $("live");
    const source = new EventSource("events");
    source.addEventListener("open", () => { live.dataset.state = "live"; live.textContent = "live"; });
    source.addEventListener("error", () => { live.dataset.state = "offline"; live.textContent = "reconnecting…"; });
    source.addEventListener("stats", (e) => onStats(JSON.parse(e.data)));
    source.addEventListener("warm", (e) => renderJob(JSON.parse(e.data)));
    source.addEventListener("breaker", (e) => {
      const b = JSON.parse(e.data);
      const badge = document.querySelector(`[data-provider="${b.provider}"] .breaker`);
      if (badge) { badge.dataset.state = b.state; badge.textContent = b.state; }
    });
  }
  fetch("warm").then((r) => (r.ok ? r.json() : { jobs: [] })).then((d) => d.jobs.slice().reverse().forEach(renderJob)).catch(() => {});
  connect();
})();
