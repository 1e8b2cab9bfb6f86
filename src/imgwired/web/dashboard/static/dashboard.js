// Shared helpers of the dashboard's pages, as an ES module: no build step, no inline script.
//
//   import { api, flash, copyText } from "/dashboard/static/dashboard.js";
//   const response = await api("/api/v1/images/?limit=20");
//
// Every page loads this module from the layout; a page's own module imports what it needs.

/** The content of <meta name="NAME">, or null. */
function meta(name) {
  const element = document.querySelector(`meta[name="${name}"]`);
  return element ? element.content : null;
}

/** The session's CSRF token: sent with every request that changes something. */
export const csrfToken = () => meta("csrf-token");

/** The environment the page works in (the switcher's choice). */
export const environmentId = () => meta("environment-id");

/**
 * fetch() on the Resource API with the dashboard session: same-origin credentials (the
 * HttpOnly session cookie), the page's environment in X-Environment-Id and the CSRF token.
 * A JSON body may be given as `json`. Resolves to the Response; never throws on HTTP errors.
 */
export async function api(path, { json, headers, ...init } = {}) {
  const sent = new Headers(headers || {});
  const environment = environmentId();
  if (environment && !sent.has("X-Environment-Id")) sent.set("X-Environment-Id", environment);
  const token = csrfToken();
  if (token) sent.set("X-CSRF-Token", token);
  if (json !== undefined) {
    sent.set("Content-Type", "application/json");
    init.body = JSON.stringify(json);
  }
  return fetch(path, { ...init, headers: sent, credentials: "same-origin" });
}

/** The `detail` of an error response as one sentence. */
export async function errorMessage(response) {
  try {
    const body = await response.json();
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.detail)) return body.detail.map((item) => item.msg).join("; ");
  } catch (error) {
    // Not JSON: fall through to the status line.
  }
  return `${response.status} ${response.statusText}`;
}

/** Show a message in the page's live region (#flash); kind is "info" or "error". */
export function flash(message, kind = "info") {
  const region = document.getElementById("flash");
  if (!region) return;
  const item = document.createElement("p");
  item.className = `flash-${kind}`;
  item.textContent = message;
  region.replaceChildren(item);
}

/** Copy text to the clipboard and say so. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    flash("Copied.");
  } catch (error) {
    flash("Copying is not allowed here; select the text and copy it.", "error");
  }
}

/** Buttons with data-copy="TEXT" copy it; selects with data-autosubmit submit their form. */
function enhance(root) {
  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy]");
    if (button) copyText(button.dataset.copy);
  });
  for (const select of root.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  document.documentElement.classList.add("js");
}

enhance(document);
