import { getJson, request } from "./api.js";
import { compact, h, table, time } from "./dom.js";

export const loadFaults = () => getJson("/api/admin/faults");

/** Fault rules in the order they are tried, with hit counters and a remove button each. */
export function renderFaults(faults, actions) {
  if (faults.length === 0) return h("p", { class: "empty" }, "No fault rules in force.");
  const rows = faults.map((f) =>
    h(
      "tr",
      { class: "fault", "data-fault-id": f.id },
      h("td", { class: "mono" }, f.id),
      h("td", { class: "wrap" }, f.name ?? f.description ?? "—"),
      h("td", {}, f.layer),
      h(
        "td",
        { class: "rule wrap" },
        h("div", {}, h("span", { class: "muted" }, "match "), h("code", {}, compact(f.match))),
        h("div", {}, h("span", { class: "muted" }, "action "), h("code", {}, compact(f.action))),
        h("div", {}, h("span", { class: "muted" }, "when "), h("code", {}, compact(f.when))),
      ),
      h("td", { class: "num hits" }, f.hits),
      h("td", {}, time(f.lastHitAt)),
      h(
        "td",
        {},
        h("button", { type: "button", class: "danger", onclick: () => removeFault(f.id, actions) }, "remove"),
      ),
    ),
  );
  return table(["id", "name", "layer", "rule", "hits", "last hit (UTC)", ""], rows);
}

async function removeFault(id, { refreshNow, report }) {
  if (!window.confirm(`Remove fault rule "${id}"?`)) return;
  try {
    await request(`/api/admin/faults/${encodeURIComponent(id)}`, { method: "DELETE" });
    report(`Fault rule "${id}" removed.`);
  } catch (error) {
    report(error);
  }
  refreshNow();
}
