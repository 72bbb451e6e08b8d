/**
 * The JWT tab of a Unify Video tenant (HowTo "JWT connection status", SPEC §1): the status with
 * what it means, paste / replace / remove the JWT, and the way to the emulated creation portal.
 */

import { watch } from "./admin-refresh.js";
import { getJson, request } from "./api.js";
import { h, renderIfChanged, time } from "./dom.js";
import { href } from "./router.js";

/** Each status in the admin app's words, with the HowTo's description. */
const STATUSES = {
  not_set: {
    words: "Not set",
    meaning: "No JWT has been set. Unify Phone will not be functional for your tenant.",
  },
  active: { words: "Active", meaning: "The JWT is valid. Unify Phone is functional." },
  invalid: {
    words: "Invalid token",
    meaning:
      "The JWT has been invalidated (for example revoked in the JWT creation portal). Unify Phone will not be functional for your tenant.",
  },
  expiring: {
    words: "Expiring",
    meaning:
      "The JWT is valid but expires within one month. Unify Phone is still functional: create a new JWT and set it before the expiration date.",
  },
  expired: {
    words: "Expired",
    meaning: "The JWT has expired. Unify Phone will not be functional for your tenant.",
  },
};

export const jwtStatusWords = (status) => STATUSES[status]?.words ?? status;

export function jwtTab(container, tenant, { report }) {
  const url = `/api/admin/tenants/${encodeURIComponent(tenant.id)}/jwt`;
  const status = h("div", { id: "jwt-status" }, h("p", { class: "muted" }, "Loading…"));
  const textarea = h("textarea", {
    id: "jwt-token",
    rows: 4,
    spellcheck: "false",
    autocomplete: "off",
    placeholder: "eyJhbGciOiJFUzI1NiIs…",
  });
  const error = h("p", { id: "jwt-error", class: "error", role: "alert", hidden: true });
  const setButton = h("button", { type: "submit", id: "set-jwt" }, "set JWT");
  const removeButton = h("button", { type: "button", id: "remove-jwt", class: "danger" }, "remove JWT");
  const state = { current: undefined };

  const load = async () => {
    const jwt = await getJson(url);
    state.current = jwt;
    setButton.textContent = jwt.status === "not_set" ? "set JWT" : "replace JWT";
    removeButton.hidden = jwt.status === "not_set";
    renderIfChanged(status, jwt, statusView);
  };

  const form = h(
    "form",
    { id: "jwt-form", class: "stack" },
    h("label", { for: "jwt-token" }, "Paste the JWT created in the JWT creation portal"),
    textarea,
    h("div", { class: "form-actions" }, setButton, removeButton),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const token = textarea.value.trim();
    if (!token) return;
    try {
      await request(url, { method: "PUT", json: { token } });
      textarea.value = "";
      report("JWT set.");
      await load();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });
  removeButton.addEventListener("click", async () => {
    if (
      !window.confirm(
        "Remove the JWT? Unify Phone will not be functional for this tenant until a new one is set.",
      )
    )
      return;
    try {
      await request(url, { method: "DELETE" });
      report("JWT removed.");
      await load();
    } catch (failure) {
      report(failure);
    }
  });

  container.append(
    h(
      "section",
      { class: "panel", "aria-labelledby": "jwt-title" },
      h("h3", { id: "jwt-title" }, "JWT connection status"),
      status,
    ),
    h(
      "section",
      { class: "panel", "aria-labelledby": "jwt-set-title" },
      h("h3", { id: "jwt-set-title" }, "Set the JWT"),
      h(
        "p",
        {},
        "Create the JWT in the ",
        h("a", { id: "portal-link", href: href("portal", tenant.clientId) }, "JWT creation portal"),
        " for this tenant's Unify Phone client ID ",
        h("code", { id: "client-id" }, tenant.clientId),
        ", then paste it here.",
      ),
      form,
    ),
  );
  // The status is computed from the emulator clock: a clock change or an admin write refreshes it.
  return watch(load, {
    report,
    events: ["clock", "change", "resync"],
    accept: (data) => !data?.tenantId || data.tenantId === tenant.id,
  });
}

function statusView(jwt) {
  const known = STATUSES[jwt.status] ?? { words: jwt.status, meaning: "" };
  return [
    h(
      "p",
      { class: "jwt-line" },
      h("span", { class: `badge jwt-${jwt.status}`, "data-status": jwt.status }, known.words),
      " ",
      h("span", { class: "jwt-meaning" }, known.meaning),
    ),
    jwt.status !== "not_set" &&
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Label"),
        h("dd", {}, jwt.label ?? "—"),
        h("dt", {}, "Expires (UTC)"),
        h("dd", {}, jwt.expiresAt ? time(jwt.expiresAt) : "never"),
        h("dt", {}, "Set (UTC)"),
        h("dd", {}, time(jwt.setAt)),
      ),
    jwt.cause && h("p", { class: "problems" }, jwt.cause),
    jwt.warnings.length > 0 &&
      h(
        "ul",
        { class: "warnings" },
        jwt.warnings.map((w) => h("li", {}, w)),
      ),
  ].filter(Boolean); // renderIfChanged hands every item to replaceChildren, which would print a null
}
