// The Upload page: many files, dropped or chosen, each with its own progress, then its
// thumbnail once the server has processed it.
//
// With the session (no key in the page): the upload is created through the Resource API
// (api() sends the CSRF token and the environment), the bytes go to its signed upload_url with
// the browser SDK's sendUpload (XMLHttpRequest progress), then the image is read until it is
// READY or QUARANTINE.

import { api, errorMessage } from "/dashboard/static/dashboard.js";
import { sendUpload } from "/sdk/imgwire.js";

// At most this many files send their bytes at once; the others wait their turn.
const PARALLEL = 3;
const POLL_MS = 500;
const PROCESSING_WAIT_MS = 120_000;

const list = document.getElementById("uploads");
const waiting = [];
let running = 0;

function row(file) {
  const item = document.createElement("li");
  item.className = "upload-row";
  const thumb = document.createElement("span");
  thumb.className = "thumb";
  const name = document.createElement("span");
  name.className = "upload-name";
  name.textContent = file.name;
  const progress = document.createElement("progress");
  progress.max = 100;
  progress.value = 0;
  progress.setAttribute("aria-label", `Upload of ${file.name}`);
  const state = document.createElement("span");
  state.className = "upload-state";
  state.setAttribute("role", "status");
  state.textContent = "Waiting";
  item.append(thumb, name, progress, state);
  list.append(item);
  document.getElementById("uploads-empty").hidden = true;
  return { item, thumb, name, progress, state };
}

class Failed extends Error {}

async function json(response) {
  if (!response.ok) throw new Failed(await errorMessage(response));
  return response.json();
}

async function processed(imageId) {
  const deadline = Date.now() + PROCESSING_WAIT_MS;
  for (;;) {
    const image = await json(await api(`/api/v1/images/${encodeURIComponent(imageId)}`));
    if (image.status === "READY" || image.status === "QUARANTINE") return image;
    if (Date.now() > deadline) throw new Failed(`Still ${image.status.toLowerCase()}; see Images later.`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function upload(file, view) {
  view.state.textContent = "Starting";
  const created = await json(
    await api("/api/v1/images/standard_upload", {
      method: "POST",
      json: { file_name: file.name || "upload", content_length: file.size },
    }),
  );
  view.state.textContent = "Sending 0%";
  await sendUpload(created.upload_url, file, {
    onProgress: ({ percent }) => {
      view.progress.value = percent;
      view.state.textContent = percent < 100 ? `Sending ${percent}%` : "Processing";
    },
  });
  const image = await processed(created.image.id);
  view.item.dataset.imageId = image.id;
  view.item.dataset.status = image.status;
  const link = document.createElement("a");
  link.href = `/dashboard/images/${image.id}${location.search}`;
  link.textContent = file.name;
  view.name.replaceChildren(link);
  if (image.status === "READY") {
    const img = document.createElement("img");
    img.src = `${image.cdn_url}@thumbnail`;
    img.alt = "";
    img.width = 64;
    img.height = 64;
    view.thumb.replaceWith(img);
    view.state.textContent = `Ready, ${image.width}×${image.height}`;
  } else {
    view.state.textContent = "Quarantined: the file is not an image the server accepts";
    view.state.classList.add("error");
  }
}

async function next() {
  while (running < PARALLEL && waiting.length) {
    const { file, view } = waiting.shift();
    running += 1;
    upload(file, view)
      .catch((error) => {
        view.item.dataset.status = "FAILED";
        view.state.textContent = `Failed: ${error.message}`;
        view.state.classList.add("error");
      })
      .finally(() => {
        running -= 1;
        next();
      });
  }
}

function add(files) {
  for (const file of files) waiting.push({ file, view: row(file) });
  next();
}

const input = document.getElementById("upload-files");
input.addEventListener("change", () => {
  add([...input.files]);
  input.value = "";
});

const zone = document.getElementById("drop-zone");
zone.addEventListener("dragover", (event) => {
  event.preventDefault();
  zone.classList.add("dragging");
});
zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  zone.classList.remove("dragging");
  add([...event.dataTransfer.files]);
});
