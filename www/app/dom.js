// A tiny DOM builder. Text is always set as text (never parsed as HTML), so
// names and descriptions typed by users cannot inject markup.

/**
 * h("button", { class: "button", onclick: f, "aria-label": "Close" }, "×")
 * Attributes: `class`, `text`, `on<event>` handlers, `dataset` and `style` (objects),
 * booleans (true sets the attribute, false/null/undefined omits it), strings.
 * Children: nodes, strings, numbers, arrays, and null/false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") el.textContent = String(value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    // Styles go through the CSSOM (allowed by the page's CSP, unlike style="").
    else if (name === "style") Object.assign(el.style, value);
    else if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "value" && "value" in el) el.value = value;
    else if (name === "checked" || name === "selected") el[name] = Boolean(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces all children of `parent`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

let ids = 0;
/** A document-unique id with a readable prefix. */
export function uid(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A small inline SVG icon from a path (decorative: hidden from assistive tech). */
export function icon(path, cls = "icon") {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", cls);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const p = document.createElementNS(ns, "path");
  p.setAttribute("d", path);
  svg.append(p);
  return svg;
}

export const icons = {
  plus: "M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z",
  copy: "M8 3h11a2 2 0 0 1 2 2v11h-2V5H8zM5 7h10a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V9a2 2 0 0 1 2-2m0 2v10h10V9z",
  warning: "M12 2 1 21h22zm0 4.5L19.5 19h-15zM11 10v4h2v-4zm0 6v2h2v-2z",
  info: "M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20m0 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16m-1 7h2v6h-2zm0-4h2v2h-2z",
  key: "M7 14a5 5 0 1 1 4.58-7H22v4h-2v3h-4v-3h-4.42A5 5 0 0 1 7 14m0-3a2 2 0 1 0 0-4 2 2 0 0 0 0 4",
  lock: "M12 2a5 5 0 0 1 5 5v3h1a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2h1V7a5 5 0 0 1 5-5m0 2a3 3 0 0 0-3 3v3h6V7a3 3 0 0 0-3-3",
  trash: "M9 3h6l1 1h4v2H4V4h4zM6 8h12l-1 13H7zm3 2v9h2v-9zm4 0v9h2v-9z",
  refresh: "M12 4a8 8 0 0 1 7.75 6h-2.1A6 6 0 1 0 18 14h2.06A8 8 0 1 1 12 4m5-1 4 4-4 4z",
  send: "M3 20V4l19 8zm2-3 11.85-5L5 7v3.5l6 1.5-6 1.5z",
  table: "M3 4h18v16H3zm2 2v3h14V6zm0 5v3h6v-3zm8 0v3h6v-3zm-8 5v2h6v-2zm8 0v2h6v-2z",
  download: "M11 3h2v9.17l3.59-3.58L18 10l-6 6-6-6 1.41-1.41L11 12.17zM4 18h16v2H4z",
  edit: "M4 17.25V20h2.75L17.81 8.94l-2.75-2.75zM20.71 7.04a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75z",
  chart: "M4 20V10h3v10zm6 0V4h3v16zm6 0v-7h3v7z",
};
