/**
 * The administration app's tenant screens: the tenant list with "create tenant", and one tenant
 * with the HowTo's tabs (Telephony connector, Users, and JWT for Unify Video tenants).
 */

import { connectorTab } from "./admin-connector.js";
import { jwtStatusWords, jwtTab } from "./admin-jwt.js";
import { watch } from "./admin-refresh.js";
import { usersTab } from "./admin-users.js";
import { getJson, request } from "./api.js";
import { h, renderIfChanged, table, time } from "./dom.js";
import { href } from "./router.js";

const FLAVOURS = {
  openscape: "Unify Phone for OpenScape",
  video: "Unify Phone for Unify Video",
};

const TABS = [
  { id: "connector", title: "Telephony connector", mount: connectorTab },
  { id: "users", title: "Users", mount: usersTab },
  { id: "jwt", title: "JWT", mount: jwtTab, video: true },
];

const tenantUrl = (id) => `/api/admin/tenants/${encodeURIComponent(id)}`;

export const tenantsView = {
  match: (parts) => (parts[0] === "tenants" && parts.length === 1 ? {} : null),
  mount(container, _params, ctx) {
    const list = h("div", { id: "tenant-list" }, h("p", { class: "muted" }, "Loading…"));
    container.append(h("section", { class: "panel" }, h("h2", {}, "Tenants"), list), createTenantForm(ctx));
    // A tenant created or deleted elsewhere (REST, another tab) shows up.
    return watch(
      async () => renderIfChanged(list, await getJson("/api/admin/tenants?limit=1000"), tenantTable),
      { report: ctx.report, events: ["change", "resync"], pollMs: 10_000, livePollMs: 60_000 },
    );
  },
};

function tenantTable(tenants) {
  if (tenants.length === 0) return h("p", { class: "empty" }, "No tenants yet: create one below.");
  const rows = tenants.map((t) =>
    h(
      "tr",
      { class: "tenant-row", "data-tenant": t.name },
      h("td", {}, h("a", { href: href("tenants", t.id, "connector") }, t.name)),
      h("td", {}, FLAVOURS[t.flavour] ?? t.flavour),
      h("td", {}, t.flavour === "video" ? jwtStatusWords(t.jwt.status) : "—"),
      h("td", { class: "mono" }, t.id),
      h("td", {}, time(t.createdAt)),
    ),
  );
  return table(["Name", "Flavour", "JWT", "Id", "Created (UTC)"], rows);
}

function createTenantForm({ report }) {
  const name = h("input", { id: "new-tenant-name", name: "name", required: true, maxlength: 100 });
  const flavour = h(
    "select",
    { id: "new-tenant-flavour", name: "flavour" },
    Object.entries(FLAVOURS).map(([value, words]) => h("option", { value }, words)),
  );
  const apiKey = h("input", {
    id: "new-tenant-api-key",
    name: "apiKey",
    maxlength: 128,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "generated when empty",
  });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const form = h(
    "form",
    { id: "create-tenant", class: "panel form-grid" },
    h("h2", {}, "Create tenant"),
    h("label", { for: "new-tenant-name" }, "Name"),
    name,
    h("label", { for: "new-tenant-flavour" }, "Flavour"),
    flavour,
    h("label", { for: "new-tenant-api-key" }, "API key (optional, fixed)"),
    apiKey,
    h("div", { class: "form-actions" }, h("button", { type: "submit" }, "create tenant")),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const body = { name: name.value.trim(), flavour: flavour.value };
    if (apiKey.value.trim()) body.apiKey = apiKey.value.trim();
    try {
      const tenant = await (await request("/api/admin/tenants", { method: "POST", json: body })).json();
      report(`Tenant "${tenant.name}" created.`);
      location.hash = href("tenants", tenant.id, "connector");
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });
  return form;
}

/** One tenant: its name, flavour and the tabs; the tab's body comes from its module. */
export const tenantView = {
  // `#/tenants/<id>` opens the first tab.
  match: (parts) =>
    parts[0] === "tenants" &&
    (parts.length === 2 || (parts.length === 3 && TABS.some((t) => t.id === parts[2])))
      ? { tenantId: parts[1], tab: parts[2] ?? TABS[0].id }
      : null,
  mount(container, { tenantId, tab }, ctx) {
    const body = h("div", { class: "tab-body" }, h("p", { class: "muted" }, "Loading…"));
    container.append(body);
    let cleanup;
    let gone = false;
    getJson(tenantUrl(tenantId))
      .then((tenant) => {
        if (gone) return;
        const tabs = TABS.filter((t) => !t.video || tenant.flavour === "video");
        const current = tabs.find((t) => t.id === tab) ?? tabs[0];
        body.replaceChildren();
        container.prepend(tenantHead(tenant, tabs, current));
        cleanup = current.mount(body, tenant, ctx);
      })
      .catch((failure) => {
        body.replaceChildren(h("p", { class: "error", role: "alert" }, failure.message));
      });
    return () => {
      gone = true;
      if (typeof cleanup === "function") cleanup();
    };
  },
};

function tenantHead(tenant, tabs, current) {
  return h(
    "div",
    { class: "admin-head panel" },
    h("p", { class: "crumbs" }, h("a", { href: href("tenants") }, "Tenants"), " / "),
    h("h2", { id: "tenant-name" }, tenant.name),
    h("p", { class: "muted" }, `${FLAVOURS[tenant.flavour] ?? tenant.flavour} · ${tenant.id}`),
    h(
      "nav",
      { class: "tabs", "aria-label": "tenant tabs" },
      tabs.map((t) =>
        h(
          "a",
          {
            href: href("tenants", tenant.id, t.id),
            "data-tab": t.id,
            "aria-current": t === current ? "page" : undefined,
          },
          t.title,
        ),
      ),
    ),
  );
}
