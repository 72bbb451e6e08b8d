/**
 * The Users tab (HowTo §2.4): "Import users" from a CSV or JSON file into one OSBIZ trunk (dry
 * run; on 422 the per-row problems, nothing imported), and the user list — search, paging, Name /
 * Role / Trunk / Phone number — where a user's call behaviour can be edited and its registered
 * Unify Phone clients are listed.
 */

import { watch } from "./admin-refresh.js";
import { getJson, request } from "./api.js";
import { h, renderIfChanged, table } from "./dom.js";
import { href } from "./router.js";

const PAGE_SIZE = 25;
const MODES = ["answer", "busy", "reject", "unavailable", "no-answer", "forward", "voicemail"];
const MEDIA = ["echo", "tone", "silence"];
const ROUTING = ["parallel", "clients-only", "virtual-only"];

export function usersTab(container, tenant, { report }) {
  const base = `/api/admin/tenants/${encodeURIComponent(tenant.id)}`;
  const list = { search: "", offset: 0, editing: undefined };
  const listBody = h("div", { id: "user-list" }, h("p", { class: "muted" }, "Loading…"));
  const pager = h("div", { class: "pager" });
  const search = h("input", {
    id: "user-search",
    type: "search",
    placeholder: "Search by name, e-mail or number",
    "aria-label": "Search users",
  });
  let searchTimer;
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      list.search = search.value.trim();
      list.offset = 0;
      loadUsers().catch(report);
    }, 250);
  });

  const loadUsers = async () => {
    const query = new URLSearchParams({ offset: String(list.offset), limit: String(PAGE_SIZE) });
    if (list.search) query.set("search", list.search);
    const page = await getJson(`${base}/users?${query}`);
    showUsers(page.items);
    const { offset, total } = page;
    renderIfChanged(pager, { offset, total, count: page.items.length }, () => pagerView(page));
  };

  /** Re-rendered only when the users or the open editor change, so a refresh keeps focus. */
  const showUsers = (items) =>
    renderIfChanged(listBody, { items, editing: list.editing }, () => userTable(items));

  const pagerView = (page) => {
    const last = Math.min(page.offset + page.items.length, page.total);
    const go = (offset) => () => {
      list.offset = offset;
      loadUsers().catch(report);
    };
    return [
      h(
        "button",
        {
          type: "button",
          id: "users-prev",
          disabled: page.offset === 0,
          onclick: go(Math.max(0, page.offset - PAGE_SIZE)),
        },
        "previous",
      ),
      h(
        "span",
        { id: "users-range", class: "muted" },
        page.total === 0 ? "0 users" : `${page.offset + 1}–${last} of ${page.total}`,
      ),
      h(
        "button",
        {
          type: "button",
          id: "users-next",
          disabled: last >= page.total,
          onclick: go(page.offset + PAGE_SIZE),
        },
        "next",
      ),
    ];
  };

  const userTable = (users) => {
    if (users.length === 0)
      return h(
        "p",
        { class: "empty" },
        list.search ? "No user matches the search." : "No users yet: import a file above.",
      );
    const rows = users.flatMap((u) => {
      const row = h(
        "tr",
        { class: "user", "data-email": u.emailAddress },
        h("td", {}, `${u.firstName} ${u.lastName}`, h("div", { class: "muted" }, u.emailAddress)),
        h("td", {}, u.role === "admin" ? "Administrator" : "User"),
        h("td", { class: "mono" }, u.trunk ?? "—"),
        h("td", { class: "mono" }, u.phoneNumber ?? "—"),
        h(
          "td",
          {},
          h(
            "button",
            {
              type: "button",
              class: "edit-user",
              "aria-expanded": String(list.editing === u.id),
              onclick: () => {
                list.editing = list.editing === u.id ? undefined : u.id;
                showUsers(users);
              },
            },
            "call behaviour",
          ),
          u.callno && [
            " ",
            h(
              "a",
              { class: "desk-phone-link", href: href("tenants", tenant.id, "users", u.id, "desk-phone") },
              "desk phone",
            ),
          ],
        ),
      );
      if (list.editing !== u.id) return [row];
      return [
        row,
        h(
          "tr",
          { class: "user-edit" },
          h("td", { colspan: 5 }, behaviourForm(u), registeredClients(base, u, report)),
        ),
      ];
    });
    return table(["Name", "Role", "Trunk", "Phone number", ""], rows);
  };

  const behaviourForm = (user) => {
    const b = user.callBehaviour ?? {};
    const select = (name, options, value) =>
      h(
        "select",
        { id: `cb-${name}`, name },
        name !== "mode" && h("option", { value: "" }, "default"),
        options.map((o) => h("option", { value: o, selected: o === value }, o)),
      );
    const mode = select("mode", MODES, b.mode ?? "answer");
    const media = select("media", MEDIA, b.media);
    const routing = select("routing", ROUTING, b.routing);
    const ringMs = h("input", {
      id: "cb-ringMs",
      type: "number",
      min: 0,
      max: 600000,
      step: 100,
      value: b.ringMs ?? 1000,
    });
    const to = h("input", {
      id: "cb-to",
      value: b.to ?? "",
      placeholder: "forward target, e.g. +4923026672132",
    });
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const form = h(
      "form",
      { class: "form-grid call-behaviour" },
      h("label", { for: "cb-mode" }, "When no client answers"),
      mode,
      h("label", { for: "cb-ringMs" }, "Ring for (ms)"),
      ringMs,
      h("label", { for: "cb-media" }, "Media once answered"),
      media,
      h("label", { for: "cb-routing" }, "Routing"),
      routing,
      h("label", { for: "cb-to" }, "Forward to"),
      to,
      h(
        "div",
        { class: "form-actions" },
        h("button", { type: "submit" }, "save"),
        h("button", { type: "button", onclick: () => close() }, "cancel"),
      ),
      error,
    );
    const close = () => {
      list.editing = undefined;
      loadUsers().catch(report);
    };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      const callBehaviour = { mode: mode.value, ringMs: Number(ringMs.value) };
      if (media.value) callBehaviour.media = media.value;
      if (routing.value) callBehaviour.routing = routing.value;
      if (to.value.trim()) callBehaviour.to = to.value.trim();
      try {
        await request(`${base}/users/${encodeURIComponent(user.id)}`, {
          method: "PATCH",
          json: { callBehaviour },
        });
        report(`Call behaviour of ${user.firstName} ${user.lastName} saved.`);
        close();
      } catch (failure) {
        error.textContent = failure.message;
        error.hidden = false;
      }
    });
    return form;
  };

  container.append(
    importPanel(base, report, () => {
      list.offset = 0;
      return loadUsers();
    }),
    h(
      "section",
      { class: "panel", "aria-labelledby": "users-title" },
      h("h3", { id: "users-title" }, "Users"),
      h("div", { class: "toolbar" }, search, pager),
      listBody,
    ),
  );
  // Users changed elsewhere (REST, the OSBiz wizard) show up; not while a call behaviour is edited.
  const stop = watch(
    async () => {
      if (list.editing === undefined) await loadUsers();
    },
    {
      report,
      events: ["change", "resync"],
      accept: (data) => !data?.tenantId || (data.tenantId === tenant.id && /\/users/.test(data.route ?? "")),
      pollMs: 10_000,
      livePollMs: 60_000,
    },
  );
  return () => {
    stop();
    clearTimeout(searchTimer);
  };
}

