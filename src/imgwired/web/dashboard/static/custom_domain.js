// The Custom domain page: add the hostname, test its DNS now, delete it. The page shows the
// stored state, so after each action it reloads and says what happened.

import { api, errorMessage, flash } from "/dashboard/static/dashboard.js";
import { reloadWith, sendForm } from "/dashboard/static/forms.js";

const DOMAIN = "/api/v1/custom_domain/";

const createForm = document.getElementById("domain-create");
if (createForm) {
  createForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const json = { hostname: createForm.elements.hostname.value.trim() };
    const response = await sendForm(createForm, DOMAIN, { json });
    if (response) {
      const created = await response.json();
      reloadWith(`Added ${created.hostname}. Create its CNAME record, then test the connection.`);
    }
  });
}

const testButton = document.getElementById("domain-test");
if (testButton) {
  testButton.addEventListener("click", async () => {
    const result = document.getElementById("domain-test-result");
    testButton.disabled = true;
    result.textContent = "Asking DNS…";
    const response = await api(`${DOMAIN}test_connection`, { method: "POST" });
    testButton.disabled = false;
    if (!response.ok) {
      result.textContent = "";
      flash(await errorMessage(response), "error");
      return;
    }
    const domain = await response.json();
    reloadWith(
      domain.status === "CONNECTED"
        ? `Connection test: ${domain.hostname} is connected.`
        : `Connection test: ${domain.hostname} is not connected yet.`,
    );
  });
}

const deleteButton = document.getElementById("domain-delete");
if (deleteButton) {
  deleteButton.addEventListener("click", async () => {
    const hostname = deleteButton.dataset.hostname;
    if (!window.confirm(`Delete ${hostname}? Images stop being served on it at once.`)) return;
    deleteButton.disabled = true;
    const response = await api(DOMAIN, { method: "DELETE" });
    deleteButton.disabled = false;
    if (response.ok) reloadWith(`Deleted ${hostname}.`);
    else flash(await errorMessage(response), "error");
  });
}
