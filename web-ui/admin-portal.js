/**
 * The emulated JWT creation portal (RingCentral's, in the real product; docs/jwt.md): create a
 * token for a client ID with a label, see the tokens, revoke one. `#/portal/<clientId>` fills in
 * and filters by that client ID.
 */
import { getJson, request } from "./api.js";
import { h, table, time } from "./dom.js";
import { href } from "./router.js";

export const portalView = {
  match: (parts) => (parts[0] === "portal" && parts.length <= 2 ? { clientId: parts[1] ?? "" } : null),
  mount(container, { clientId }, { report }) {
    const list = h("div", { id: "portal-tokens" }, h("p", { class: "muted" }, "Loading…"));
    const created = h("div", { id: "portal-created" });
    const load = async () => {
      const query = clientId ? `?clientId=${encodeURIComponent(clientId)}&limit=1000` : "?limit=1000";
      list.replaceChildren(tokenTable(await getJson(`/api/jwt-portal/tokens${query}`), revoke));
    };
    const revoke = async (token) => {
      if (
        !window.confirm(`Revoke the token "${token.label}"? A tenant that set it turns to "Invalid token".`)
      )
        return;
      try {
        await request(`/api/jwt-portal/tokens/${encodeURIComponent(token.id)}/revoke`, { method: "POST" });
        report(`Token "${token.label}" revoked.`);
      } catch (failure) {
        report(failure);
      }
      await load().catch(report);
    };
    container.append(
      h(
        "section",
        { class: "panel portal" },
        h("h2", {}, "JWT creation portal (emulated)"),
        h(
          "p",
          { class: "muted" },
          "Stands in for RingCentral's portal: a token is created for a tenant's Unify Phone client ID and pasted into the tenant's JWT tab. The admin token stands in for the portal login.",
        ),
        createForm(clientId, created, report, load),
        created,
      ),
      h(
        "section",
        { class: "panel" },
        h("h3", {}, clientId ? `Tokens for ${clientId}` : "Tokens"),
        clientId && h("p", {}, h("a", { href: href("portal") }, "show the tokens of every client ID")),
        list,
      ),
    );
    load().catch(report);
  },
};

function createForm(clientId, created, report, load) {
  const client = h("input", { id: "portal-client-id", required: true, value: clientId, spellcheck: "false" });
  const label = h("input", { id: "portal-label", required: true, maxlength: 100 });
  const expires = h("input", { id: "portal-expires", type: "datetime-local" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const form = h(
    "form",
    { id: "portal-form", class: "form-grid" },
    h("label", { for: "portal-client-id" }, "Client ID"),
    client,
    h("label", { for: "portal-label" }, "Label"),
    label,
    h("label", { for: "portal-expires" }, "Expires (UTC, optional)"),
    expires,
    h("div", { class: "form-actions" }, h("button", { type: "submit" }, "create JWT")),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const body = { clientId: client.value.trim(), label: label.value.trim() };
    if (expires.value)
      body.expiresAt = `${expires.value.length === 16 ? `${expires.value}:00` : expires.value}Z`;
    try {
      const minted = await (await request("/api/jwt-portal/tokens", { method: "POST", json: body })).json();
      label.value = "";
      created.replaceChildren(mintedView(minted, report));
      await load();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });
  return form;
}

/** The token text, shown only now (the portal keeps no copy to show again). */
function mintedView(minted, report) {
  const text = h("textarea", { id: "portal-token-text", rows: 4, readonly: true, spellcheck: "false" });
  text.value = minted.token;
  const copy = h("button", { type: "button", id: "copy-jwt" }, "copy");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(minted.token);
      report("JWT copied to the clipboard.");
    } catch {
      text.select();
      report("The browser refused the clipboard: the JWT is selected, press Ctrl+C to copy it.");
    }
  });
  return h(
    "div",
    { class: "minted stack" },
    h("p", {}, `JWT "${minted.label}" for ${minted.clientId} created. Copy it now: it is not shown again.`),
    text,
    h("div", { class: "form-actions" }, copy),
  );
}

function tokenTable(tokens, revoke) {
  if (tokens.length === 0) return h("p", { class: "empty" }, "No tokens created yet.");
  const rows = tokens.map((t) =>
    h(
      "tr",
      { class: "portal-token", "data-token-id": t.id },
      h("td", {}, t.label),
      h("td", { class: "mono" }, t.clientId),
      h("td", {}, time(t.createdAt)),
      h("td", {}, t.expiresAt ? time(t.expiresAt) : "never"),
      h("td", {}, t.revokedAt ? `revoked ${time(t.revokedAt)}` : "valid"),
      h(
        "td",
        {},
        !t.revokedAt && h("button", { type: "button", class: "danger", onclick: () => revoke(t) }, "revoke"),
      ),
    ),
  );
  return table(["Label", "Client ID", "Created (UTC)", "Expires (UTC)", "State", ""], rows);
}
