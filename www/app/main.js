// The portal's entry: opens the store, routes by the URL's hash, re-renders
// when another tab changes the data, and keeps a just-issued secret in memory
// only while its details page stays open.
import { h, replace } from "./dom.js";
import { Store, StateError } from "./store.js";
import { listView } from "./views/list.js";
import { createView } from "./views/create.js";
import { detailsView } from "./views/details.js";
import { consoleView } from "./views/console.js";
import { problemView, notFoundView } from "./views/problem.js";

const ROLE_KEY = "apikeys-portal:signed-in-as";
const main = document.getElementById("main");
const roleSelect = document.getElementById("signed-in-as");

/** What every view gets. */
const app = {
  store: null,
  /** "admin" or "user": who is signed in (the library enforces what each may do). */
  role: "admin",
  get actor() {
    return { role: this.role };
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
    instance = e instanceof StateError ? problemView(app, e) : problemView(app, e, { unexpected: true });
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
    app.store = await Store.open();
  } catch (e) {
    const instance = problemView(app, e, { unexpected: !(e instanceof StateError) });
    replace(main, instance.node);
    document.title = `${instance.title} · Web Portal`;
    return;
  }
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
