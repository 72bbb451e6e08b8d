/**
 * The "Telephony connector" tab (HowTo §2.2): the tenant's API key — masked, copy, regenerate —
 * and the connector list with each OSBiz system's trunk, `gtc-012  OSBIZ  ● Available`, kept live.
 */

import { watch } from "./admin-refresh.js";
import { getJson, request } from "./api.js";
import { h, renderIfChanged, table, time } from "./dom.js";

const REGENERATE_WARNING =
  "Regenerate the API key?\n\nThe old key stops working at once: every OpenScape Business system " +
  "that uses it loses its connection to the REST API until the new key is entered in its Unify " +
  "Phone Connectivity wizard.";

const base = (tenant) => `/api/admin/tenants/${encodeURIComponent(tenant.id)}`;

/** The key with all but its last four characters hidden. */
export function masked(key) {
  return `${"•".repeat(Math.max(8, key.length - 4))}${key.slice(-4)}`;
}

export function connectorTab(container, tenant, { report }) {
  const key = { value: tenant.apiKey, shown: false };
  const keyText = h("code", { id: "api-key", class: "api-key" });
  const showButton = h("button", { type: "button", id: "show-api-key", "aria-pressed": "false" }, "show");
  const showKey = () => {
    keyText.textContent = key.shown ? key.value : masked(key.value);
    showButton.setAttribute("aria-pressed", String(key.shown));
    showButton.textContent = key.shown ? "hide" : "show";
  };
  showButton.addEventListener("click", () => {
    key.shown = !key.shown;
    showKey();
  });
  const copyButton = h("button", { type: "button", id: "copy-api-key" }, "copy");
  copyButton.addEventListener("click", () => copyKey(key.value, keyText, report));
  const regenerateButton = h(
    "button",
    { type: "button", id: "regenerate-api-key", class: "danger" },
    "regenerate",
  );
  regenerateButton.addEventListener("click", async () => {
    if (!window.confirm(REGENERATE_WARNING)) return;
    try {
      key.value = (
        await (await request(`${base(tenant)}/api-key/regenerate`, { method: "POST" })).json()
      ).apiKey;
      key.shown = false;
      showKey();
      report("API key regenerated: the old key no longer works. Enter the new key in OpenScape Business.");
    } catch (error) {
      report(error);
    }
  });
  showKey();

  const connectors = h("div", { id: "connectors" }, h("p", { class: "muted" }, "Loading…"));
  container.append(
    h(
      "section",
      { class: "panel", "aria-labelledby": "api-key-title" },
      h("h3", { id: "api-key-title" }, "API key"),
      h(
        "p",
        { class: "muted" },
        "Enter this key in the Unify Phone Connectivity wizard of each OpenScape Business system that joins this tenant.",
      ),
      h("div", { class: "key-row" }, keyText, showButton, copyButton, regenerateButton),
      h("p", { class: "warnings" }, "Regenerating the key makes the old one stop working at once."),
    ),
    h(
      "section",
      { class: "panel", "aria-labelledby": "connectors-title" },
      h("h3", { id: "connectors-title" }, "Telephony status"),
      connectors,
    ),
  );
  // Live: a connector event of this tenant refreshes the list at once; polling while the stream is down.
  return watch(
    async () =>
      renderIfChanged(connectors, await getJson(`${base(tenant)}/connectors?limit=1000`), connectorList),
    {
      report,
      events: ["connector", "resync"],
      accept: (data) => !data?.tenantId || data.tenantId === tenant.id,
    },
  );
}

/** navigator.clipboard where the page may write to it; otherwise the key is selected for Ctrl+C. */
async function copyKey(value, keyText, report) {
  try {
    await navigator.clipboard.writeText(value);
    report("API key copied to the clipboard.");
  } catch {
    keyText.textContent = value;
    getSelection().selectAllChildren(keyText);
    report("The browser refused the clipboard: the key is selected, press Ctrl+C to copy it.");
  }
}

function connectorList(list) {
  if (list.length === 0)
    return h(
      "p",
      { class: "empty" },
      "No telephony connector yet: run the Unify Phone Connectivity wizard in OpenScape Business with this tenant's API key.",
    );
  const rows = list.map((c) =>
    h(
      "tr",
      { class: "telephony-connector", "data-connector": c.name },
      h("td", { class: "mono" }, c.name),
      h("td", {}, c.type),
      h(
        "td",
        {},
        h(
          "span",
          { class: `status ${c.status}` },
          h("span", { class: "dot", "aria-hidden": "true" }, "●"),
          " ",
          c.status === "available" ? "Available" : "Unavailable",
        ),
      ),
      h("td", { class: "mono" }, c.systemId),
      h("td", {}, c.simultaneousCalls),
      h("td", {}, time(c.registeredAt)),
    ),
  );
  return table(["Name", "Type", "Status", "System", "Simultaneous calls", "Registered (UTC)"], rows);
}
