// Users & Groups > API Keys > List API Keys: the daily usage at the top, then
// the table of applications (Name, API Key ID, Call Count, Last Call Timestamp).
import { h, icon, icons } from "../dom.js";
import { number, relative, localClock, timestamp, utc, utcClock } from "../format.js";
import { badge, pageHeader } from "../ui.js";
import { notAdminView } from "./problem.js";

export const CRUMBS = [{ label: "Users & Groups" }, { label: "API Keys", href: "#/api-keys" }];

export async function listView(app) {
  const now = Date.now();
  let list;
  try {
    list = await app.store.listKeys();
  } catch (e) {
    if (e?.code === "NOT_ADMIN") return notAdminView(app, e, [...CRUMBS, { label: "List API Keys" }]);
    throw e;
  }
  const full = list.keys.length >= list.applicationLimit;
  const limitNoteId = "create-limit-note";
  const createButton = h(
    "button",
    {
      type: "button",
      class: "button button-primary",
      disabled: full,
      "aria-describedby": full ? limitNoteId : null,
      onclick: () => app.go("/api-keys/new"),
    },
    icon(icons.plus),
    "Create an API Key",
  );

  const header = pageHeader({
    crumbs: [...CRUMBS, { label: "List API Keys" }],
    title: "API Keys",
    lede: "API keys authenticate external applications that connect through the REST API. Each key links to a named application and controls its access level.",
    actions: [
      createButton,
      full
        ? h(
            "p",
            { class: "action-note", id: limitNoteId },
            `You have ${list.applicationLimit} of ${list.applicationLimit} API key applications. To create an additional API key, first delete an existing application.`,
          )
        : null,
    ],
  });

  return {
    title: "API Keys",
    nav: "api-keys",
    node: h("div", { class: "page" }, header, usage(list, now), table(list)),
  };
}

function usage(list, now) {
  const used = list.callsToday;
  const pct = Math.min(100, (used / list.dailyLimit) * 100);
  const level = pct >= 90 ? "danger" : pct >= 70 ? "warning" : "ok";
  const maxCount = Math.max(1, ...list.keys.map((k) => k.callCount));
  return h(
    "section",
    { class: "usage", "aria-labelledby": "usage-heading" },
    h("h2", { id: "usage-heading", class: "visually-hidden" }, "Usage today"),
    h(
      "div",
      { class: "stats" },
      stat(
        "Total API calls today",
        number(used),
        `of ${number(list.dailyLimit)}, shared across all API keys`,
        "calls-today",
      ),
      stat(
        "Remaining daily call balance",
        number(list.remainingToday),
        [
          `Resets daily at ${utcClock(list.resetsAt)} (`,
          h(
            "time",
            { datetime: new Date(list.resetsAt).toISOString(), title: utc(list.resetsAt) },
            `${localClock(list.resetsAt)} your time`,
          ),
          `, ${relative(list.resetsAt, now)})`,
        ],
        "remaining-today",
      ),
      stat(
        "Applications",
        `${list.keys.length} of ${list.applicationLimit}`,
        `Each application supports up to ${list.connectionLimit} concurrent connections.`,
        "applications",
      ),
    ),
    h(
      "div",
      { class: "usage-bar-block" },
      h(
        "div",
        { class: "usage-bar-label" },
        h("span", { id: "usage-bar-label" }, "Daily calls used"),
        h("span", {}, `${number(used)} / ${number(list.dailyLimit)}`),
      ),
      h(
        "div",
        {
          class: `bar bar-${level}`,
          role: "progressbar",
          "aria-labelledby": "usage-bar-label",
          "aria-valuemin": "0",
          "aria-valuemax": String(list.dailyLimit),
          "aria-valuenow": String(used),
          "aria-valuetext": `${number(used)} of ${number(list.dailyLimit)} calls used`,
        },
        h("span", { class: "bar-fill", style: { width: `${used > 0 ? Math.max(pct, 0.75) : 0}%` } }),
      ),
    ),
    list.keys.length
      ? h(
          "figure",
          { class: "per-key" },
          h("figcaption", {}, "Call Count by application"),
          h(
            "ul",
            { class: "per-key-list" },
            list.keys.map((k) =>
              h(
                "li",
                {},
                h("span", { class: "per-key-name" }, k.name),
                h(
                  "span",
                  { class: "bar bar-thin", "aria-hidden": "true" },
                  h("span", { class: "bar-fill", style: { width: `${(k.callCount / maxCount) * 100}%` } }),
                ),
                h("span", { class: "per-key-count" }, `${number(k.callCount)} ${k.callCount === 1 ? "call" : "calls"}`),
              ),
            ),
          ),
        )
      : null,
  );
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

function table(list) {
  if (!list.keys.length) {
    return h(
      "section",
      { class: "card empty", "aria-labelledby": "apps-heading" },
      h("h2", { id: "apps-heading" }, "No API keys yet"),
      h(
        "p",
        {},
        "Create an API key when you want to integrate a third-party system or custom application. You can create up to ",
        String(list.applicationLimit),
        " API key applications per account.",
      ),
    );
  }
  return h(
    "section",
    { class: "card table-card", "aria-labelledby": "apps-heading" },
    h("h2", { id: "apps-heading" }, "Applications"),
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "data-table", "aria-label": "API Keys" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Name"),
            h("th", { scope: "col" }, "API Key ID"),
            h("th", { scope: "col", class: "num" }, "Call Count"),
            h("th", { scope: "col" }, "Last Call Timestamp"),
          ),
        ),
        h(
          "tbody",
          {},
          list.keys.map((k) =>
            h(
              "tr",
              {},
              h(
                "th",
                { scope: "row" },
                h("a", { href: `#/api-keys/${k.keyId}` }, k.name),
                k.access === "read-only" ? badge("Read-Only", "info") : null,
              ),
              h("td", {}, h("code", { class: "key-id" }, k.keyId)),
              h("td", { class: "num" }, number(k.callCount)),
              h("td", {}, timestamp(k.lastCallAt)),
            ),
          ),
        ),
      ),
    ),
    h(
      "p",
      { class: "table-note" },
      `Call Count is the number of API calls a key made today; it resets daily at ${utcClock(list.keys[0].callCountResetsAt)}. Times are shown in your local time, with UTC beside them.`,
    ),
  );
}
