// Edit an API key application: its name, description and access. The library
// checks everything (as when creating); an access change applies from the
// key's next call. The API Key ID and secret do not change.
import { h, replace } from "../dom.js";
import { accessLabel } from "../format.js";
import { isFatal } from "../store.js";
import { notice, pageHeader, showKeyFormError, toast } from "../ui.js";
import { CRUMBS } from "./list.js";
import { notAdminView } from "./problem.js";

export async function editView(app, keyId) {
  let list;
  try {
    list = await app.store.listKeys();
  } catch (e) {
    if (e?.code === "NOT_ADMIN") return notAdminView(app, e, [...CRUMBS, { label: "Edit" }]);
    throw e;
  }
  const key = list.keys.find((k) => k.keyId === keyId);
  if (!key) {
    return {
      title: "API key not found",
      nav: "api-keys",
      node: h(
        "div",
        { class: "page" },
        pageHeader({ crumbs: [...CRUMBS, { label: "Not found" }], title: "API key not found" }),
        notice("info", [
          h("p", {}, "This API key does not exist (it may have been deleted)."),
          h("p", {}, h("a", { href: "#/api-keys" }, "Back to API Keys")),
        ]),
      ),
    };
  }

  const errorBox = h("div", { id: "edit-errors", class: "form-errors", role: "alert", "aria-live": "assertive" });
  const staleBox = h("div", { id: "edit-stale" });
  const nameError = h("p", { class: "field-error", id: "name-error" });
  const descriptionError = h("p", { class: "field-error", id: "description-error" });
  const name = h("input", {
    id: "key-name",
    name: "name",
    type: "text",
    required: true,
    maxlength: "100",
    autocomplete: "off",
    value: key.name,
    "aria-describedby": "name-error",
  });
  const description = h("textarea", {
    id: "key-description",
    name: "description",
    rows: "3",
    maxlength: "500",
    "aria-describedby": "description-error",
  });
  description.value = key.description;
  const readOnly = h("input", {
    id: "key-read-only",
    name: "readOnly",
    type: "checkbox",
    checked: key.access === "read-only",
    "aria-describedby": "read-only-hint",
  });
  const submit = h("button", { type: "submit", class: "button button-primary" }, "Save");

  function clearErrors() {
    errorBox.replaceChildren();
    nameError.textContent = "";
    descriptionError.textContent = "";
    name.removeAttribute("aria-invalid");
    description.removeAttribute("aria-invalid");
  }

  const form = h(
    "form",
    {
      class: "card form",
      novalidate: true,
      "aria-labelledby": "edit-heading",
      onsubmit: async (event) => {
        event.preventDefault();
        clearErrors();
        // Only what changed is sent: the audit trail records exactly that.
        const changes = {};
        if (name.value !== key.name) changes.name = name.value;
        if (description.value !== key.description) changes.description = description.value;
        if (readOnly.checked !== (key.access === "read-only")) changes.readOnly = readOnly.checked;
        if (!Object.keys(changes).length) return app.go(`/api-keys/${keyId}`);
        submit.disabled = true;
        try {
          const updated = await app.store.updateKey(keyId, changes);
          app.go(`/api-keys/${keyId}`);
          toast(`Saved “${updated?.name ?? name.value}”.`);
        } catch (e) {
          if (isFatal(e)) return app.render();
          submit.disabled = false;
          showKeyFormError(e, { errorBox, name, nameError, description, descriptionError });
        }
      },
    },
    h("h2", { id: "edit-heading", class: "visually-hidden" }, "Application"),
    h(
      "div",
      { class: "field" },
      h(
        "div",
        { class: "label-row" },
        h("label", { for: "key-name" }, "Name"),
        h("span", { class: "required", "aria-hidden": "true" }, "*"),
      ),
      name,
      nameError,
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "key-description" }, "Description", h("span", { class: "optional" }, " (optional)")),
      description,
      descriptionError,
    ),
    h(
      "fieldset",
      { class: "field" },
      h("legend", {}, "Access"),
      h("div", { class: "checkbox" }, readOnly, h("label", { for: "key-read-only" }, "Read-Only")),
      h(
        "p",
        { class: "hint", id: "read-only-hint" },
        "A change of access applies from the key's next call. The API Key ID and secret stay the same.",
      ),
    ),
    h(
      "div",
      { class: "form-actions" },
      submit,
      h("a", { class: "button button-secondary", href: `#/api-keys/${keyId}` }, "Cancel"),
    ),
  );

  return {
    title: `Edit ${key.name}`,
    nav: "api-keys",
    node: h(
      "div",
      { class: "page" },
      pageHeader({
        crumbs: [...CRUMBS, { label: key.name, href: `#/api-keys/${keyId}` }, { label: "Edit" }],
        title: `Edit “${key.name}”`,
        lede: `API Key ID ${keyId} · ${accessLabel(key.access)}`,
      }),
      h(
        "div",
        { class: "form-layout" },
        form,
        h("aside", { class: "form-aside", "aria-label": "Messages" }, errorBox, staleBox),
      ),
    ),
    /** Another tab changed the data: keep what is typed; say so if the key changed or went. */
    async refresh() {
      const current = (await app.store.listKeys()).keys.find((k) => k.keyId === keyId);
      const changed =
        !current ||
        current.name !== key.name ||
        current.description !== key.description ||
        current.access !== key.access;
      replace(
        staleBox,
        !current
          ? notice("warning", "This API key was deleted meanwhile.")
          : changed
            ? notice("warning", "This application was changed elsewhere meanwhile. Saving sends only the fields you changed on this page.")
            : null,
      );
    },
  };
}
