// The API console: plays the external application. It sends a request (a
// method, a path and an Authorization header) to the REST API through the
// store: with IndexedDB, `account.authorize` on this browser's account (the
// same state the API Keys page shows, so counts move); with the edge, a real
// HTTP request to the worker's API gate, shown as any HTTP client gets it.
// "Hold connection open" (IndexedDB) keeps an admitted call in flight (its
// lease) to show the limit of concurrent connections per application.
import { encodeBasic } from "apikeys";
import { h, icon, icons, replace } from "../dom.js";
import { localClock, number, relative, utc } from "../format.js";
import { isFatal } from "../store.js";
import { packageMessage } from "../stores/errors.js";
import { errorContent, notice, pageHeader } from "../ui.js";

const METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];

/** The path the console and the ready-made curl line call (the example API's collection). */
export const EXAMPLE_PATH = "/api/v1/forms";

/** What a code means: the package's own message for it (one table for every user of the package). */
function explain(code) {
  if (code === "OK") return "Admitted: the call counted against the daily balance and the key's Call Count.";
  const message = code ? packageMessage(code) : null;
  return message ? `${message[0].toUpperCase()}${message.slice(1)}.` : "";
}

/** Secret-bearing text, shortened for display. */
const mask = (header) => (header.length > 18 ? `${header.slice(0, 14)}… (hidden)` : header);

