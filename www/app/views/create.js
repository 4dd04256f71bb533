// Users & Groups > API Keys > Create an API Key: Name (required), Description
// (optional), Access: Read-Only, and Create. The library checks everything;
// its errors (blank name, limit reached, not an admin) show beside the form.
import { h, icon, icons, replace } from "../dom.js";
import { number } from "../format.js";
import { isFatal } from "../store.js";
import { notice, pageHeader, showKeyFormError } from "../ui.js";
import { CRUMBS } from "./list.js";
import { notAdminView } from "./problem.js";

export async function createView(app) {
  const crumbs = [...CRUMBS, { label: "Create an API Key" }];
  let list;
  try {
    list = await app.store.listKeys();
  } catch (e) {
    if (e?.code === "NOT_ADMIN") return notAdminView(app, e, crumbs);
    throw e;
  }

  const errorBox = h("div", { id: "create-errors", class: "form-errors", role: "alert", "aria-live": "assertive" });
  const limitBox = h("div", { id: "create-limit" });
  const nameHint = h(
    "p",
    { class: "hint", id: "name-hint" },
    "Use a name that identifies the connected system — for example, Salesforce Integration or Custom Reporting App.",
  );
  const nameError = h("p", { class: "field-error", id: "name-error" });
  const descriptionError = h("p", { class: "field-error", id: "description-error" });
  const name = h("input", {
    id: "key-name",
    name: "name",
    type: "text",
    required: true,
    maxlength: "100",
    autocomplete: "off",
    placeholder: "Salesforce Integration",
    "aria-describedby": "name-hint name-error",
  });
  const description = h("textarea", {
    id: "key-description",
    name: "description",
    rows: "3",
    maxlength: "500",
    placeholder: "Syncs closed opportunities from Salesforce every hour.",
    "aria-describedby": "description-hint description-error",
  });
  const readOnly = h("input", {
    id: "key-read-only",
    name: "readOnly",
    type: "checkbox",
    "aria-describedby": "read-only-hint",
  });
  const submit = h("button", { type: "submit", class: "button button-primary" }, "Create");

  function showLimit(current) {
    replace(
      limitBox,
      current.keys.length >= current.applicationLimit
        ? notice(
            "warning",
            `This account already has ${current.keys.length} of ${current.applicationLimit} API key applications. To create an additional API key, first delete an existing application.`,
          )
        : null,
    );
  }
  showLimit(list);

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
      "aria-labelledby": "create-heading",
      onsubmit: async (event) => {
        event.preventDefault();
        clearErrors();
        submit.disabled = true;
        const input = { name: name.value, description: description.value, readOnly: readOnly.checked };
        try {
          const created = await app.store.createKey(input);
          app.go(`/api-keys/${created.keyId}`, {
            reveal: { keyId: created.keyId, secret: created.secret, setAt: created.secretSetAt, kind: "created" },
          });
        } catch (e) {
          if (isFatal(e)) return app.render(); // the data cannot be reached: the problem page
          submit.disabled = false;
          showKeyFormError(e, { errorBox, name, nameError, description, descriptionError });
        }
      },
    },
    h("h2", { id: "create-heading", class: "visually-hidden" }, "New API key application"),
    h(
      "div",
      { class: "field" },
      h(
        "div",
        { class: "label-row" },
        h("label", { for: "key-name" }, "Name"),
        h("span", { class: "required", "aria-hidden": "true" }, "*"),
      ),
      nameHint,
      name,
      nameError,
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "key-description" }, "Description", h("span", { class: "optional" }, " (optional)")),
      h("p", { class: "hint", id: "description-hint" }, "The application's purpose."),
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
        "A read-only key can retrieve data but can't create, update, or delete records through the API. Leave it clear for full access.",
      ),
    ),
    notice(
      "warning",
      "A full-access API key has the same permissions as an Admin user. A read-only key has fewer permissions but can still access sensitive company information. Store your API Key ID and Secret according to your company's security policies.",
    ),
    h(
      "div",
      { class: "form-actions" },
      submit,
      h("a", { class: "button button-secondary", href: "#/api-keys" }, "Cancel"),
    ),
  );

  return {
    title: "Create an API Key",
    nav: "api-keys",
    node: h(
      "div",
      { class: "page" },
      pageHeader({
        crumbs,
        title: "Create an API Key",
        lede: "Create an API key when you want to integrate a third-party system or custom application. After you select Create, the API Key details page shows the API Key ID and API Key Secret.",
      }),
      h(
        "div",
        { class: "form-layout" },
        form,
        h(
          "aside",
          { class: "form-aside", "aria-label": "Messages" },
          errorBox,
          limitBox,
          h(
            "div",
            { class: "card aside-card" },
            h("h2", {}, icon(icons.info), " Before you start"),
            h(
              "ul",
              {},
              h("li", {}, `You can create up to ${list.applicationLimit} API key applications per account.`),
              h("li", {}, `Each application supports a maximum of ${list.connectionLimit} concurrent connections.`),
              h(
                "li",
                {},
                `The account is limited to ${number(list.dailyLimit)} API calls per day, shared across all API keys.`,
              ),
            ),
          ),
        ),
      ),
    ),
    /** Another tab changed the data: update the limit notice, keep what was typed. */
    async refresh() {
      const current = await app.store.listKeys();
      showLimit(current);
    },
  };
}
