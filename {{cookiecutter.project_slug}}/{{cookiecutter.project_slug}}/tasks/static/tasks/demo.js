// Submits the demo form without leaving the page, then polls each unfinished run until done.
(() => {
  const form = document.getElementById("demo-form");
  const tbody = document.querySelector("#runs tbody");
  const POLL_MS = 500;

  function render(row, run) {
    const status = row.querySelector(".status");
    status.textContent = run.status;
    status.className = `status status-${run.status}`;
    row.querySelector(".attempts").textContent = run.attempts;
  }

  function poll(row) {
    fetch(row.dataset.statusUrl, { headers: { Accept: "application/json" } })
      .then((response) => response.json())
      .then((run) => {
        render(row, run);
        if (run.status !== "done") setTimeout(() => poll(row), POLL_MS);
      })
      .catch(() => setTimeout(() => poll(row), POLL_MS * 4));
  }

  function addRow(run) {
    tbody.querySelector("tr.empty")?.remove();
    const row = document.createElement("tr");
    row.dataset.runId = run.id;
    row.dataset.statusUrl = run.url;
    for (const [name, value] of [
      ["id", run.id],
      ["status", run.status],
      ["seconds", run.seconds],
      ["attempts", run.attempts],
      ["created muted", new Date(run.created_at).toLocaleString()],
    ]) {
      const cell = document.createElement("td");
      cell.className = name;
      cell.textContent = value;
      row.append(cell);
    }
    tbody.prepend(row);
    return row;
  }

  // Signed-out visitors get no form (queueing needs a user), only the runs' progress.
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => response.json().then((body) => ({ ok: response.ok, body })))
      .then(({ ok, body }) => {
        if (!ok) throw new Error(body.error);
        poll(addRow(body));
      })
      .catch((error) => window.alert(`The task could not be queued: ${error.message}`));
  });

  tbody.querySelectorAll("tr[data-status-url]").forEach((row) => {
    if (!row.querySelector(".status-done")) poll(row);
  });
})();
