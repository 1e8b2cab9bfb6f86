// The Images grid: select images, then delete them or download them as one zip.
// Both are Resource API calls with the session (api() adds the CSRF token and environment).

import { api, errorMessage, flash } from "/dashboard/static/dashboard.js";

const POLL_MS = 500;
// A download job of a few images takes seconds; give up waiting after this long.
const DOWNLOAD_WAIT_MS = 10 * 60 * 1000;

const boxes = () => [...document.querySelectorAll('input[name="image_id"]')];
const chosen = () => boxes().filter((box) => box.checked);

function refresh() {
  const count = chosen().length;
  document.getElementById("selected-count").textContent = `${count} selected`;
  document.getElementById("bulk-delete").disabled = count === 0;
  document.getElementById("bulk-download").disabled = count === 0;
  const all = document.getElementById("select-all");
  all.checked = count > 0 && count === boxes().length;
  all.indeterminate = count > 0 && count < boxes().length;
}

async function bulkDelete() {
  const ids = chosen().map((box) => box.value);
  const noun = ids.length === 1 ? "image" : "images";
  if (!window.confirm(`Delete ${ids.length} ${noun}? Deleted images stop being served at once.`)) {
    return;
  }
  const response = await api("/api/v1/images/bulk_delete", {
    method: "POST",
    json: { image_ids: ids },
  });
  if (!response.ok) {
    flash(await errorMessage(response), "error");
    return;
  }
  const body = await response.json();
  sessionStorage.setItem("imgwired-flash", `Deleted ${body.deleted} ${noun}.`);
  window.location.reload();
}

async function bulkDownload() {
  const status = document.getElementById("download-status");
  const button = document.getElementById("bulk-download");
  const ids = chosen().map((box) => box.value);
  button.disabled = true;
  status.textContent = `Preparing a zip of ${ids.length} image${ids.length === 1 ? "" : "s"}…`;
  try {
    let response = await api("/api/v1/images/downloads", {
      method: "POST",
      json: { image_ids: ids },
    });
    const deadline = Date.now() + DOWNLOAD_WAIT_MS;
    for (;;) {
      if (!response.ok) {
        status.textContent = "";
        flash(await errorMessage(response), "error");
        return;
      }
      const job = await response.json();
      if (job.status === "READY") {
        const link = document.createElement("a");
        link.href = job.download_url;
        link.textContent = "Download the zip";
        link.id = "download-link";
        status.replaceChildren("The zip is ready: ", link, " (the link expires).");
        link.focus();
        return;
      }
      if (job.status === "FAILED" || Date.now() > deadline) {
        status.textContent = "The zip could not be made; try again.";
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      response = await api(`/api/v1/images/downloads/${encodeURIComponent(job.id)}`);
    }
  } finally {
    refresh();
  }
}

function start() {
  const pending = sessionStorage.getItem("imgwired-flash");
  if (pending) {
    sessionStorage.removeItem("imgwired-flash");
    flash(pending);
  }
  const form = document.getElementById("bulk");
  if (!form) return;
  for (const box of boxes()) box.addEventListener("change", refresh);
  document.getElementById("select-all").addEventListener("change", (event) => {
    for (const box of boxes()) box.checked = event.target.checked;
    refresh();
  });
  document.getElementById("bulk-delete").addEventListener("click", bulkDelete);
  document.getElementById("bulk-download").addEventListener("click", bulkDownload);
  form.addEventListener("submit", (event) => event.preventDefault());
  refresh();
}

start();
