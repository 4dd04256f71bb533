// Pages for when the portal cannot show what was asked: a non-admin, an
// unknown page, a service that does not offer a page yet, damaged or foreign
// data in the browser's database, and an edge that cannot be reached or no
// longer accepts the admin's session.
import { h } from "../dom.js";
import { errorContent, notice, pageHeader } from "../ui.js";

/** The store's service does not have this page's endpoint (an older edge). */
export function unavailableView(app, error, crumbs, title) {
  return {
    title,
    nav: title.toLowerCase(),
    node: h(
      "div",
      { class: "page" },
      pageHeader({ crumbs, title }),
      notice(
        "info",
        [
          h("p", {}, "The API key service this portal is connected to does not offer this page yet."),
          h("p", { class: "muted small" }, errorContent(error)),
        ],
        { role: "status" },
      ),
    ),
  };
}

/** What a non-admin sees instead of keys: the library refused with NOT_ADMIN. */
export function notAdminView(app, error, crumbs, { title = "API Keys", nav = "api-keys" } = {}) {
  return {
    title,
    nav,
    node: h(
      "div",
      { class: "page" },
      pageHeader({ crumbs, title }),
      notice(
        "warning",
        [
          h("h2", { class: "notice-title" }, "You need to be an admin"),
          h(
            "p",
            {},
            "To create or view API keys, you must be an admin. You are signed in as a user without admin rights, so no API keys are shown.",
          ),
          h(
            "p",
            { class: "muted" },
            "Ask an admin of your account, or switch “Signed in as” to an admin in this demo.",
          ),
          h("p", { class: "muted small" }, errorContent(error)),
        ],
        { role: "alert", id: "not-admin" },
      ),
    ),
  };
}

export function notFoundView() {
  return {
    title: "Page not found",
    nav: null,
    node: h(
      "div",
      { class: "page" },
      pageHeader({ crumbs: [{ label: "Users & Groups" }, { label: "Not found" }], title: "Page not found" }),
      h("p", {}, "There is no such page. ", h("a", { href: "#/api-keys" }, "Go to API Keys"), "."),
    ),
  };
}

/**
 * The data in IndexedDB cannot be read (a StateError), or something else went
 * wrong: say so plainly and offer to start over, rather than a blank page.
 */
export function problemView(app, error, { unexpected = false } = {}) {
  if (error?.name === "SessionError" || error?.name === "ConnectionError") return serviceProblemView(error);
  const status = h("p", { class: "muted", role: "status" });
  const startOver = h(
    "button",
    {
      type: "button",
      class: "button button-danger",
      onclick: async () => {
        startOver.disabled = true;
        status.textContent = "Starting over…";
        try {
          await app.store.startOver();
          app.go("/api-keys");
        } catch (e) {
          status.textContent = `Could not start over: ${e?.message ?? e}`;
          startOver.disabled = false;
        }
      },
    },
    "Start over",
  );
  const title = unexpected ? "Something went wrong" : "Your saved API key data can't be read";
  return {
    title,
    nav: null,
    node: h(
      "div",
      { class: "page" },
      pageHeader({
        crumbs: [{ label: "Users & Groups" }, { label: "API Keys", href: "#/api-keys" }, { label: "Problem" }],
        title,
      }),
      notice(
        "error",
        [
          h("p", {}, h("strong", {}, error?.message ?? String(error))),
          error?.detail ? h("p", { class: "muted small" }, `Details: ${error.detail}`) : null,
          error?.code && !error.detail ? h("p", { class: "muted small" }, errorContent(error)) : null,
          app.store?.features.startOver
            ? h(
                "p",
                {},
                "Start over to replace it with an empty account. This deletes every API key stored in this browser; applications using them will stop working.",
              )
            : h("p", {}, "Reload the page to try again."),
        ],
        { role: "alert" },
      ),
      app.store?.features.startOver ? h("div", { class: "form-actions" }, startOver, status) : null,
    ),
  };
}

/** The edge store: the service cannot be reached, or the admin session ended. */
function serviceProblemView(error) {
  const session = error.name === "SessionError";
  const title = session ? "Sign in again" : "The API key service is not reachable";
  return {
    title,
    nav: null,
    node: h(
      "div",
      { class: "page" },
      pageHeader({ crumbs: [{ label: "Users & Groups" }, { label: "API Keys" }, { label: "Problem" }], title }),
      notice(
        session ? "warning" : "error",
        [
          h("p", {}, h("strong", {}, error.message)),
          error.detail ? h("p", { class: "muted small" }, `Details: ${error.detail}`) : null,
          h("p", {}, session ? "Your API keys are safe; only this page's access ended." : "Reload the page to try again."),
        ],
        { role: "alert", id: "service-problem" },
      ),
    ),
  };
}
