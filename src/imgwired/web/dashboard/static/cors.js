// The CORS page: add, change and delete origins, save the policy, explain a request. The lists
// are rendered by the server; after a change the page reloads them.

import { api, errorMessage, flash } from "/dashboard/static/dashboard.js";
import { names, reloadWith, sendForm } from "/dashboard/static/forms.js";

const ORIGINS = "/api/v1/cors_origins/";

// The reasons the CORS layer gives (the X-CORS-Error header), as a sentence each.
const REASONS = {
  allowed: "The origin is allowed and so is the request.",
  origin_not_allowed: "No pattern of this environment matches the origin.",
  method_not_allowed: "The method is not among the policy's allowed methods.",
  request_headers_too_long: "The requested headers are longer than a preflight may ask for.",
  private_network_not_allowed: "The page asks for private network access, which the policy does not allow.",
};

function reasonText(reason) {
  if (reason in REASONS) return REASONS[reason];
  if (reason.startsWith("header_not_allowed:")) {
    const header = reason.slice("header_not_allowed:".length);
    return `The request header ${header} is neither allowed by the policy nor CORS-safelisted.`;
  }
  return reason;
}

document.getElementById("origin-create").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const pattern = form.elements.pattern.value;
  const response = await sendForm(form, ORIGINS, { json: { pattern } });
  if (response) reloadWith(`Added ${(await response.json()).pattern}.`);
});

for (const form of document.querySelectorAll("form.origin-edit")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const pattern = form.elements.pattern.value;
    const path = `${ORIGINS}${form.dataset.originId}`;
    const response = await sendForm(form, path, { method: "PATCH", json: { pattern } });
    if (response) reloadWith(`Saved ${(await response.json()).pattern}.`);
  });
}

for (const button of document.querySelectorAll("[data-delete-origin]")) {
  button.addEventListener("click", async () => {
    const pattern = button.dataset.pattern;
    if (!window.confirm(`Delete the origin ${pattern}? Pages on it can no longer upload.`)) return;
    button.disabled = true;
    const response = await api(`${ORIGINS}${button.dataset.deleteOrigin}`, { method: "DELETE" });
    button.disabled = false;
    if (response.ok) reloadWith(`Deleted ${pattern}.`);
    else flash(await errorMessage(response), "error");
  });
}

document.getElementById("policy").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const fields = form.elements;
  const maxAge = fields.max_age.value.trim();
  const json = {
    allowed_methods: names(fields.allowed_methods.value),
    allowed_headers: names(fields.allowed_headers.value),
    expose_headers: names(fields.expose_headers.value),
    // A number the API can read, or the text as typed so its message says what is wrong.
    max_age: /^\d+$/.test(maxAge) ? Number(maxAge) : maxAge,
    mode: fields.mode.value,
    allow_credentials: fields.allow_credentials.checked,
    allow_private_network: fields.allow_private_network.checked,
  };
  const response = await sendForm(form, "/api/v1/cors_policy", { method: "PATCH", json });
  if (response) reloadWith("Policy saved.");
});

/** A definition list row. */
function term(list, name, value) {
  const dt = document.createElement("dt");
  dt.textContent = name;
  const dd = document.createElement("dd");
  dd.append(value);
  list.append(dt, dd);
}

function code(text) {
  const element = document.createElement("code");
  element.textContent = text;
  return element;
}

/** The headers of one decision as a small table. */
function headerTable(caption, decision) {
  const table = document.createElement("table");
  table.className = "headers";
  const title = table.createCaption();
  title.textContent = `${caption}: HTTP ${decision.status}`;
  const body = table.createTBody();
  for (const [name, value] of Object.entries(decision.headers)) {
    const row = body.insertRow();
    const header = document.createElement("th");
    header.scope = "row";
    header.append(code(name));
    row.append(header);
    row.insertCell().append(code(value));
  }
  return table;
}

function showEvaluation(result) {
  const region = document.getElementById("explain-result");
  const verdict = document.createElement("p");
  verdict.className = result.allowed ? "verdict verdict-allowed" : "verdict verdict-refused";
  verdict.id = "explain-verdict";
  verdict.textContent = result.allowed ? "Allowed" : "Refused";
  const why = document.createElement("p");
  why.textContent = result.origin_is_valid
    ? reasonText(result.reason)
    : "This is not an origin a browser would send (scheme://host[:port], nothing more), so it never matches.";
  const facts = document.createElement("dl");
  term(facts, "Matched pattern", result.matched_pattern ? code(result.matched_pattern) : "none");
  term(facts, "Preflight", result.preflight_required ? "needed (the browser asks first)" : "not needed (a simple request)");
  term(facts, "Mode", result.mode === "report_only" ? "report only: a refusal would be served and logged" : "enforce");
  const parts = [verdict, why, facts];
  if (result.preflight_required) parts.push(headerTable("Preflight answer", result.preflight));
  parts.push(headerTable("Request answer", result.request));
  region.replaceChildren(...parts);
}

document.getElementById("explain").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const json = {
    origin: form.elements.origin.value.trim(),
    method: form.elements.method.value,
    request_headers: names(form.elements.request_headers.value),
  };
  const response = await sendForm(form, `${ORIGINS}evaluate`, { json });
  if (response) showEvaluation(await response.json());
  else document.getElementById("explain-result").replaceChildren();
});
