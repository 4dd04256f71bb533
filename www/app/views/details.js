// The API Key details page: name, description, access, API Key ID and call
// figures; right after create or reset, the API Key Secret (this once, and
// with the edge a ready curl line); the key's 30-day chart with its refusals;
// and the admin actions Edit, Reset API Key Secret and Delete.
import { dailyChart } from "../chart.js";
import { h, icon, icons } from "../dom.js";
import { accessLabel, number, relative, timestamp, utcClock } from "../format.js";
import { HISTORY_DAYS, colourOf, keyChart } from "../history.js";
import { isFatal } from "../store.js";
import { badge, confirmDialog, copyButton, errorContent, notice, pageHeader, toast } from "../ui.js";
import { EXAMPLE_PATH } from "./console.js";
import { CRUMBS } from "./list.js";
import { notAdminView } from "./problem.js";

/** The key's history, or null when the store's service has none to give (an older edge). */
async function historyOf(app) {
  try {
    return await app.store.usage({ days: HISTORY_DAYS });
  } catch (e) {
    if (e?.code === "NOT_FOUND" || e?.code === "METHOD_NOT_ALLOWED") return null;
    throw e;
  }
}

export async function detailsView(app, keyId) {
  const now = Date.now();
  let list;
  let usage;
  try {
    [list, usage] = await Promise.all([app.store.listKeys(), historyOf(app)]);
  } catch (e) {
    if (e?.code === "NOT_ADMIN") return notAdminView(app, e, [...CRUMBS, { label: "API Key details" }]);
    throw e;
  }
  const key = list.keys.find((k) => k.keyId === keyId);
  if (!key) {
    app.revealed = null;
    return {
      title: "API key not found",
      nav: "api-keys",
      node: h(
        "div",
        { class: "page" },
        pageHeader({ crumbs: [...CRUMBS, { label: "Not found" }], title: "API key not found" }),
        notice("info", [
          h(
            "p",
            {},
            "This API key does not exist (it may have been deleted). Its API Key ID no longer authenticates any call.",
          ),
          h("p", {}, h("a", { href: "#/api-keys" }, "Back to API Keys")),
        ]),
      ),
    };
  }

  // A secret shown here must belong to this key's current secret; a reset in
  // another tab makes it stale, so it goes.
  const revealed =
    app.revealed && app.revealed.keyId === keyId && app.revealed.setAt === key.secretSetAt ? app.revealed : null;
  if (!revealed) app.revealed = null;

  const actionError = h("div", { id: "details-errors", role: "alert" });

  async function reset() {
    const ok = await confirmDialog({
      title: "Reset API Key Secret?",
      body: [
        `A new API Key Secret will be generated for “${key.name}”.`,
        "Resetting the secret invalidates it immediately. After resetting, update any integrations or requests that used the previous secret.",
      ],
      ok: "OK",
    });
    if (!ok) return;
    try {
      const result = await app.store.resetSecret(keyId);
      app.go(`/api-keys/${keyId}`, {
        reveal: { keyId, secret: result.secret, setAt: result.secretSetAt, kind: "reset" },
      });
    } catch (e) {
      if (isFatal(e)) return app.render(); // the data cannot be reached: the problem page
      actionError.replaceChildren(notice("error", [h("p", {}, errorContent(e))]));
    }
  }

  async function remove() {
    const ok = await confirmDialog({
      title: `Delete “${key.name}”?`,
      body: [
        "Applications using this API key stop working immediately: its API Key ID and secret will no longer authenticate.",
        "Deleting frees one of your account's API key application slots.",
      ],
      ok: "OK",
      danger: true,
    });
    if (!ok) return;
    try {
      await app.store.deleteKey(keyId);
      app.go("/api-keys");
      toast(`Deleted “${key.name}”. You can now create another API key.`);
    } catch (e) {
      if (isFatal(e)) return app.render(); // the data cannot be reached: the problem page
      actionError.replaceChildren(notice("error", [h("p", {}, errorContent(e))]));
    }
  }

  const colour = colourOf(keyId, list);
  const chart = usage
    ? dailyChart({
        id: "key-usage",
        title: `${key.name}: calls per day, last ${HISTORY_DAYS} days`,
        filename: `api-calls-${key.keyId}-${new Date(now).toISOString().slice(0, 10)}.csv`,
        data: keyChart(usage, keyId, colour),
      })
    : null;
  const callCount = h("span", { id: "key-call-count" }, number(key.callCount));
  const callCountReset = h("span", { class: "muted small" });
  const lastCall = h("dd", {}, timestamp(key.lastCallAt));
  const connections = h("span", { id: "key-connections" });
  const accountToday = h("dd", { id: "account-today" });
  function fill(current, k, at) {
    callCount.textContent = number(k.callCount);
    callCountReset.textContent = ` · resets daily at ${utcClock(k.callCountResetsAt)} (${relative(k.callCountResetsAt, at)})`;
    lastCall.replaceChildren(timestamp(k.lastCallAt));
    connections.textContent = `${k.activeConnections} of ${current.connectionLimit}`;
    accountToday.textContent = `${number(current.callsToday)} of ${number(current.dailyLimit)} (${number(current.remainingToday)} remaining)`;
  }
  fill(list, key, now);

  const title = key.name;
  return {
    title,
    nav: "api-keys",
    /** Data changed elsewhere: update the figures in place; anything else about the key re-renders the page. */
    async refresh() {
      const at = Date.now();
      const [current, history] = await Promise.all([app.store.listKeys(), chart ? historyOf(app) : null]);
      const k = current.keys.find((x) => x.keyId === keyId);
      const same =
        k &&
        k.secretSetAt === key.secretSetAt &&
        k.name === key.name &&
        k.description === key.description &&
        k.access === key.access;
      if (!same) return app.render();
      fill(current, k, at);
      if (chart && history) chart.update(keyChart(history, keyId, colourOf(keyId, current)));
    },
    dispose() {
      chart?.dispose();
    },
    node: h(
      "div",
      { class: "page" },
      pageHeader({
        crumbs: [...CRUMBS, { label: "List API Keys", href: "#/api-keys" }, { label: key.name }],
        title,
        badge: badge(accessLabel(key.access), key.access === "read-only" ? "info" : "neutral"),
        lede: "API Key details",
        actions: [
          h(
            "a",
            { class: "button button-secondary", href: `#/api-keys/${keyId}/edit` },
            icon(icons.edit),
            "Edit",
          ),
          h(
            "button",
            { type: "button", class: "button button-secondary", onclick: reset },
            icon(icons.refresh),
            "Reset API Key Secret",
          ),
          h(
            "button",
            { type: "button", class: "button button-danger-outline", onclick: remove },
            icon(icons.trash),
            "Delete",
          ),
        ],
      }),
      actionError,
      revealed ? secretPanel(revealed, app) : null,
      h(
        "div",
        { class: "details-grid" },
        h(
          "section",
          { class: "card", "aria-labelledby": "application-heading" },
          h("h2", { id: "application-heading" }, "Application"),
          h(
            "dl",
            { class: "properties" },
            prop("Name", key.name),
            prop("Description", key.description || h("span", { class: "muted" }, "No description")),
            prop("Access", accessLabel(key.access)),
            prop(
              "API Key ID",
              h(
                "span",
                { class: "with-copy" },
                h("code", { class: "key-id", id: "api-key-id" }, key.keyId),
                copyButton({
                  label: "Copy API Key ID",
                  getText: () => key.keyId,
                  selectEl: () => document.getElementById("api-key-id"),
                }),
              ),
            ),
            prop("Created", timestamp(key.createdAt)),
            prop("Secret last set", timestamp(key.secretSetAt)),
          ),
        ),
        h(
          "section",
          { class: "card", "aria-labelledby": "usage-heading" },
          h("h2", { id: "usage-heading" }, "Usage"),
          h(
            "dl",
            { class: "properties" },
            prop("Call Count", [callCount, callCountReset]),
            h("div", { class: "property" }, h("dt", {}, "Last Call Timestamp"), lastCall),
            prop("Active connections", connections),
            h("div", { class: "property" }, h("dt", {}, "Account calls today"), accountToday),
          ),
        ),
      ),
      chart ? h("section", { class: "card chart-card", "aria-label": "History" }, chart.node) : null,
      h(
        "p",
        { class: "back" },
        h("a", { href: "#/api-keys" }, "← Back to API Keys"),
        " · ",
        h("a", { href: `#/activity?key=${keyId}` }, "Activity of this key"),
        " · ",
        h("a", { href: "#/console" }, "Try this key in the API console"),
      ),
    ),
  };
}

