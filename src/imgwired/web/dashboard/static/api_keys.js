// The API keys page: create a key (its secret shown once, with a copy button), revoke one after
// a confirmation, change a client key's upload settings.

import { api, errorMessage, flash } from "/dashboard/static/dashboard.js";
import { reloadWith, sendForm } from "/dashboard/static/forms.js";

const KEYS = "/api/v1/api_keys/";

/** A number field as the API reads it: a number, or the text as typed so its message says why. */
function integer(field) {
  const text = field.value.trim();
  return /^\d+$/.test(text) ? Number(text) : text;
}

/** The client settings of `form`, named as the API names them. */
function clientSettings(form) {
  const fields = form.elements;
  const types = [...form.querySelectorAll("input[name=allowed_mime_types]:checked")].map(
    (box) => box.value,
  );
  return {
    allow_unsigned_upload: fields.allow_unsigned_upload.checked,
    maximum_upload_bytes: integer(fields.maximum_upload_bytes),
    maximum_pending_uploads: integer(fields.maximum_pending_uploads),
    // None checked: every supported type.
    allowed_mime_types: types.length ? types : null,
  };
}

const createForm = document.getElementById("key-create");
const clientOnly = createForm.querySelector(".client-only");

function showClientSettings() {
  clientOnly.hidden = createForm.elements.key_type.value !== "CLIENT";
}
for (const radio of createForm.querySelectorAll("input[name=key_type]")) {
  radio.addEventListener("change", showClientSettings);
}
showClientSettings();

createForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const keyType = createForm.elements.key_type.value;
  const json = { name: createForm.elements.name.value, key_type: keyType };
  if (keyType === "CLIENT") Object.assign(json, clientSettings(createForm));
  const response = await sendForm(createForm, KEYS, { json });
  if (!response) return;
  const created = await response.json();
  const secret = created.client_key || created.server_key;
  const panel = document.getElementById("new-secret");
  document.getElementById("new-secret-value").textContent = secret;
  document.getElementById("new-secret-copy").dataset.copy = secret;
  createForm.hidden = true;
  panel.hidden = false;
  flash(`Created ${created.name}.`);
  document.getElementById("new-secret-heading").focus();
});

// The secret leaves the page with the reload; the list then shows the key masked.
document.getElementById("new-secret-done").addEventListener("click", () => {
  document.getElementById("new-secret-value").textContent = "";
  reloadWith("The new key is listed below, masked.");
});

for (const form of document.querySelectorAll("form.key-settings-form")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const path = `${KEYS}${form.dataset.keyId}`;
    const response = await sendForm(form, path, { method: "PATCH", json: clientSettings(form) });
    if (response) reloadWith(`Saved the settings of ${(await response.json()).name}.`);
  });
}

for (const button of document.querySelectorAll("[data-revoke-key]")) {
  button.addEventListener("click", async () => {
    const { name, masked } = button.dataset;
    const question = `Revoke ${name} (${masked})? Every call made with it is refused from now on. This cannot be undone.`;
    if (!window.confirm(question)) return;
    button.disabled = true;
    const response = await api(`${KEYS}${button.dataset.revokeKey}`, { method: "DELETE" });
    button.disabled = false;
    if (response.ok) reloadWith(`Revoked ${name}.`);
    else flash(await errorMessage(response), "error");
  });
}
