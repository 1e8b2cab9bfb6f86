// The Metrics page: reads /api/v1/metrics/datasets and /stats in the viewer's time zone and
// draws each series as inline SVG, with a title, a description and a data table beside it
// (for screen readers, and for anyone who wants the numbers).

import { api, errorMessage } from "/dashboard/static/dashboard.js";
import { viewerTimeZone } from "/dashboard/static/forms.js";

const SVG = "http://www.w3.org/2000/svg";
// The drawing's width in CSS pixels, so its text keeps its size: set from the layout on each draw.
let WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 64 };
const X_LABELS = 6;

const zone = viewerTimeZone();
const count = new Intl.NumberFormat();
const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB", "PB"];

function bytes(value) {
  let unit = 0;
  let scaled = value;
  while (Math.abs(scaled) >= 1000 && unit < BYTE_UNITS.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || scaled >= 100 ? 0 : 1;
  return `${scaled.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

// How a bucket's start is written, per interval, in the viewer's zone.
const LABELS = {
  HOURLY: { hour: "2-digit", minute: "2-digit" },
  DAILY: { month: "short", day: "numeric" },
  WEEKLY: { month: "short", day: "numeric" },
  MONTHLY: { month: "short", year: "numeric" },
};
// How a bucket is written in the data tables and tooltips.
const FULL = {
  HOURLY: { dateStyle: "medium", timeStyle: "short" },
  DAILY: { dateStyle: "medium" },
  WEEKLY: { dateStyle: "medium" },
  MONTHLY: { month: "long", year: "numeric" },
};

function formatter(options) {
  return new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone });
}

// Each series: its title, where its points are, the value of a point and how it is written.
const SERIES = [
  { key: "uploads", title: "Uploads", value: (p) => p.uploads, format: (v) => count.format(v) },
  { key: "transformations", title: "Transformations", value: (p) => p.transformations, format: (v) => count.format(v) },
  { key: "requests", title: "Requests", value: (p) => p.requests, format: (v) => count.format(v) },
  { key: "transfer_bytes", title: "Transfer", value: (p) => p.transfer_bytes, format: bytes },
  { key: "storage_bytes", title: "Storage", value: (p) => p.storage_bytes_current, format: bytes, line: true },
];

function svgElement(name, attributes = {}, text = null) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== null) element.textContent = text;
  return element;
}

/** A round ceiling for the y axis: 1, 2 or 5 times a power of ten. */
function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value);
}

/** The chart of one time series: bars (counts) or a line (a level such as storage). */
function timeChart(id, series, points, interval) {
  const values = points.map(series.value);
  const top = niceMax(Math.max(0, ...values));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = plotWidth / Math.max(points.length, 1);
  const y = (value) => PAD.top + plotHeight - (value / top) * plotHeight;
  const label = formatter(LABELS[interval]);

  const svg = svgElement("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: "img",
    "aria-labelledby": `${id}-svg-title ${id}-svg-desc`,
    "data-series": series.key,
  });
  const total = values.reduce((sum, value) => sum + value, 0);
  const peak = Math.max(0, ...values);
  svg.append(
    svgElement("title", { id: `${id}-svg-title` }, `${series.title}, ${interval.toLowerCase()}`),
    svgElement(
      "desc",
      { id: `${id}-svg-desc` },
      `${points.length} points; highest ${series.format(peak)}` +
        (series.line ? "" : `; total ${series.format(total)}`) +
        ". The table below lists every point.",
    ),
  );
  for (const fraction of [0, 0.5, 1]) {
    const level = y(top * fraction);
    svg.append(svgElement("line", { class: "axis", x1: PAD.left, x2: WIDTH - PAD.right, y1: level, y2: level }));
    svg.append(
      svgElement("text", { class: "tick", x: PAD.left - 6, y: level + 4, "text-anchor": "end" }, series.format(top * fraction)),
    );
  }
  if (series.line) {
    const path = points
      .map((point, index) => `${index ? "L" : "M"}${(PAD.left + step * (index + 0.5)).toFixed(1)},${y(series.value(point)).toFixed(1)}`)
      .join(" ");
    if (points.length) svg.append(svgElement("path", { class: "line", d: path }));
  }
  points.forEach((point, index) => {
    const value = series.value(point);
    const x = PAD.left + step * index;
    const mark = series.line
      ? svgElement("circle", { class: "bar", cx: x + step / 2, cy: y(value), r: points.length > 60 ? 1.5 : 3 })
      : svgElement("rect", {
          class: "bar",
          x: x + step * 0.1,
          y: y(value),
          width: Math.max(step * 0.8, 1),
          height: Math.max(PAD.top + plotHeight - y(value), 0),
        });
    mark.setAttribute("data-value", value);
    mark.setAttribute("data-timestamp", point.timestamp);
    mark.append(svgElement("title", {}, `${formatter(FULL[interval]).format(new Date(point.timestamp))}: ${series.format(value)}`));
    svg.append(mark);
  });
  const every = Math.max(1, Math.ceil(points.length / X_LABELS));
  points.forEach((point, index) => {
    if (index % every) return;
    const x = PAD.left + step * (index + 0.5);
    // A label near the right edge ends there rather than running off the drawing.
    const anchor = x > WIDTH - PAD.right - 30 ? "end" : "middle";
    const text = label.format(new Date(point.timestamp));
    svg.append(svgElement("text", { class: "tick", x: anchor === "end" ? WIDTH - PAD.right : x, y: HEIGHT - 8, "text-anchor": anchor }, text));
  });

  const rows = points.map((point) => [formatter(FULL[interval]).format(new Date(point.timestamp)), series.format(series.value(point))]);
  return figure(id, series.title, svg, ["Period starting", series.title], rows);
}

/** The cache's hits against renders, over the whole range, as one stacked bar. */
function cacheChart(id, slices) {
  const hits = slices.find((slice) => slice.label === "hits")?.value ?? 0;
  const misses = slices.find((slice) => slice.label === "misses")?.value ?? 0;
  const all = hits + misses;
  const ratio = all ? hits / all : 0;
  const percent = all ? `${Math.round(ratio * 1000) / 10}%` : "no transformed image served";
  const svg = svgElement("svg", { viewBox: `0 0 ${WIDTH} 60`, role: "img", "aria-labelledby": `${id}-svg-title ${id}-svg-desc`, "data-series": "cache_hit_ratio" });
  svg.append(
    svgElement("title", { id: `${id}-svg-title` }, "Cache hit ratio"),
    svgElement("desc", { id: `${id}-svg-desc` }, `${count.format(hits)} served from the cache, ${count.format(misses)} rendered: ${percent}.`),
  );
  const width = WIDTH - PAD.right;
  const hitWidth = all ? width * ratio : 0;
  const hitBar = svgElement("rect", { class: "hits", x: 0, y: 10, width: hitWidth, height: 30, "data-value": hits });
  const missBar = svgElement("rect", { class: "misses", x: hitWidth, y: 10, width: width - hitWidth, height: 30, "data-value": misses });
  svg.append(hitBar, missBar);
  const legend = document.createElement("ul");
  legend.className = "legend";
  for (const [name, value, kind] of [["Cache hits", hits, "hits"], ["Rendered", misses, "misses"]]) {
    const item = document.createElement("li");
    const swatch = svgElement("svg", { class: "swatch", viewBox: "0 0 10 10", "aria-hidden": "true" });
    swatch.append(svgElement("rect", { class: kind, width: 10, height: 10 }));
    item.append(swatch, `${name}: ${count.format(value)}`);
    legend.append(item);
  }
  const rows = [["Cache hits", count.format(hits)], ["Rendered (misses)", count.format(misses)], ["Hit ratio", percent]];
  const chart = figure(id, "Cache hit ratio", svg, ["Served", "Count"], rows);
  chart.querySelector("svg").after(legend);
  return chart;
}

/** A chart's frame: heading, the stat line, the drawing and its table in a details element. */
function figure(id, title, svg, head, rows) {
  const section = document.createElement("section");
  section.className = "chart";
  section.id = id;
  section.setAttribute("aria-labelledby", `${id}-heading`);
  const heading = document.createElement("h2");
  heading.id = `${id}-heading`;
  heading.textContent = title;
  const stat = document.createElement("p");
  stat.className = "total";
  stat.id = `${id}-stat`;
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = `${title}: data table`;
  const table = document.createElement("table");
  const caption = table.createCaption();
  caption.className = "visually-hidden";
  caption.textContent = title;
  const headRow = table.createTHead().insertRow();
  head.forEach((name, index) => {
    const cell = document.createElement("th");
    cell.scope = "col";
    cell.textContent = name;
    if (index) cell.className = "number";
    headRow.append(cell);
  });
  const body = table.createTBody();
  for (const [when, value] of rows) {
    const row = body.insertRow();
    const first = document.createElement("th");
    first.scope = "row";
    first.textContent = when;
    row.append(first);
    const cell = row.insertCell();
    cell.className = "number";
    cell.textContent = value;
  }
  const scroll = document.createElement("div");
  scroll.className = "table-scroll";
  scroll.append(table);
  details.append(summary, scroll);
  section.append(heading, stat, svg, details);
  return section;
}

/** "1,234 (up 12% on the previous period)" */
function statLine(stat, format) {
  if (!stat) return "";
  let change = "the previous period had none";
  if (stat.pct_change !== null) {
    const rounded = Math.round(stat.pct_change * 10) / 10;
    change = rounded === 0 ? "as in the previous period" : `${rounded > 0 ? "up" : "down"} ${Math.abs(rounded)}% on the previous period`;
  } else if (stat.prev === stat.value) {
    change = "as in the previous period";
  }
  return `${format(stat.value)} (${change})`;
}

let shown = null;

async function load(interval) {
  const status = document.getElementById("metrics-status");
  status.textContent = "Loading…";
  const query = new URLSearchParams({ interval, tz: zone }).toString();
  const [datasets, stats] = await Promise.all([
    api(`/api/v1/metrics/datasets?${query}`),
    api(`/api/v1/metrics/stats?${query}`),
  ]);
  if (!datasets.ok) {
    status.textContent = await errorMessage(datasets);
    return;
  }
  shown = { interval, data: await datasets.json(), summary: stats.ok ? await stats.json() : {} };
  draw(shown);
  status.textContent = `${interval.charAt(0)}${interval.slice(1).toLowerCase()} charts drawn.`;
}

/** The width one chart gets: the grid's column, less the chart's padding. */
function chartWidth(charts) {
  const columns = charts.clientWidth >= 1000 ? 2 : 1;
  return Math.max(280, Math.min(640, Math.floor(charts.clientWidth / columns) - 40));
}

function draw({ interval, data, summary }) {
  const charts = document.getElementById("charts");
  WIDTH = chartWidth(charts);
  const drawn = SERIES.map((series) => {
    const chart = timeChart(`chart-${series.key}`, series, data[series.key], interval);
    chart.querySelector(".total").textContent = statLine(summary[series.key], series.format);
    return chart;
  });
  const cache = cacheChart("chart-cache_hit_ratio", data.cache_hit_ratio);
  const percent = (value) => `${Math.round(value * 10) / 10}%`;
  cache.querySelector(".total").textContent = statLine(summary.cache_hit_ratio, percent);
  drawn.splice(3, 0, cache);
  charts.replaceChildren(...drawn);
  charts.dataset.interval = interval;
}

// A narrower or wider window redraws at its size (from the numbers already read).
let resizing = false;
window.addEventListener("resize", () => {
  if (resizing || !shown) return;
  resizing = true;
  requestAnimationFrame(() => {
    resizing = false;
    if (WIDTH !== chartWidth(document.getElementById("charts"))) draw(shown);
  });
});

document.getElementById("metrics-zone").textContent = zone;
const select = document.getElementById("metrics-interval");
document.getElementById("metrics-controls").addEventListener("submit", (event) => {
  event.preventDefault();
});
select.addEventListener("change", () => {
  const url = new URL(window.location.href);
  url.searchParams.set("interval", select.value);
  window.history.replaceState(null, "", url);
  load(select.value);
});
load(select.value);
