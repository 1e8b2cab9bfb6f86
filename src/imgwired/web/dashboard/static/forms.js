// What the CORS, API keys, Custom domain and Metrics pages share on top of dashboard.js: a form
// sent to the Resource API shows the API's own validation messages next to its fields; a page
// that changed something reloads and then says what it did; times are shown in the viewer's
// time zone.
//
//   import { sendForm, reloadWith, localTimes } from "/dashboard/static/forms.js";

import { api, errorMessage, flash } from "/dashboard/static/dashboard.js";

const PENDING_MESSAGE = "imgwired.dashboard.message";

/** The error element of the field named `name` in `form` (`data-error-for="name"`). */
function errorSlot(form, name) {
  return form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
}

/** Remove every message a previous send left in `form`. */
export function clearErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) slot.textContent = "";
  for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
}

/**
 * Put the messages of an error response next to the fields they are about: a 422's detail
 * items name their field in `loc` (["body", "max_age"]); anything else, or an item about a
 * field the form does not have, goes to the form's general slot (`data-error-for="_form"`).
 */
export async function showErrors(form, response) {
  let body = null;
  try {
    body = await response.clone().json();
  } catch (error) {
    // Not JSON: the status line below.
  }
  const general = [];
  if (body && Array.isArray(body.detail)) {
    for (const item of body.detail) {
      const name = Array.isArray(item.loc) ? item.loc[item.loc.length - 1] : null;
      const slot = name === null ? null : errorSlot(form, String(name));
      if (slot) {
        slot.textContent = item.msg;
        const field = form.elements.namedItem(String(name));
        if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
      } else {
        general.push(item.msg);
      }
    }
  } else {
    general.push(await errorMessage(response));
  }
  const slot = errorSlot(form, "_form");
  if (general.length && slot) slot.textContent = general.join("; ");
  else if (general.length) flash(general.join("; "), "error");
  const first = form.querySelector("[aria-invalid='true']");
  if (first) first.focus();
}

/**
 * Send `json` to `path` for `form`: clears its old messages, disables its buttons while the
 * request runs, shows the new messages if refused. Resolves to the Response when it succeeded,
 * null otherwise.
 */
export async function sendForm(form, path, { method = "POST", json } = {}) {
  clearErrors(form);
  const buttons = form.querySelectorAll("button");
  for (const button of buttons) button.disabled = true;
  try {
    const response = await api(path, { method, json });
    if (response.ok) return response;
    await showErrors(form, response);
    return null;
  } catch (error) {
    flash("The server could not be reached.", "error");
    return null;
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}

/** Reload the page (its lists are rendered by the server) and then show `message`. */
export function reloadWith(message) {
  sessionStorage.setItem(PENDING_MESSAGE, message);
  window.location.reload();
}

/** A comma- or line-separated text field as a list of names. */
export function names(text) {
  return text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

const TIME_FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** The viewer's IANA time zone, e.g. "Europe/Paris". */
export const viewerTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** Show every <time datetime="…"> under `root` in the viewer's time zone. */
export function localTimes(root = document) {
  for (const element of root.querySelectorAll("time[datetime]")) {
    const moment = new Date(element.getAttribute("datetime"));
    if (!Number.isNaN(moment.getTime())) element.textContent = TIME_FORMAT.format(moment);
  }
}

function showPendingMessage() {
  const message = sessionStorage.getItem(PENDING_MESSAGE);
  if (message === null) return;
  sessionStorage.removeItem(PENDING_MESSAGE);
  flash(message);
}

localTimes();
showPendingMessage();
