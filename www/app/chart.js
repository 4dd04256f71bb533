// Charts of daily calls, drawn by Chart.js 4 (served from node_modules, like
// idb): stacked bars per series, an optional limit drawn as a line, values on
// hover (the tooltip lists every series of the day and their total). Beside
// each chart: "Show as table" (the same numbers as an accessible table) and
// "Download CSV".
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
} from "chart.js";
import { h, icon, icons, uid } from "./dom.js";
import { number } from "./format.js";

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

/** Series colours (distinguishable with the common colour-vision deficiencies). */
export const PALETTE = ["#2563eb", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7c3aed", "#0f766e"];
export const GREY = "#9aa3af";
export const LIMIT_COLOUR = "#b42318";

/** A CSV field: quoted when needed; text that a spreadsheet would run as a formula is defused. */
function csvField(value) {
  let text = String(value ?? "");
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text (RFC 4180, CRLF) of a header row and rows. */
export function toCsv(header, rows) {
  return [header, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

function download(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * A chart of days with its table and CSV.
 * @param {object} spec
 * @param {string} spec.id         a prefix for element ids
 * @param {string} spec.title      the chart's name (its accessible name, the table's caption)
 * @param {string} spec.filename   the CSV file's name
 * @param {object} spec.data        { days: [{ label, iso }], series: [{ label, data, color }],
 *                                  limit?: { label, value }, columns?: [{ label, data }], summary: string }
 *                                  (columns: extra table/CSV columns, e.g. totals)
 */
export function dailyChart({ id, title, filename, data }) {
  let current = data;
  const canvas = h("canvas", { id: `${id}-canvas` });
  const box = h(
    "div",
    { class: "chart-box", role: "img", "aria-label": `${title}. ${current.summary}`, id: `${id}-chart` },
    canvas,
  );
  const tableId = uid(`${id}-table`);
  const tableBox = h("div", { class: "table-scroll chart-table", id: tableId, hidden: true });
  const toggle = h(
    "button",
    {
      type: "button",
      class: "button button-secondary button-small",
      "aria-expanded": "false",
      "aria-controls": tableId,
      onclick: () => {
        const show = tableBox.hidden;
        tableBox.hidden = !show;
        toggle.setAttribute("aria-expanded", String(show));
        toggle.lastChild.textContent = show ? "Hide table" : "Show as table";
      },
    },
    icon(icons.table),
    h("span", {}, "Show as table"),
  );
  const csv = h(
    "button",
    { type: "button", class: "button button-secondary button-small", onclick: () => download(filename, csvText()) },
    icon(icons.download),
    h("span", {}, "Download CSV"),
  );

  function columns(d) {
    return [
      ...d.series.map((s) => ({ label: s.label, data: s.data })),
      ...(d.columns ?? []),
      ...(d.limit ? [{ label: d.limit.label, data: d.days.map(() => d.limit.value) }] : []),
    ];
  }

  function csvText() {
    const cols = columns(current);
    return toCsv(
      ["Day (UTC)", ...cols.map((c) => c.label)],
      current.days.map((day, i) => [day.iso, ...cols.map((c) => c.data[i])]),
    );
  }

  function renderTable() {
    const cols = columns(current);
    tableBox.replaceChildren(
      h(
        "table",
        { class: "data-table compact" },
        h("caption", {}, title),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Day (UTC)"),
            cols.map((c) => h("th", { scope: "col", class: "num" }, c.label)),
          ),
        ),
        h(
          "tbody",
          {},
          // Newest first in the table: the day one looks for is usually today.
          [...current.days.keys()].reverse().map((i) =>
            h(
              "tr",
              {},
              h("th", { scope: "row" }, h("time", { datetime: current.days[i].iso }, current.days[i].iso)),
              cols.map((c) => h("td", { class: "num" }, number(c.data[i]))),
            ),
          ),
        ),
      ),
    );
  }

  // Small days next to a large limit: the limit line can be hidden, and the
  // y axis then fits the calls.
  const limitBox = h("input", { type: "checkbox", id: `${id}-limit`, checked: true });
  const limitToggle = data.limit
    ? h(
        "span",
        { class: "checkbox chart-limit-toggle" },
        limitBox,
        h("label", { for: `${id}-limit` }, `Show the ${data.limit.label.toLowerCase()}`),
      )
    : null;
  limitBox.addEventListener("change", () => {
    chart.data.datasets = datasets(current);
    chart.update("none");
  });

  function datasets(d) {
    const bars = d.series.map((s) => ({
      type: "bar",
      label: s.label,
      // A day without calls draws nothing (and is left out of the tooltip);
      // a day with a few calls still shows (minBarLength).
      data: s.data.map((v) => (v === 0 ? null : v)),
      minBarLength: 2,
      backgroundColor: s.color,
      borderColor: s.color,
      stack: "calls",
      order: 1,
      maxBarThickness: 28,
      pointStyle: "rect",
    }));
    const limit =
      d.limit && limitBox.checked
        ? [
          {
            type: "line",
            label: d.limit.label,
            data: d.days.map(() => d.limit.value),
            borderColor: LIMIT_COLOUR,
            backgroundColor: LIMIT_COLOUR,
            borderWidth: 2,
            borderDash: [6, 4],
            pointRadius: 0,
            pointHoverRadius: 0,
            pointStyle: "line",
            stack: "limit",
            order: 0,
          },
        ]
      : [];
    return [...bars, ...limit];
  }

  const style = getComputedStyle(document.body);
  const chart = new Chart(canvas, {
    data: { labels: current.days.map((d) => d.label), datasets: datasets(current) },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      font: { family: style.fontFamily },
      scales: {
        x: { stacked: true, grid: { display: false }, ticks: { autoSkip: true, maxRotation: 0 } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0, callback: (v) => number(v) } },
      },
      plugins: {
        legend: { position: "bottom", labels: { usePointStyle: true, boxWidth: 12, boxHeight: 12 } },
        tooltip: {
          usePointStyle: true,
          // The applications first, the limit after them.
          itemSort: (a, b) => (a.dataset.type === "line") - (b.dataset.type === "line") || a.datasetIndex - b.datasetIndex,
          callbacks: {
            label: (ctx) => ` ${ctx.dataset.label}: ${number(ctx.parsed.y)}`,
            footer: (items) => {
              const bars = items.filter((i) => i.dataset.type === "bar");
              return bars.length > 1 ? `Total: ${number(bars.reduce((n, i) => n + i.parsed.y, 0))}` : "";
            },
          },
        },
      },
    },
  });
  renderTable();

  return {
    node: h(
      "figure",
      { class: "chart", "aria-labelledby": `${id}-caption` },
      h(
        "div",
        { class: "chart-head" },
        h("figcaption", { id: `${id}-caption` }, title),
        h("div", { class: "chart-actions" }, limitToggle, toggle, csv),
      ),
      box,
      tableBox,
    ),
    /** New data (another tab or the poll): redraw in place, keeping the table's state. */
    update(next) {
      current = next;
      box.setAttribute("aria-label", `${title}. ${current.summary}`);
      chart.data.labels = current.days.map((d) => d.label);
      chart.data.datasets = datasets(current);
      chart.update("none");
      renderTable();
    },
    dispose() {
      chart.destroy();
    },
    csvText,
  };
}