export async function consoleView(app) {
  const holding = app.store.features.heldConnections;
  const history = [];
  let timer = null;
  let disposed = false;
  let shownLeases = null; // the lease IDs in the table, to update it in place
  let expiryCells = new Map();

  const method = h(
    "select",
    { id: "console-method", name: "method" },
    METHODS.map((m) => h("option", { value: m }, m)),
  );
  const path = h("input", {
    id: "console-path",
    name: "path",
    type: "text",
    value: EXAMPLE_PATH,
    autocomplete: "off",
    spellcheck: "false",
  });
  const modePair = h("input", { type: "radio", name: "mode", id: "mode-pair", value: "pair", checked: true });
  const modeHeader = h("input", { type: "radio", name: "mode", id: "mode-header", value: "header" });
  const keyId = h("input", {
    id: "console-key-id",
    name: "keyId",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "PFK-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
  });
  const secret = h("input", {
    id: "console-secret",
    name: "secret",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "pfs_…",
  });
  const header = h("textarea", {
    id: "console-header",
    name: "authorization",
    rows: "2",
    spellcheck: "false",
    autocomplete: "off",
    placeholder: "Basic UEZLLT…",
    disabled: true,
  });
  const hold = h("input", { id: "console-hold", name: "hold", type: "checkbox", "aria-describedby": "hold-hint" });
  const holdHint = h("p", { class: "hint", id: "hold-hint" });
  const send = h("button", { type: "submit", class: "button button-primary" }, icon(icons.send), "Send");
  const formError = h("div", { id: "console-errors", role: "alert" });
  const response = h(
    "div",
    { class: "response-body" },
    h("p", { class: "muted" }, "Send a request to see the API's answer."),
  );
  const connections = h("div", {});
  const log = h("div", {});

  const pairFields = h(
    "div",
    { class: "field-row" },
    h("div", { class: "field" }, h("label", { for: "console-key-id" }, "API Key ID"), keyId),
    h("div", { class: "field" }, h("label", { for: "console-secret" }, "API Key Secret"), secret),
  );
  const headerField = h(
    "div",
    { class: "field", hidden: true },
    h("label", { for: "console-header" }, "Authorization header"),
    h(
      "p",
      { class: "hint", id: "header-hint" },
      "The whole value, e.g. Basic followed by base64(API_Key_ID:API_Key_Secret).",
    ),
    header,
  );
  const syncMode = () => {
    const pair = modePair.checked;
    pairFields.hidden = !pair;
    headerField.hidden = pair;
    header.disabled = pair;
    keyId.disabled = !pair;
    secret.disabled = !pair;
  };
  modePair.addEventListener("change", syncMode);
  modeHeader.addEventListener("change", syncMode);

  function buildHeader() {
    if (modePair.checked) {
      const id = keyId.value.trim();
      const pw = secret.value.trim();
      if (!id && !pw) return null;
      return encodeBasic(id, pw);
    }
    const text = header.value.trim().replace(/^authorization\s*:\s*/i, "");
    return text || null;
  }

  async function onSend(event) {
    event.preventDefault();
    formError.replaceChildren();
    let value;
    try {
      value = buildHeader();
    } catch (e) {
      formError.replaceChildren(
        notice("error", [h("p", {}, "The Authorization header could not be built: "), h("p", {}, errorContent(e))]),
      );
      return;
    }
    const m = method.value;
    send.disabled = true;
    try {
      const answer = await app.store.send({
        method: m,
        path: path.value,
        authorization: value,
        hold: holding && hold.checked,
      });
      showResponse(answer, value);
      history.unshift({ at: answer.at, method: m, path: answer.path, status: answer.status, code: answer.code });
      history.length = Math.min(history.length, 8);
      renderLog();
      if (holding) await refreshConnections();
    } catch (e) {
      if (isFatal(e)) return app.render(); // the data cannot be reached: the problem page
      formError.replaceChildren(notice("error", [h("p", {}, errorContent(e))]));
    } finally {
      send.disabled = false;
    }
  }

  let responses = 0;
  function showResponse(answer, value) {
    responses += 1;
    response.dataset.seq = String(responses);
    const { status, code, decision } = answer;
    const cls = status < 300 ? "ok" : status === 429 ? "warn" : "bad";
    const headers = answer.headers;
    replace(
      response,
      h(
        "p",
        { class: "request-line" },
        h("code", {}, `${answer.method} ${answer.path || "/"}`),
        h("span", { class: "muted" }, value ? ` · Authorization: ${mask(value)}` : " · no Authorization header"),
      ),
      h(
        "p",
        { class: `status-line status-${cls}` },
        h("span", { id: "response-status" }, `${status} ${answer.statusText ?? ""}`.trim()),
        code ? h("code", { id: "response-code", class: "status-code", title: "Code" }, code) : null,
      ),
      h("p", { class: "explain" }, explain(code)),
      decision
        ? h(
            "dl",
            { class: "properties compact" },
            decision.keyId ? prop("API Key ID", h("code", {}, decision.keyId)) : null,
            decision.access ? prop("Access", decision.access === "read-only" ? "Read-Only" : "Full access") : null,
            decision.leaseId
              ? prop("Connection", decision.held ? `held open (${decision.leaseId})` : "closed after the response")
              : null,
            prop(
              "Remaining daily call balance",
              h("span", { id: "response-remaining" }, number(decision.remainingToday)),
            ),
            decision.retryAfter !== undefined ? prop("Retry after", `${decision.retryAfter} s`) : null,
            prop(
              "Answered",
              h("time", { datetime: new Date(answer.at).toISOString(), title: utc(answer.at) }, localClock(answer.at)),
            ),
          )
        : null,
      h("h3", {}, "Response headers"),
      headers.length
        ? h(
            "div",
            { class: "table-scroll" },
            h(
              "table",
              { class: "data-table compact", "aria-label": "Response headers" },
              h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Header"), h("th", { scope: "col" }, "Value"))),
              h(
                "tbody",
                {},
                headers.map(([k, v]) =>
                  h("tr", {}, h("th", { scope: "row" }, h("code", {}, k)), h("td", {}, h("code", {}, v))),
                ),
              ),
            ),
          )
        : h("p", { class: "muted" }, "None."),
      answer.body !== null
        ? [
            h("h3", {}, "Response body"),
            answer.body
              ? h("pre", { class: "response-text", id: "response-body", tabindex: "0" }, answer.body)
              : h("p", { class: "muted" }, "Empty."),
          ]
        : null,
    );
  }

  function renderLog() {
    replace(
      log,
      history.length
        ? h(
            "div",
            { class: "table-scroll" },
            h(
              "table",
              { class: "data-table compact", "aria-label": "Recent requests" },
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  h("th", { scope: "col" }, "Time"),
                  h("th", { scope: "col" }, "Request"),
                  h("th", { scope: "col" }, "Status"),
                  h("th", { scope: "col" }, "Code"),
                ),
              ),
              h(
                "tbody",
                {},
                history.map((r) =>
                  h(
                    "tr",
                    {},
                    h(
                      "td",
                      {},
                      h("time", { datetime: new Date(r.at).toISOString(), title: utc(r.at) }, localClock(r.at)),
                    ),
                    h("td", {}, h("code", {}, `${r.method} ${r.path || "/"}`)),
                    h(
                      "td",
                      {},
                      h(
                        "span",
                        { class: `pill pill-${r.status < 300 ? "ok" : r.status === 429 ? "warn" : "bad"}` },
                        String(r.status),
                      ),
                    ),
                    h("td", {}, h("code", {}, r.code)),
                  ),
                ),
              ),
            ),
          )
        : h("p", { class: "muted" }, "No requests sent from this page yet."),
    );
  }

  async function release(ids) {
    await app.store.release(ids);
    await refreshConnections();
  }

  async function refreshConnections() {
    if (!holding) return;
    const now = Date.now();
    const { leases, names, ttlMs: ttl, limit } = await app.store.connections();
    holdHint.textContent = `Keeps an admitted call in flight (like a slow request) instead of closing it with the response. Each application supports a maximum of ${limit} concurrent connections: one more held at once gets 429.`;
    const showNames = app.role === "admin";
    const summary = `${leases.length} open. Each application may hold ${limit} connections at once; a held connection expires ${Math.round(ttl / 1000)} s after it opened if it is never released.`;
    const ids = leases.map((l) => l.id).join(" ");
    if (ids && ids === shownLeases) {
      // Same connections: only the countdown moves (keeps focus and buttons in place).
      for (const l of leases) {
        const cell = expiryCells.get(l.id);
        if (cell) cell.textContent = relative(l.expiresAt, now);
      }
    } else {
      shownLeases = ids;
      expiryCells = new Map();
      replace(
        connections,
        h("p", { class: "hint", id: "connections-summary" }, summary),
        leases.length
          ? [
              h(
                "div",
                { class: "table-scroll" },
                h(
                  "table",
                  { class: "data-table compact", "aria-label": "Open connections" },
                  h(
                    "thead",
                    {},
                    h(
                      "tr",
                      {},
                      h("th", { scope: "col" }, "Application"),
                      h("th", { scope: "col" }, "Connection"),
                      h("th", { scope: "col" }, "Expires"),
                      h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")),
                    ),
                  ),
                  h(
                    "tbody",
                    {},
                    leases.map((l) => {
                      const expires = h("td", {}, relative(l.expiresAt, now));
                      expiryCells.set(l.id, expires);
                      return h(
                        "tr",
                        {},
                        h(
                          "td",
                          {},
                          showNames && names.get(l.keyId) ? h("div", {}, names.get(l.keyId)) : null,
                          h("code", { class: "key-id small" }, l.keyId),
                        ),
                        h("td", {}, h("code", {}, l.id)),
                        expires,
                        h(
                          "td",
                          {},
                          h(
                            "button",
                            {
                              type: "button",
                              class: "button button-secondary button-small",
                              "aria-label": `Release connection ${l.id}`,
                              onclick: () => release([l.id]),
                            },
                            "Release",
                          ),
                        ),
                      );
                    }),
                  ),
                ),
              ),
              h(
                "button",
                { type: "button", class: "button button-secondary", onclick: () => release(leases.map((l) => l.id)) },
                "Release all connections",
              ),
            ]
          : h("p", { class: "muted" }, "No connections are held open."),
      );
    }
    clearTimeout(timer);
    // Count down while connections are open (they expire on their own).
    if (leases.length && !disposed) timer = setTimeout(() => refreshConnections().catch(() => {}), 1000);
  }

  const form = h(
    "form",
    { class: "card form", "aria-labelledby": "request-heading", onsubmit: onSend, novalidate: true },
    h("h2", { id: "request-heading" }, "Request"),
    h(
      "div",
      { class: "field-row method-row" },
      h("div", { class: "field field-method" }, h("label", { for: "console-method" }, "Method"), method),
      h("div", { class: "field field-grow" }, h("label", { for: "console-path" }, "Path"), path),
    ),
    h(
      "fieldset",
      { class: "field" },
      h("legend", {}, "Credentials"),
      h(
        "div",
        { class: "segmented" },
        h("span", { class: "radio" }, modePair, h("label", { for: "mode-pair" }, "API Key ID and Secret")),
        h("span", { class: "radio" }, modeHeader, h("label", { for: "mode-header" }, "Paste an Authorization header")),
      ),
      pairFields,
      headerField,
    ),
    holding
      ? h(
          "div",
          { class: "field" },
          h("div", { class: "checkbox" }, hold, h("label", { for: "console-hold" }, "Hold connection open")),
          holdHint,
        )
      : null,
    formError,
    h("div", { class: "form-actions" }, send),
  );

  const node = h(
    "div",
    { class: "page" },
    pageHeader({
      crumbs: [{ label: "Developers" }, { label: "API console" }],
      title: "API console",
      lede:
        app.store.kind === "edge"
          ? "Play the external application: send a real HTTP request through the edge worker with an API key and see what any HTTP client gets back: status, headers and body. Admitted calls reach the example API and count on the API Keys page."
          : "Play the external application: send a request to the REST API with an API key and see what the API answers. Requests are checked against the API keys in this browser, so the call counts on the API Keys page move.",
    }),
    h(
      "div",
      { class: "console-grid" },
      form,
      h(
        "section",
        { class: "card response", "aria-labelledby": "response-heading", "aria-live": "polite" },
        h("h2", { id: "response-heading" }, "Response"),
        response,
      ),
    ),
    holding
      ? h(
          "section",
          { class: "card", "aria-labelledby": "connections-heading" },
          h("h2", { id: "connections-heading" }, "Open connections"),
          connections,
        )
      : null,
    h(
      "section",
      { class: "card", "aria-labelledby": "log-heading" },
      h("h2", { id: "log-heading" }, "Recent requests"),
      log,
    ),
  );
  renderLog();
  await refreshConnections();

  return {
    title: "API console",
    nav: "console",
    node,
    refresh: refreshConnections,
    dispose() {
      disposed = true;
      clearTimeout(timer);
      timer = null;
    },
  };
}

function prop(label, value) {
  return h("div", { class: "property" }, h("dt", {}, label), h("dd", {}, value));
}
