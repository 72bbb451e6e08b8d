import { getJson } from "./api.js";
import { h, table, time } from "./dom.js";
import { href } from "./router.js";

/** Tenant ids whose "diagnose" panel is open; their diagnosis is fetched on every poll. */
const diagnosing = new Set();

/** Every tenant with its connectors' live status (and its diagnosis when open). */
export async function loadTenants() {
  const tenants = await getJson("/api/admin/tenants");
  return Promise.all(
    tenants.map(async (t) => {
      const base = `/api/admin/tenants/${encodeURIComponent(t.id)}`;
      const [connectors, diagnosis] = await Promise.all([
        getJson(`${base}/connectors`),
        diagnosing.has(t.id) ? getJson(`${base}/diagnose`) : null,
      ]);
      // checkedAt changes on every poll: leaving it out keeps an unchanged diagnosis from re-rendering.
      return {
        id: t.id,
        name: t.name,
        flavour: t.flavour,
        connectors,
        diagnosis: diagnosis && plain(diagnosis),
      };
    }),
  );
}

export function renderTenants(tenants, { refreshNow }) {
  if (tenants.length === 0)
    return h(
      "p",
      { class: "empty" },
      "No tenants yet: create one under ",
      h("a", { href: href("tenants") }, "Tenants"),
      " (or POST /api/admin/tenants, or a seed).",
    );
  return tenants.map((t) => {
    const open = diagnosing.has(t.id);
    const toggle = () => {
      if (open) diagnosing.delete(t.id);
      else diagnosing.add(t.id);
      refreshNow();
    };
    return h(
      "article",
      { class: "tenant", "data-tenant": t.name },
      h(
        "div",
        { class: "tenant-head" },
        h(
          "h3",
          {},
          h("a", { href: href("tenants", t.id, "connector"), title: "open in the admin app" }, t.name),
        ),
        h("span", { class: "muted" }, `${t.flavour} · ${t.id}`),
        h(
          "button",
          { type: "button", class: "diagnose", "aria-pressed": String(open), onclick: toggle },
          "diagnose",
        ),
      ),
      connectorsTable(t.connectors),
      open && t.diagnosis && diagnosisView(t.diagnosis),
    );
  });
}

function connectorsTable(connectors) {
  if (connectors.length === 0) return h("p", { class: "empty" }, "No PBX system provisioned.");
  const rows = connectors.map((c) =>
    h(
      "tr",
      { class: "connector" },
      h("td", {}, c.name),
      h("td", {}, c.systemId),
      h("td", {}, h("span", { class: `badge ${c.status}` }, c.status)),
      h("td", { class: "mono wrap" }, c.contact ?? "—"),
      h("td", {}, time(c.registeredAt)),
      h("td", {}, time(c.expiresAt)),
    ),
  );
  return table(["connector", "system", "status", "contact", "registered (UTC)", "expires (UTC)"], rows);
}

function plain(d) {
  const trunkNotes = d.trunks.flatMap((t) => t.notes.map((n) => `${t.name}: ${n}`));
  return { ok: d.ok, problems: d.problems, warnings: d.warnings ?? [], notes: [...d.notes, ...trunkNotes] };
}

function diagnosisView(d) {
  return h(
    "div",
    { class: "diagnosis" },
    h("p", { class: d.ok ? "ok" : "problem" }, d.ok ? "No problems found." : "What is wrong right now:"),
    d.problems.length > 0 &&
      h(
        "ul",
        { class: "problems" },
        d.problems.map((p) => h("li", {}, p)),
      ),
    d.warnings.length > 0 &&
      h(
        "ul",
        { class: "warnings" },
        d.warnings.map((w) => h("li", {}, w)),
      ),
    d.notes.length > 0 &&
      h(
        "ul",
        { class: "notes" },
        d.notes.map((n) => h("li", {}, n)),
      ),
  );
}
