// The API Key details page: name, description, access, API Key ID and call
// figures; right after create or reset, the API Key Secret (this once); and
// the admin actions Reset API Key Secret and Delete.
import { h, icon, icons } from "../dom.js";
import { accessLabel, number, relative, timestamp } from "../format.js";
import { badge, confirmDialog, copyButton, errorContent, notice, pageHeader, toast } from "../ui.js";
import { CRUMBS } from "./list.js";
import { notAdminView } from "./problem.js";

export async function detailsView(app, keyId) {
  const now = Date.now();
  let list;
  try {
    list = await app.store.read((account) => account.listKeys(app.actor, now));
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
    const at = Date.now();
    try {
      const result = await app.store.change((account) => account.resetSecret(app.actor, keyId, at));
      app.go(`/api-keys/${keyId}`, { reveal: { keyId, secret: result.secret, setAt: at, kind: "reset" } });
    } catch (e) {
      if (e?.name === "StateError") return app.render(); // unreadable data: the problem page
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
      await app.store.change((account) => account.deleteKey(app.actor, keyId, Date.now()));
      app.go("/api-keys");
      toast(`Deleted “${key.name}”. You can now create another API key.`);
    } catch (e) {
      if (e?.name === "StateError") return app.render(); // unreadable data: the problem page
      actionError.replaceChildren(notice("error", [h("p", {}, errorContent(e))]));
    }
  }

  const title = key.name;
  return {
    title,
    nav: "api-keys",
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
      revealed ? secretPanel(revealed) : null,
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
            prop("Call Count", [
              h("span", { id: "key-call-count" }, number(key.callCount)),
              h(
                "span",
                { class: "muted small" },
                ` · resets daily at 00:30 UTC (${relative(key.callCountResetsAt, now)})`,
              ),
            ]),
            prop("Last Call Timestamp", timestamp(key.lastCallAt)),
            prop(
              "Active connections",
              h("span", { id: "key-connections" }, `${key.activeConnections} of ${list.connectionLimit}`),
            ),
            prop(
              "Account calls today",
              `${number(list.callsToday)} of ${number(list.dailyLimit)} (${number(list.remainingToday)} remaining)`,
            ),
          ),
        ),
      ),
      h(
        "p",
        { class: "back" },
        h("a", { href: "#/api-keys" }, "← Back to API Keys"),
        " · ",
        h("a", { href: "#/console" }, "Try this key in the API console"),
      ),
    ),
  };
}

function prop(label, value) {
  return h("div", { class: "property" }, h("dt", {}, label), h("dd", {}, value));
}

/** The one-time view of a secret: labelled "API Key Secret", with Copy and the warning. */
function secretPanel(revealed) {
  const output = h("output", { id: "api-key-secret", class: "secret", "data-secret": "" }, revealed.secret);
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
    h(
      "p",
      { class: "hint" },
      "Applications authenticate with HTTP Basic: Authorization: Basic base64(API_Key_ID:API_Key_Secret). Encode the ID and secret together, not separately.",
    ),
  );
}
