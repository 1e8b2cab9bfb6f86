// The playground: the fields become a CDN URL as they change; the result shows what the CDN
// renders for it, or the CDN's own message when a value is refused (its 400's detail).

import { copyText, errorMessage } from "/dashboard/static/dashboard.js";

// Fields that are parameters, in the order the URL lists them.
const FIELDS = ["width", "height", "resizing_type", "gravity", "enlarge", "format", "quality", "rotate", "blur"];
// Typing settles before the CDN is asked for a render.
const SETTLE_MS = 300;

const form = document.getElementById("controls");

function buildUrl() {
  const base = form.dataset.cdnUrl;
  const preset = form.elements.preset.value;
  const query = new URLSearchParams();
  for (const name of FIELDS) {
    const value = form.elements[name].value.trim();
    if (value) query.append(name, value);
  }
  // "More parameters" as the user wrote them, re-encoded; a name given twice reaches the CDN
  // twice, and its 400 says so.
  for (const [name, value] of new URLSearchParams(form.elements.more.value.trim())) {
    query.append(name, value);
  }
  const search = query.toString();
  return `${base}${preset ? `@${preset}` : ""}${search ? `?${search}` : ""}`;
}

const urlText = document.getElementById("result-url");
const open = document.getElementById("open-url");
const image = document.getElementById("result-image");
const state = document.getElementById("result-state");
const problem = document.getElementById("result-error");
let timer = null;
let shown = null;

function update() {
  const url = buildUrl();
  urlText.textContent = url;
  open.href = url;
  clearTimeout(timer);
  timer = setTimeout(() => render(url), SETTLE_MS);
}

function render(url) {
  if (url === shown) return;
  shown = url;
  state.textContent = "Rendering…";
  problem.textContent = "";
  image.hidden = false;
  image.src = url;
}

image.addEventListener("load", () => {
  if (image.src !== shown && shown !== null) return;
  image.dataset.url = image.src;
  state.textContent = `Rendered: ${image.naturalWidth} × ${image.naturalHeight} px`;
});

image.addEventListener("error", async () => {
  const url = shown;
  image.hidden = true;
  state.textContent = "";
  let message = "The CDN did not return an image for this URL.";
  try {
    const response = await fetch(url, { credentials: "omit" });
    if (!response.ok) message = `${response.status}: ${await errorMessage(response)}`;
  } catch (error) {
    // A CDN on another origin: the page may not read its answer; the generic message stays.
  }
  if (url === shown) problem.textContent = message;
});

form.addEventListener("input", update);
form.addEventListener("change", update);
form.addEventListener("reset", () => setTimeout(update, 0));
form.addEventListener("submit", (event) => event.preventDefault());
document.getElementById("copy-url").addEventListener("click", () => copyText(buildUrl()));
update();
