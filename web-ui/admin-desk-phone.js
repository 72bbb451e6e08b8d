/**
 * One user's desk phone, as the connector's CTI link sees it (docs/cti.md): its state from the
 * CSTA events (idle / ringing / connected / held, DND, forwarding) with the actions the REST
 * offers (answer, clear, hold, retrieve, DND on/off), the voicemail indication (MWI counts),
 * the user's presence and routing settings when the emulator has them.
 * Route: `#/tenants/<tenant id>/users/<user id>/desk-phone`.
 */

import { watch } from "./admin-refresh.js";
import { ApiFailure, getJson, request } from "./api.js";
import { h, renderIfChanged, table, time } from "./dom.js";
import { href } from "./router.js";

const STATUS_WORDS = { idle: "idle", ringing: "ringing", connected: "connected", held: "on hold" };

/** The buttons: the REST action, its body, and when it makes sense. */
const ACTIONS = [
  { id: "answer", label: "answer", when: (p) => p.status === "ringing" },
  { id: "clear", label: "clear", when: (p) => p.status !== "idle" },
  { id: "hold", label: "hold", when: (p) => p.status === "connected" },
  { id: "retrieve", label: "retrieve", when: (p) => p.calls.some((c) => c.state === "hold") },
  { id: "dnd-on", action: "dnd", body: { on: true }, label: "DND on", when: (p) => !p.dnd },
  { id: "dnd-off", action: "dnd", body: { on: false }, label: "DND off", when: (p) => p.dnd },
];

export const deskPhoneView = {
  match: (parts) =>
    parts[0] === "tenants" && parts[2] === "users" && parts[4] === "desk-phone" && parts.length === 5
      ? { tenantId: parts[1], userId: parts[3] }
      : null,
  mount(container, { tenantId, userId }, { report }) {
    const userUrl = `/api/admin/tenants/${encodeURIComponent(tenantId)}/users/${encodeURIComponent(userId)}`;
    const head = h("div", { class: "admin-head panel" }, h("p", { class: "muted" }, "Loading…"));
    const phone = h("div", { id: "desk-phone" }, h("p", { class: "muted" }, "Loading…"));
    const outcome = h("p", { id: "desk-phone-outcome", role: "alert", hidden: true });
    const more = h("div", { id: "desk-phone-more" });
    container.append(
      head,
      h(
        "section",
        { class: "panel", "aria-labelledby": "desk-phone-title" },
        h("h3", { id: "desk-phone-title" }, "Desk phone"),
        phone,
        outcome,
      ),
      more,
    );

    const act = async (action, body, label) => {
      outcome.hidden = true;
      try {
        await request(`${userUrl}/desk-phone/${action}`, { method: "POST", json: body ?? {} });
        outcome.className = "ok";
        outcome.textContent = `${label}: done.`;
      } catch (failure) {
        outcome.className = "error";
        outcome.textContent = `${label}: ${failure.message}`;
      }
      outcome.hidden = false;
      await load().catch(report);
    };

    const load = async () => {
      const [user, desk, mwi, presence] = await Promise.all([
        getJson(userUrl),
        optional(getJson(`${userUrl}/desk-phone`)),
        optional(getJson(`${userUrl}/mwi`)),
        optional(getJson(`${userUrl}/presence`)),
      ]);
      renderIfChanged(head, user, () => headView(tenantId, user));
      renderIfChanged(phone, desk ?? null, () => (desk ? phoneView(desk, act) : noDeskPhone(user)));
      renderIfChanged(more, { user, mwi, presence }, () => [
        mwiView(mwi),
        presenceView(presence),
        routingView(user),
      ]);
    };

    // CSTA events reach the trace (a `trace` live event); presence has its own event.
    return watch(load, {
      report,
      events: ["trace", "presence.changed", "change", "resync"],
      accept: (data) => !data?.tenantId || data.tenantId === tenantId,
      pollMs: 2000,
      livePollMs: 30_000,
    });
  },
};

/** A part the emulator may not have (404: no desk phone, no such route): undefined. */
async function optional(pending) {
  try {
    return await pending;
  } catch (failure) {
    if (failure instanceof ApiFailure && failure.status === 404) return undefined;
    throw failure;
  }
}

function headView(tenantId, user) {
  return [
    h(
      "p",
      { class: "crumbs" },
      h("a", { href: href("tenants") }, "Tenants"),
      " / ",
      h("a", { href: href("tenants", tenantId, "users") }, "Users"),
      " / ",
    ),
    h("h2", { id: "desk-phone-user" }, `${user.firstName} ${user.lastName}`),
    h("p", { class: "muted" }, `${user.emailAddress} · callno ${user.callno ?? "—"}`),
  ];
}