/**
 * The user's registered Unify Phone clients — who rings on a call to the user — loaded when
 * the user's row opens: kind (browser / node / unknown), user agent, since, expiry, connection.
 */
function registeredClients(base, user, report) {
  const box = h(
    "div",
    { class: "registered-clients" },
    h("p", { class: "muted" }, "Loading registered clients…"),
  );
  getJson(`${base}/users/${encodeURIComponent(user.id)}/registrations`)
    .then(({ registrations }) => {
      const rows = registrations.map((r) =>
        h(
          "tr",
          { class: "client-registration" },
          h("td", {}, r.kind),
          h("td", {}, r.userAgent ?? "—"),
          h("td", { class: "mono" }, r.since),
          h("td", {}, `${r.expires} s`),
          h(
            "td",
            { class: "mono" },
            `${r.connection.transport} ${r.connection.remoteAddress}:${r.connection.remotePort}`,
          ),
        ),
      );
      box.replaceChildren(
        h("h4", {}, "Registered clients"),
        rows.length === 0
          ? h("p", { class: "empty" }, "No client registered: a call to this user rings no client.")
          : table(["Kind", "User agent", "Since", "Expires in", "Connection"], rows),
      );
    })
    .catch(report);
  return box;
}

/** "Import users": file, OSBIZ trunk, dry run; the result, or the table of every problem. */
function importPanel(base, report, imported) {
  const file = h("input", {
    id: "import-file",
    type: "file",
    accept: ".csv,.json,text/csv,application/json",
    required: true,
  });
  const trunk = h("select", { id: "import-trunk", required: true });
  const dryRun = h("input", { id: "import-dry-run", type: "checkbox" });
  const outcome = h("div", { id: "import-outcome", "aria-live": "polite" });
  getJson(`${base}/connectors?limit=1000`)
    .then((connectors) => {
      const options = connectors.map((c) => h("option", { value: c.name }, `${c.name} (${c.systemId})`));
      if (options.length === 0) options.push(h("option", { value: "" }, "no OSBIZ trunk yet"));
      trunk.replaceChildren(...options);
    })
    .catch(report);

  const form = h(
    "form",
    { id: "import-form", class: "form-grid" },
    h("label", { for: "import-file" }, "CSV or JSON file"),
    file,
    h("label", { for: "import-trunk" }, "OSBIZ trunk"),
    trunk,
    h("label", { for: "import-dry-run" }, "Dry run (check only)"),
    dryRun,
    h("div", { class: "form-actions" }, h("button", { type: "submit", id: "import-submit" }, "import users")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen || !trunk.value) return;
    outcome.replaceChildren(h("p", { class: "muted" }, `Importing ${chosen.name}…`));
    const json = /\.json$/i.test(chosen.name) || chosen.type === "application/json";
    const query = new URLSearchParams({ trunk: trunk.value });
    if (dryRun.checked) query.set("dryRun", "true");
    try {
      const result = await (
        await request(`${base}/users/import?${query}`, {
          method: "POST",
          body: await chosen.arrayBuffer(),
          contentType: json ? "application/json" : "text/csv",
        })
      ).json();
      outcome.replaceChildren(resultView(result));
      if (!result.dryRun) await imported();
    } catch (failure) {
      outcome.replaceChildren(problemView(failure));
    }
  });
  return h(
    "section",
    { class: "panel", "aria-labelledby": "import-title" },
    h("h3", { id: "import-title" }, "Import users"),
    h(
      "p",
      { class: "muted" },
      'A CSV file saved as "CSV UTF-8" with the header emailAddress,firstName,lastName,locale (role, trunk, callno, did, phoneNumber optional), or a JSON array with the same keys. Every row is checked first: if one is wrong, nothing is imported.',
    ),
    form,
    outcome,
  );
}

function resultView(r) {
  const counts = `${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged`;
  return h(
    "div",
    { class: "import-result" },
    h("p", { class: "ok" }, r.dryRun ? `Dry run, nothing imported: ${counts}.` : `Imported: ${counts}.`),
    r.warnings?.length > 0 &&
      h(
        "ul",
        { class: "warnings" },
        r.warnings.map((w) => h("li", {}, w.message)),
      ),
  );
}

/** A refused import: its title, and on 422 one row per problem (row, field, message). */
function problemView(failure) {
  const problems = failure.body?.errors ?? [];
  return h(
    "div",
    { class: "import-problems" },
    h("p", { class: "error", role: "alert" }, `Nothing was imported. ${failure.message}`),
    problems.length > 0 &&
      table(
        ["Row", "Field", "Message"],
        problems.map((p) =>
          h(
            "tr",
            { class: "import-error" },
            h("td", { class: "num" }, p.row ?? "—"),
            h("td", { class: "mono" }, p.field || "—"),
            h("td", { class: "wrap" }, p.message),
          ),
        ),
        "errors",
      ),
  );
}
