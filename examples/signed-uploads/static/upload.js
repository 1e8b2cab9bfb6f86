// The upload form: a token from this app's backend, then the bytes straight to imgwired.
import { ImgwireClient, ImgwireError } from "@imgwired/js";

const settings = JSON.parse(document.getElementById("imgwire-settings").textContent);
const form = document.getElementById("upload-form");
const button = document.getElementById("upload-button");
const progress = document.getElementById("upload-progress");
const status = document.getElementById("upload-status");
const result = document.getElementById("upload-result");

// "?reuse-token" keeps the first token and sends it again with every later upload, to show
// what imgwired answers to a token that has already been spent. Never do this for real.
const reuseToken = new URLSearchParams(location.search).has("reuse-token");
let lastToken = null;

async function getUploadToken() {
  if (reuseToken && lastToken) return lastToken;
  const response = await fetch(settings.tokenUrl, { method: "POST" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.detail ?? `Could not get an upload token (${response.status})`);
  }
  lastToken = body.uploadToken;
  return lastToken;
}

const client = new ImgwireClient({
  apiKey: settings.clientKey,
  baseUrl: settings.imgwiredUrl,
  getUploadToken,
});

function show(text, state) {
  status.textContent = text;
  status.dataset.state = state;
}

function reportProgress({ percent }) {
  progress.value = percent;
  form.dispatchEvent(new CustomEvent("imgwire:progress", { detail: { percent } }));
  show(percent < 100 ? `Uploading… ${percent}%` : "Processing…", "busy");
}

function describe(error) {
  if (error instanceof ImgwireError && error.status) {
    return `Upload refused (${error.status} ${error.errorType ?? "error"}): ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = form.elements.file.files[0];
  if (!file) {
    show("Choose an image first.", "error");
    return;
  }
  button.disabled = true;
  progress.value = 0;
  result.hidden = true;
  show(`Uploading ${file.name}…`, "busy");
  try {
    const image = await client.images.upload(file, { onProgress: reportProgress });
    if (image.status !== "READY") {
      show(`imgwired did not accept ${file.name} as an image (${image.status}).`, "error");
      return;
    }
    result.src = image.cdn_url;
    result.alt = image.original_filename;
    await result.decode();
    result.hidden = false;
    show(`Uploaded ${image.original_filename}: ${image.width}×${image.height}.`, "done");
  } catch (error) {
    show(describe(error), "error");
  } finally {
    button.disabled = false;
  }
});

show("Choose an image.", "ready");
