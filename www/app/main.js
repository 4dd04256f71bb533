// The portal's entry: opens the configured store (IndexedDB or the edge),
// routes by the URL's hash, re-renders when the data changed elsewhere, and
// keeps a just-issued secret in memory only while its details page stays open.
import { h, replace } from "./dom.js";
import { isFatal, loadConfig, openStore } from "./store.js";
import { listView } from "./views/list.js";
import { createView } from "./views/create.js";
import { detailsView } from "./views/details.js";
import { editView } from "./views/edit.js";
import { usageView } from "./views/usage.js";
import { activityView } from "./views/activity.js";
import { consoleView } from "./views/console.js";
import { problemView, notFoundView } from "./views/problem.js";

const ROLE_KEY = "apikeys-portal:signed-in-as";
const main = document.getElementById("main");
const roleSelect = document.getElementById("signed-in-as");

/** The demo's people (IndexedDB store): the id is what the audit trail records. */
const PEOPLE = {
  admin: { role: "admin", id: "avery.admin@example.com" },
  user: { role: "user", id: "uma.user@example.com" },
};

/** What every view gets. */
const app = {
  /** The data layer (store.js): views call only its methods. */
  store: null,
  /** "admin" or "user": who is signed in (the library enforces what each may do). */
  role: "admin",
  get actor() {
    return PEOPLE[this.role];
  },
  /**
   * The secret just issued by create or reset: { keyId, secret, setAt, kind }.
   * Held in this variable only; cleared on any navigation, role switch or
   * page hide, so leaving the page or reloading makes it gone for good.
   */
  revealed: null,
  /** Navigates to `path` (e.g. "/api-keys"); `reveal` is kept for the next page only. */
  go(path, { reveal = null } = {}) {
    if (location.hash === `#${path}`) history.replaceState(null, "", `#${path}`);
    else history.pushState(null, "", `#${path}`);
    this.revealed = reveal;
    render({ keepReveal: true });
  },
  render: () => render({ keepReveal: true }),
};

const routes = [
  [/^#?\/?$/, () => listView],
  [/^#\/api-keys\/?$/, () => listView],
  [/^#\/api-keys\/new$/, () => createView],
  [/^#\/api-keys\/(PFK-[0-9a-f-]{36})$/, () => detailsView],
  [/^#\/api-keys\/(PFK-[0-9a-f-]{36})\/edit$/, () => editView],
  [/^#\/usage$/, () => usageView],
  [/^#\/activity(?:\?key=(PFK-[0-9a-f-]{36}))?$/, () => activityView],
  [/^#\/console$/, () => consoleView],
];

let current = null; // { view instance, hash }
let renderSeq = 0; // a newer render supersedes one still waiting for data

function route() {
  const hash = location.hash;
  for (const [re, view] of routes) {
    const m = hash.match(re);
    if (m) return { view: view(), params: m.slice(1) };
  }
  return { view: notFoundView, params: [] };
}

async function render({ keepReveal = false, refresh = false } = {}) {
  if (!keepReveal) app.revealed = null;
  const seq = ++renderSeq;
  const { view, params } = route();
  const sameRoute = current && current.hash === location.hash;
  const focused = document.activeElement?.id;
  let instance;
  try {
    instance = await view(app, ...params);
  } catch (e) {
    instance = isFatal(e) ? problemView(app, e) : problemView(app, e, { unexpected: true });
  }
  if (seq !== renderSeq) {
    instance.dispose?.();
    return;
  }
  current?.instance?.dispose?.();
  current = { instance, hash: location.hash };
  replace(main, instance.node);
  document.title = `${instance.title} · Web Portal`;
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === instance.nav) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (refresh && sameRoute) {
    // Data changed elsewhere: keep the reader's place.
    if (focused) document.getElementById(focused)?.focus();
  } else {
    main.querySelector("h1")?.focus({ preventScroll: false });
  }
}

/** Another tab changed the data: refresh the open page in place. */
async function onExternalChange() {
  if (current?.instance?.refresh) {
    try {
      await current.instance.refresh();
      return;
    } catch {
      // fall through to a full render (which shows any problem clearly)
    }
  }
  await render({ keepReveal: true, refresh: true });
}

/** The top bar's "Signed in as" and the sidebar's note, for the store in use. */
function describeStore(store) {
  document.documentElement.dataset.store = store.kind;
  const note = document.getElementById("store-note");
  if (store.kind === "edge") {
    const who = store.session.name ?? store.session.id ?? "Account admin";
    const role = store.session.role === "admin" ? "Admin" : "User";
    roleSelect.replaceChildren(h("option", { value: store.session.role }, `${who} (${role})`));
    roleSelect.disabled = true;
    app.role = store.session.role;
    note.textContent = `Connected to the API key service: account “${store.accountId}”. API calls go through the edge worker, so the counts here are live.`;
  } else {
    note.textContent =
      "A demo: your API keys live in this browser (IndexedDB), and the API console plays an external application calling the REST API.";
  }
}

async function start() {
  const saved = localStorage.getItem(ROLE_KEY);
  app.role = saved === "user" ? "user" : "admin";
  roleSelect.value = app.role;
  roleSelect.addEventListener("change", () => {
    app.role = roleSelect.value === "user" ? "user" : "admin";
    localStorage.setItem(ROLE_KEY, app.role);
    render();
  });
  // Links, the Back/Forward buttons and typed URLs: never carry a secret over.
  window.addEventListener("hashchange", () => render());
  // Leaving the page (also into the back-forward cache): drop the secret.
  window.addEventListener("pagehide", () => {
    app.revealed = null;
    for (const el of document.querySelectorAll("[data-secret]")) el.textContent = "";
  });
  try {
    app.config = await loadConfig();
    app.store = await openStore(app.config, { actor: () => app.actor });
  } catch (e) {
    if (app.config?.store === "edge") {
      // No store, so nobody is signed in (the demo's people belong to IndexedDB).
      roleSelect.replaceChildren(h("option", {}, "Not signed in"));
      roleSelect.disabled = true;
    }
    const instance = problemView(app, e, { unexpected: !isFatal(e) });
    replace(main, instance.node);
    document.title = `${instance.title} · Web Portal`;
    document.documentElement.dataset.ready = "true";
    return;
  }
  describeStore(app.store);
  app.store.subscribe(onExternalChange);
  await render();
  document.documentElement.dataset.ready = "true";
}

start().catch((e) => {
  replace(
    main,
    h("p", { class: "notice notice-error", role: "alert" }, `The portal could not start: ${e?.message ?? e}`),
  );
});
