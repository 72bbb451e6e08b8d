import { getJson } from "./api.js";
import { duration, h, table, time } from "./dom.js";

/** Call ids whose event ladder is open; kept across polls. */
const expanded = new Set();

const HEADINGS = [
  "direction",
  "from → to",
  "trunk",
  "state",
  "final",
  "hangup cause",
  "duration",
  "RTP sent / recv / lost",
  "DTMF",
  "started (UTC)",
];
const DIRECTIONS = { "pbx-to-user": "PBX → user", "user-to-pbx": "user → PBX" };

/** The journal, active calls first, then the recent ones (each group newest first, as the API sends them). */
export async function loadCalls() {
  const calls = await getJson("/api/admin/calls");
  return [...calls.filter((c) => c.state !== "ended"), ...calls.filter((c) => c.state === "ended")];
}

export function renderCalls(calls) {
  if (calls.length === 0) return h("p", { class: "empty" }, "No calls yet.");
  return table(HEADINGS, calls.flatMap(callRows), "calls");
}

function callRows(call) {
  const details = h(
    "tr",
    { class: "call-details", hidden: !expanded.has(call.id) },
    h("td", { colspan: HEADINGS.length }, ladder(call)),
  );
  const row = h(
    "tr",
    {
      class: `call ${call.state}`,
      tabindex: 0,
      "data-call-id": call.id,
      "aria-expanded": String(expanded.has(call.id)),
    },
    h("td", {}, DIRECTIONS[call.direction] ?? call.direction),
    h("td", { class: "mono" }, `${call.from} → ${call.to}`),
    h("td", {}, call.trunk),
    h("td", {}, h("span", { class: `badge ${call.state}` }, call.state)),
    h("td", {}, call.finalStatus ?? "—"),
    h("td", { class: "wrap" }, call.hangupCause ?? "—"),
    h("td", { class: "num" }, duration(call.durationMs)),
    h("td", { class: "num" }, media(call.media)),
    h("td", { class: "mono" }, call.dtmf?.map((d) => d.digit).join("") || "—"),
    h("td", {}, time(call.createdAt)),
  );
  const toggle = () => {
    const open = !expanded.has(call.id);
    if (open) expanded.add(call.id);
    else expanded.delete(call.id);
    details.hidden = !open;
    row.setAttribute("aria-expanded", String(open));
  };
  row.addEventListener("click", toggle);
  row.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    toggle();
  });
  return [row, details];
}

function media(m) {
  const s = m?.stats;
  return s ? `${s.packetsSent ?? 0} / ${s.packetsReceived ?? 0} / ${s.packetsLost ?? 0}` : "—";
}

function ladder(call) {
  const m = call.media;
  return h(
    "div",
    { class: "ladder" },
    h(
      "p",
      { class: "muted" },
      `${call.id}${m ? ` · media ${m.mode}, ${m.direction}, local RTP port ${m.localPort}` : ""}${call.endedBy ? ` · ended by ${call.endedBy}` : ""}`,
    ),
    h(
      "ol",
      { class: "events" },
      call.events.map((e) =>
        h(
          "li",
          {},
          h("span", { class: "mono" }, time(e.at)),
          " ",
          h("strong", {}, e.type),
          e.detail ? ` — ${e.detail}` : "",
        ),
      ),
    ),
    (call.legs ?? []).length > 0 &&
      h(
        "ul",
        { class: "legs" },
        call.legs.map((l) =>
          h(
            "li",
            { class: "mono" },
            `${l.kind} leg ${l.callId}${l.status ? ` · ${l.status}` : ""}${l.reason ? ` ${l.reason}` : ""}`,
          ),
        ),
      ),
  );
}
