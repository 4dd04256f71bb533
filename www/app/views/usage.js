// Users & Groups > Usage: calls per day for the last 30 days, stacked by
// application, with the daily limit as a line; the same numbers as a table
// and as CSV; per application totals with refusals. On an account with no
// history, the IndexedDB demo offers "Add sample traffic".
import { dailyChart } from "../chart.js";
import { h, icon, icons, replace } from "../dom.js";
import { number } from "../format.js";
import { HISTORY_DAYS, REFUSALS, accountChart, colourOf, hasHistory, perApplication } from "../history.js";
import { isFatal } from "../store.js";
import { errorContent, notice, pageHeader, toast } from "../ui.js";
import { EXAMPLE_PATH } from "./console.js";
import { notAdminView, unavailableView } from "./problem.js";

const CRUMBS = [{ label: "Users & Groups" }, { label: "Usage" }];

async function load(app) {
  const [list, usage] = await Promise.all([app.store.listKeys(), app.store.usage({ days: HISTORY_DAYS })]);
  return { list, usage };
}

export async function usageView(app) {
  let data;
  try {
    data = await load(app);
  } catch (e) {
    if (e?.code === "NOT_ADMIN") return notAdminView(app, e, CRUMBS, { title: "Usage", nav: "usage" });
    if (e?.code === "NOT_FOUND" || e?.code === "METHOD_NOT_ALLOWED") return unavailableView(app, e, CRUMBS, "Usage");
    throw e;
  }

  const stats = h("div", { class: "stats stats-4" });
  const summary = h("div", {});
  const sample = h("div", {});
  let chartData = accountChart(data.usage, data.list);
  const chart = dailyChart({
    id: "usage",
    title: `Calls per day, last ${HISTORY_DAYS} days`,
    filename: `api-calls-${new Date().toISOString().slice(0, 10)}.csv`,
    data: chartData,
  });

  function fill() {
    const { list, usage } = data;
    const { totals } = chartData;
    replace(
      stats,
      stat(`Calls in the last ${HISTORY_DAYS} days`, number(totals.calls), "Admitted calls, all applications", "calls-period"),
      stat(
        "Busiest day",
        totals.peak ? number(totals.peak.calls) : "—",
        totals.peak ? `${totals.peak.day.label} (UTC)` : "No calls yet",
        "busiest-day",
      ),
      stat(
        "Refused calls",
        number(totals.refused),
        "Authenticated calls refused: read-only, daily limit or connections",
        "refused-period",
      ),
      stat(
        "Today so far",
        number(list.callsToday),
        `${number(list.remainingToday)} of ${number(list.dailyLimit)} remaining`,
        "today",
      ),
    );
    const rows = perApplication(usage, list);
    replace(
      summary,
      rows.length
        ? h(
            "div",
            { class: "table-scroll" },
            h(
              "table",
              { class: "data-table", "aria-label": "Calls by application" },
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  h("th", { scope: "col" }, "Application"),
                  h("th", { scope: "col", class: "num" }, "Calls"),
                  REFUSALS.map((r) => h("th", { scope: "col", class: "num" }, r.label)),
                ),
              ),
              h(
                "tbody",
                {},
                rows.map((r) =>
                  h(
                    "tr",
                    {},
                    h(
                      "th",
                      { scope: "row" },
                      h("span", { class: "swatch", style: { background: colourOf(r.keyId, list) } }),
                      r.listed ? h("a", { href: `#/api-keys/${r.keyId}` }, r.name) : `${r.name} (deleted)`,
                    ),
                    h("td", { class: "num" }, number(r.calls)),
                    REFUSALS.map((x) => h("td", { class: "num" }, number(r.refused[x.code] ?? 0))),
                  ),
                ),
              ),
            ),
          )
        : h("p", { class: "muted" }, "No applications yet."),
    );
    replace(sample, sampleOffer(app, data));
  }
  fill();

  return {
    title: "Usage",
    nav: "usage",
    node: h(
      "div",
      { class: "page" },
      pageHeader({
        crumbs: CRUMBS,
        title: "Usage",
        lede: `API calls admitted per day over the last ${HISTORY_DAYS} days, by application. Days are the daily quota's windows (UTC); hover a day for its numbers.`,
      }),
      h("section", { class: "usage", "aria-label": "Summary" }, stats),
      sample,
      h("section", { class: "card chart-card", "aria-labelledby": "usage-caption" }, chart.node),
      h(
        "section",
        { class: "card table-card", "aria-labelledby": "by-app-heading" },
        h("h2", { id: "by-app-heading" }, `By application, last ${HISTORY_DAYS} days`),
        summary,
      ),
    ),
    async refresh() {
      data = await load(app);
      chartData = accountChart(data.usage, data.list);
      chart.update(chartData);
      fill();
    },
    dispose() {
      chart.dispose();
    },
  };
}

function stat(label, value, detail, id) {
  return h(
    "div",
    { class: "stat", role: "group", "aria-labelledby": `${id}-label` },
    h("p", { class: "stat-label", id: `${id}-label` }, label),
    h("p", { class: "stat-value", id }, value),
    h("p", { class: "stat-detail" }, detail),
  );
}

/** The demo's "Add sample traffic", on an account with no history (IndexedDB only). */
function sampleOffer(app, { list, usage }) {
  if (hasHistory(usage)) return null;
  if (!app.store.features.sampleTraffic) {
    return notice("info", [
      h("p", {}, h("strong", {}, "No calls yet. "), "Calls made with this account's API keys appear here by day."),
      app.store.features.curl
        ? h(
            "p",
            {},
            "Try one: ",
            h("code", {}, `curl -u API_KEY_ID:API_KEY_SECRET ${app.store.apiUrl}${EXAMPLE_PATH}`),
          )
        : null,
    ]);
  }
  const free = list.applicationLimit - list.keys.length;
  const status = h("p", { class: "muted", role: "status", id: "sample-status" });
  const errors = h("div", { role: "alert" });
  const button = h(
    "button",
    {
      type: "button",
      class: "button button-primary",
      disabled: free < 1,
      "aria-describedby": "sample-hint",
      onclick: async () => {
        button.disabled = true;
        errors.replaceChildren();
        try {
          const result = await app.store.addSampleTraffic({
            onProgress: (done, total) => {
              status.textContent = `Sending sample calls… day ${done} of ${total}`;
            },
          });
          // The offer goes with the history it made: the news moves to the toast.
          toast(`Added ${number(result.calls)} sample calls from ${result.applications} sample applications.`);
          await app.render();
        } catch (e) {
          if (isFatal(e)) return app.render();
          button.disabled = false;
          status.textContent = "";
          errors.replaceChildren(notice("error", [h("p", {}, errorContent(e))]));
        }
      },
    },
    icon(icons.chart),
    "Add sample traffic",
  );
  return h(
    "section",
    { class: "card sample-card", "aria-labelledby": "sample-heading" },
    h("h2", { id: "sample-heading" }, "No calls yet"),
    h(
      "p",
      { id: "sample-hint" },
      free < 1
        ? `Sample traffic adds up to two sample applications, and this account already has ${list.keys.length} of ${list.applicationLimit}. Delete one to try it.`
        : "This demo can add sample applications and send a few weeks of calls through the library's real authorize, with past times, so the charts show real data made by real code. The sample applications are ordinary keys: delete them when you are done.",
    ),
    errors,
    h("div", { class: "form-actions" }, button, status),
  );
}
