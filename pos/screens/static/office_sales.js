// The office's sales charts: each [data-chart] element fetches its figures (the same the
// page's tables show) from its data route and draws them with the vendored uPlot.
// No business rule here: the server adds up; this file only plots.

const HEIGHT = 220;
const ACCENT = "#1f6feb";
const MUTED = "#8c959f";

function amount(text) {
  // Decimal strings from the server, turned into numbers for plotting only.
  return Number(text);
}

function fromZero(u, min, max) {
  // Amounts are read against zero (a day of returns goes below it).
  const low = Math.min(0, min);
  const high = Math.max(0, max);
  return [low, high === low ? low + 1 : high + (high - low) * 0.1];
}

function ordinalX(labels, padded = false) {
  const x = { time: false, distr: 2 };
  if (padded) {
    x.range = (u, min, max) => [min - 0.5, max + 0.5];
  }
  return {
    scales: { x, y: { range: fromZero } },
    axes: [
      {
        // One tick per category (thinned when crowded), each named by its label.
        splits: () => labels.map((_, i) => i).filter((i) => i % Math.ceil(labels.length / 16) === 0),
        values: (u, splits) => splits.map((i) => labels[i] ?? ""),
      },
      { size: 70 },
    ],
  };
}

function bars(labels, label, values) {
  return {
    ...ordinalX(labels, true),
    series: [{}, { label, fill: ACCENT, stroke: ACCENT, points: { show: false }, paths: window.uPlot.paths.bars({ size: [0.6, 80] }) }],
    data: [labels.map((_, i) => i), values],
  };
}

const BUILD = {
  hourly: (d) => ({
    ...ordinalX(d.rows.map((r) => String(r.hour).padStart(2, "0"))),
    series: [{}, { label: d.day, stroke: ACCENT, width: 2 },
      { label: d.compare_day, stroke: MUTED, width: 2, dash: [6, 4] }],
    data: [d.rows.map((r) => r.hour), d.rows.map((r) => amount(r.revenue)),
      d.rows.map((r) => amount(r.compare))],
  }),
  daily: (d) => ({
    ...ordinalX(d.rows.map((r) => r.day.slice(5))),
    series: [{}, { label: "Revenue", stroke: ACCENT, width: 2, fill: "rgba(31,111,235,0.12)" }],
    data: [d.rows.map((_, i) => i), d.rows.map((r) => amount(r.revenue))],
  }),
  payments: (d) => bars(d.rows.map((r) => r.kind), "Net", d.rows.map((r) => amount(r.net))),
  items: (d) => bars(d.rows.map((r) => r.sku), "Revenue", d.rows.map((r) => amount(r.revenue))),
  discounts: (d) => bars(d.rows.map((r) => r.name), "Given", d.rows.map((r) => amount(r.amount))),
};

async function draw(element) {
  const response = await fetch(element.dataset.src, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    element.textContent = "The chart could not be loaded.";
    element.dataset.state = "failed";
    return;
  }
  const figures = await response.json();
  if (figures.rows.length === 0) {
    element.dataset.state = "empty";
    return;
  }
  const { data, ...options } = BUILD[element.dataset.chart](figures);
  const width = Math.max(element.clientWidth, 320);
  new window.uPlot({ width, height: HEIGHT, ...options }, data, element);
  element.dataset.state = "drawn";
}

for (const element of document.querySelectorAll("[data-chart]")) {
  draw(element).catch(() => {
    element.textContent = "The chart could not be drawn.";
    element.dataset.state = "failed";
  });
}
