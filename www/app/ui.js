// Shared pieces of the portal's pages: page headers with breadcrumbs,
// notices, the confirmation dialog, the toast and the copy button.
import { h, icon, icons, replace, uid } from "./dom.js";

/** Breadcrumb + h1 (focus target after navigation) + optional lede and actions. */
export function pageHeader({ crumbs, title, lede, actions, badge }) {
  const trail = h(
    "ol",
    {},
    crumbs.map((c, i) =>
      h(
        "li",
        {},
        i === crumbs.length - 1
          ? h("span", { "aria-current": "page" }, c.label)
          : c.href
            ? h("a", { href: c.href }, c.label)
            : h("span", {}, c.label),
      ),
    ),
  );
  return h(
    "header",
    { class: "page-header" },
    h("nav", { class: "breadcrumb", "aria-label": "Breadcrumb" }, trail),
    h(
      "div",
      { class: "page-title-row" },
      h("div", {}, h("h1", { tabindex: "-1" }, title, badge ?? null), lede ? h("p", { class: "lede" }, lede) : null),
      actions ? h("div", { class: "page-actions" }, actions) : null,
    ),
  );
}

/** A callout. kind: "info" | "warning" | "error" | "success". */
export function notice(kind, content, attrs = {}) {
  const glyph = kind === "info" || kind === "success" ? icons.info : icons.warning;
  return h(
    "div",
    { class: `notice notice-${kind}`, ...attrs },
    icon(glyph, "icon notice-icon"),
    h("div", { class: "notice-body" }, content),
  );
}

export function badge(text, kind = "neutral") {
  return h("span", { class: `badge badge-${kind}` }, text);
}

/** Asks for confirmation in the page's modal dialog; resolves true on OK. */
export function confirmDialog({ title, body, ok = "OK", danger = false }) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-title").textContent = title;
  const bodyEl = document.getElementById("confirm-body");
  bodyEl.replaceChildren(...(Array.isArray(body) ? body : [body]).map((p) => (p instanceof Node ? p : h("p", {}, p))));
  const okButton = document.getElementById("confirm-ok");
  okButton.textContent = ok;
  okButton.className = `button ${danger ? "button-danger" : "button-primary"}`;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
    okButton.focus();
  });
}

let toastTimer;
/** A short status message at the bottom of the page (announced politely). */
export function toast(message) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.classList.add("visible");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.classList.remove("visible");
    el.textContent = "";
  }, 6000);
}

/**
 * A button that copies `getText()` to the clipboard and says so beside it.
 * When the clipboard is not available it selects `selectEl`'s text instead.
 */
export function copyButton({ label, getText, selectEl }) {
  const status = h("span", { class: "copy-status", role: "status", id: uid("copy-status") });
  const button = h(
    "button",
    {
      type: "button",
      class: "button button-secondary button-small",
      "aria-label": label,
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(getText());
          status.textContent = "Copied";
        } catch {
          const el = selectEl?.();
          if (el) {
            const range = document.createRange();
            range.selectNodeContents(el);
            const sel = getSelection();
            sel.removeAllRanges();
            sel.addRange(range);
          }
          status.textContent = "Selected: press Ctrl+C (⌘C) to copy";
        }
        setTimeout(() => (status.textContent = ""), 4000);
      },
    },
    icon(icons.copy),
    h("span", {}, "Copy"),
  );
  return h("span", { class: "copy" }, button, status);
}

/** The ApiKeyError (or other) text for a person: the message, with the code. */
export function errorContent(e) {
  return [
    h("strong", {}, capitalise(e?.message ?? String(e))),
    e?.code ? h("span", { class: "error-code" }, ` (${e.code})`) : null,
  ];
}

export const capitalise = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/**
 * A refused create or edit of a key: the library's message above the form,
 * and the field it names marked and focused (the same for both forms).
 */
export function showKeyFormError(e, { errorBox, name, nameError, description, descriptionError }) {
  replace(errorBox, notice("error", [h("p", {}, errorContent(e))]));
  if (e?.code === "INVALID_NAME") {
    name.setAttribute("aria-invalid", "true");
    nameError.textContent = "Enter a name for the API key application.";
    name.focus();
  } else if (e?.code === "INVALID_DESCRIPTION") {
    description.setAttribute("aria-invalid", "true");
    descriptionError.textContent = "Shorten the description to 500 characters or fewer.";
    description.focus();
  }
}
