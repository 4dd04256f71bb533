// Users & Groups > Activity: the audit trail of API key management (created,
// secret reset, deleted, edited, limits changed), newest first, with who did
// it; filterable by key (#/activity?key=PFK-…). Never a secret or a hash: the
// library keeps none in it.
import { h } from "../dom.js";
import { timestamp } from "../format.js";
import { badge, pageHeader } from "../ui.js";
import { notAdminView, unavailableView } from "./problem.js";

const CRUMBS = [{ label: "Users & Groups" }, { label: "Activity" }];

const ACTIONS = {
  "key.created": ["Created API key", "success"],
  "secret.reset": ["Reset API Key Secret", "warning"],
  "key.deleted": ["Deleted API key", "danger"],
  "key.updated": ["Edited API key", "info"],
  "limits.changed": ["Changed account limits", "neutral"],
};

const FIELD_NAMES = {
  name: "Name",
  description: "Description",
  readOnly: "Read-Only",
  access: "Access",
  dailyCalls: "Daily calls",
  maxApplications: "Applications",
  maxConnections: "Connections per application",
  quotaResetOffsetMs: "Quota reset (ms after 00:00 UTC)",
  callCountResetOffsetMs: "Call Count reset (ms after 00:00 UTC)",
  leaseTtlMs: "Connection time-to-live (ms)",
  realm: "Realm",
  hashProfile: "Hash profile",
};

function show(value) {
  if (value === true) return "yes";
  if (value === false) return "no";
  if (value === null || value === undefined || value === "") return "(empty)";
  if (value === "read-only") return "Read-Only";
  if (value === "full") return "Full access";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** "Name: Old → New" lines from an event's `changes`, whatever its exact shape. */
function changeLines(changes) {
  if (!changes || typeof changes !== "object") return [];
  const entries = Array.isArray(changes)
    ? changes.map((c) => [c.field ?? c.name, c])
    : Object.entries(changes);
  return entries.map(([field, c]) => {
    const label = FIELD_NAMES[field] ?? field;
    if (c && typeof c === "object" && "from" in c && "to" in c) return `${label}: ${show(c.from)} → ${show(c.to)}`;
    if (c && typeof c === "object" && "to" in c) return `${label}: ${show(c.to)}`;
    // A change whose text the trail does not keep (descriptions, the realm).
    if (c && typeof c === "object" && !Object.keys(c).length) return `${label} changed`;
    return `${label}: ${show(c)}`;
  });
}

export async function activityView(app, keyFilter = null) {
  let events;
  let list;
  try {
    [events, list] = await Promise.all([app.store.auditLog(), app.store.listKeys()]);
  } catch (e) {
    if (e?.code === "NOT_ADMIN") return notAdminView(app, e, CRUMBS, { title: "Activity", nav: "activity" });
    if (e?.code === "NOT_FOUND" || e?.code === "METHOD_NOT_ALLOWED") return unavailableView(app, e, CRUMBS, "Activity");
    throw e;
  }
  // Newest first (also when sample traffic wrote older events later).
  events = events.map((e, i) => ({ ...e, i })).sort((a, b) => b.at - a.at || a.i - b.i);

  // The filter offers every key in the trail (deleted ones too) and every current key.
  const keys = new Map();
  for (const e of events) if (e.keyId && !keys.has(e.keyId)) keys.set(e.keyId, e.name ?? e.keyId);
  for (const k of list.keys) keys.set(k.keyId, k.name);
  const live = new Set(list.keys.map((k) => k.keyId));

  const filter = h(
    "select",
    {
      id: "activity-key",
      name: "key",
      onchange: () => app.go(filter.value ? `/activity?key=${filter.value}` : "/activity"),
    },
    h("option", { value: "" }, "All API keys"),
    [...keys].map(([keyId, name]) =>
      h("option", { value: keyId, selected: keyId === keyFilter }, `${name}${live.has(keyId) ? "" : " (deleted)"}`),
    ),
  );
  const shown = keyFilter ? events.filter((e) => e.keyId === keyFilter) : events;

  const table = shown.length
    ? h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "data-table activity-table", "aria-label": "Activity" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", { scope: "col" }, "Time"),
              h("th", { scope: "col" }, "Action"),
              h("th", { scope: "col" }, "API key"),
              h("th", { scope: "col" }, "By"),
            ),
          ),
          h(
            "tbody",
            {},
            shown.map((e) => {
              const [label, kind] = ACTIONS[e.action] ?? [e.action, "neutral"];
              const lines = changeLines(e.changes);
              return h(
                "tr",
                {},
                h("td", {}, timestamp(e.at)),
                h(
                  "td",
                  {},
                  badge(label, kind),
                  lines.length ? h("ul", { class: "changes" }, lines.map((l) => h("li", {}, l))) : null,
                ),
                h(
                  "td",
                  {},
                  e.keyId
                    ? [
                        live.has(e.keyId)
                          ? h("a", { href: `#/api-keys/${e.keyId}` }, e.name ?? keys.get(e.keyId))
                          : h("span", {}, e.name ?? keys.get(e.keyId)),
                        h("code", { class: "key-id small" }, e.keyId),
                      ]
                    : h("span", { class: "muted" }, "—"),
                ),
                h(
                  "td",
                  {},
                  h("span", { class: "actor" }, e.actor?.id ?? "(unknown)"),
                  h("span", { class: "muted small" }, e.actor?.role === "admin" ? "Admin" : (e.actor?.role ?? "")),
                ),
              );
            }),
          ),
        ),
      )
    : h(
        "p",
        { class: "muted", id: "activity-empty" },
        keyFilter ? "No activity for this API key." : "No activity yet: creating, editing, resetting or deleting an API key is recorded here.",
      );

  return {
    title: "Activity",
    nav: "activity",
    node: h(
      "div",
      { class: "page" },
      pageHeader({
        crumbs: CRUMBS,
        title: "Activity",
        lede: "Who created, edited, reset or deleted API keys, and when, newest first. The trail keeps the account's latest management events and never a secret.",
      }),
      h(
        "section",
        { class: "card table-card", "aria-labelledby": "activity-heading" },
        h(
          "div",
          { class: "card-head" },
          h("h2", { id: "activity-heading" }, "Management events"),
          h("div", { class: "field field-inline" }, h("label", { for: "activity-key" }, "API key"), filter),
        ),
        table,
      ),
    ),
  };
}