function noDeskPhone(user) {
  return h(
    "p",
    { class: "empty" },
    user.callno
      ? "No desk phone: the user's system has no trunk."
      : "No desk phone: the user has no callno on a PBX.",
  );
}

function phoneView(desk, act) {
  const forwarding = desk.forwarding.filter((f) => f.active);
  const facts = h(
    "dl",
    { class: "facts" },
    h("dt", {}, "Device"),
    h("dd", { class: "mono" }, desk.device),
    h("dt", {}, "CTI link"),
    h(
      "dd",
      { id: "desk-phone-cti", class: `status ${desk.cti === "connected" ? "available" : "unavailable"}` },
      h("span", { class: "dot", "aria-hidden": "true" }, "●"),
      " ",
      desk.cti === "connected"
        ? `connected${desk.monitored ? ", monitored" : ""}`
        : "not connected (opens at the first action)",
    ),
    h("dt", {}, "State"),
    h(
      "dd",
      {},
      h("span", { id: "desk-phone-status", class: "badge" }, STATUS_WORDS[desk.status] ?? desk.status),
    ),
    h("dt", {}, "Do not disturb"),
    h("dd", { id: "desk-phone-dnd" }, desk.dnd ? "on" : "off"),
    h("dt", {}, "Forwarding"),
    h(
      "dd",
      { id: "desk-phone-forwarding" },
      forwarding.length === 0
        ? "off"
        : forwarding.map((f) => `${f.type} → ${f.destination ?? "?"}`).join(", "),
    ),
    h("dt", {}, "Updated (UTC)"),
    h("dd", {}, time(desk.updatedAt)),
  );
  const calls =
    desk.calls.length > 0 &&
    table(
      ["Call", "State"],
      desk.calls.map((c) =>
        h("tr", { class: "desk-call" }, h("td", { class: "mono" }, c.callId), h("td", {}, c.state)),
      ),
    );
  const buttons = h(
    "div",
    { class: "toolbar", id: "desk-phone-actions" },
    ACTIONS.map((a) =>
      h(
        "button",
        {
          type: "button",
          id: `desk-phone-${a.id}`,
          disabled: !a.when(desk),
          onclick: () => act(a.action ?? a.id, a.body, a.label),
        },
        a.label,
      ),
    ),
  );
  return [facts, calls, buttons];
}

function mwiView(mwi) {
  if (!mwi) return false;
  return h(
    "section",
    { class: "panel", id: "desk-phone-mwi", "aria-labelledby": "mwi-title" },
    h("h3", { id: "mwi-title" }, "Voicemail"),
    h(
      "p",
      {},
      mwi.waiting ? "Messages waiting: " : "No messages waiting: ",
      h("span", { class: "mono" }, `${mwi.newMessages} new / ${mwi.oldMessages} old`),
      mwi.urgentNew + mwi.urgentOld > 0 && ` (urgent ${mwi.urgentNew}/${mwi.urgentOld})`,
      mwi.updatedAt && h("span", { class: "muted" }, ` · ${time(mwi.updatedAt)}`),
    ),
  );
}

function presenceView(presence) {
  if (!presence) return false;
  const dnd = presence.dnd ? `on (${presence.dndSource ?? "?"})` : "off";
  const busy = presence.busy ? `busy (${presence.busySource.join(", ")})` : "free";
  return h(
    "section",
    { class: "panel", id: "desk-phone-presence", "aria-labelledby": "presence-title" },
    h("h3", { id: "presence-title" }, "Presence"),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Do not disturb"),
      h("dd", {}, dnd),
      h("dt", {}, "Busy"),
      h("dd", {}, busy),
    ),
  );
}

function routingView(user) {
  if (user.routing === undefined && user.busyBehaviour === undefined) return false;
  return h(
    "section",
    { class: "panel", id: "desk-phone-routing", "aria-labelledby": "routing-title" },
    h("h3", { id: "routing-title" }, "Routing"),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Incoming calls ring"),
      h("dd", {}, user.routing ?? "default"),
      user.routing === "alternative" && [
        h("dt", {}, "Alternative number"),
        h("dd", { class: "mono" }, user.alternativeNumber ?? "—"),
      ],
      h("dt", {}, "Second call while busy"),
      h("dd", {}, user.busyBehaviour ?? "call-waiting"),
    ),
  );
}