function prop(label, value) {
  return h("div", { class: "property" }, h("dt", {}, label), h("dd", {}, value));
}

/**
 * The one-time view of a secret: labelled "API Key Secret", with Copy and the
 * warning; with the edge store, a ready curl line for the worker's API too.
 */
function secretPanel(revealed, app) {
  const output = h("output", { id: "api-key-secret", class: "secret", "data-secret": "" }, revealed.secret);
  const curl = app.store.features.curl
    ? h(
        "code",
        { id: "curl-line", class: "secret curl-line", "data-secret": "" },
        `curl -u ${revealed.keyId}:${revealed.secret} ${app.store.apiUrl}${EXAMPLE_PATH}`,
      )
    : null;
  return h(
    "section",
    { class: "card secret-card", "aria-labelledby": "secret-heading" },
    h(
      "h2",
      { id: "secret-heading" },
      icon(icons.lock),
      revealed.kind === "reset" ? " Your new API Key Secret" : " Your API key is ready",
    ),
    notice(
      "warning",
      [
        h("strong", {}, "This is the only time the API Key Secret is visible. "),
        "You can't retrieve it after leaving this page. If you lose it, you must reset it. Copy the API Key Secret and store it in a secure location.",
      ],
      { id: "secret-warning" },
    ),
    h(
      "div",
      { class: "secret-row" },
      h("label", { for: "api-key-secret" }, "API Key Secret"),
      h(
        "div",
        { class: "with-copy" },
        output,
        copyButton({
          label: "Copy API Key Secret",
          getText: () => output.textContent,
          selectEl: () => output,
        }),
      ),
    ),
    curl
      ? h(
          "div",
          { class: "secret-row" },
          h("p", { class: "label", id: "curl-label" }, "Try it now"),
          h(
            "div",
            { class: "with-copy" },
            curl,
            copyButton({ label: "Copy curl command", getText: () => curl.textContent, selectEl: () => curl }),
          ),
        )
      : null,
    h(
      "p",
      { class: "hint" },
      "Applications authenticate with HTTP Basic: Authorization: Basic base64(API_Key_ID:API_Key_Secret). Encode the ID and secret together, not separately.",
    ),
  );
}
