// One image's page: delete it (after a confirmation), then back to the grid.

import { api, errorMessage, flash } from "/dashboard/static/dashboard.js";

const button = document.getElementById("delete-image");

button.addEventListener("click", async () => {
  const { imageId, name, back } = button.dataset;
  if (!window.confirm(`Delete ${name}? It stops being served at once.`)) return;
  button.disabled = true;
  const response = await api(`/api/v1/images/${encodeURIComponent(imageId)}`, {
    method: "DELETE",
  });
  if (!response.ok) {
    button.disabled = false;
    flash(await errorMessage(response), "error");
    return;
  }
  sessionStorage.setItem("imgwired-flash", `Deleted ${name}.`);
  window.location.assign(back);
});
