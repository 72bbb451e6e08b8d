import { getJson } from "./api.js";
import { duration, h, table, time } from "./dom.js";
import { ladderSvg, loadLadder } from "./ladder.js";

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
    if (open) details.firstChild.replaceChildren(ladder(call));
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

const MAX_LADDERS = 50;

/** The journal's events as ladder notes (no SIP arrows). */
function journalRows(call) {
  return call.events.map((e) => ({
    kind: "note",
    at: Date.parse(e.at),
    label: e.type,
    detail: e.detail ?? "",
  }));
}

/** Ladder rows per call id, with the call version they were read for: a poll redraws from here. */
const ladders = new Map();

/** The open call's details: a summary line, its SVG sequence diagram (read from the trace) and its legs. */
function ladder(call) {
  const m = call.media;
  const holder = h("div", { class: "ladder-diagram" });
  const version = `${call.state}/${call.events.length}/${(call.legs ?? []).length}`;
  const cached = ladders.get(call.id);
  const userLabel = call.legs?.some((l) => l.kind === "client") ? "client" : "client (virtual user)";
  const draw = (rows) =>
    holder.replaceChildren(
      rows.length > 0
        ? ladderSvg(rows, { userLabel })
        : h(
            "p",
            { class: "empty" },
            "No SIP messages of this call in the trace (it keeps the newest entries).",
          ),
    );
  // Until the trace answers: the journal's events alone, so the page never shows an empty ladder.
  draw(cached?.rows ?? journalRows(call));
  if (expanded.has(call.id) && cached?.version !== version) {
    loadLadder(call.id)
      .then((rows) => {
        ladders.delete(call.id);
        ladders.set(call.id, { version, rows });
        // The journal keeps recent calls only: so does this cache.
        if (ladders.size > MAX_LADDERS) ladders.delete(ladders.keys().next().value);
        draw(rows);
      })
      .catch((error) => holder.replaceChildren(h("p", { class: "error" }, error.message)));
  }
  return h(
    "div",
    { class: "ladder" },
    h(
      "p",
      { class: "muted" },
      `${call.id}${call.kind === "desk-phone" ? " · desk phone only (CSTA)" : ""}${m ? ` · media ${m.mode}, ${m.direction}, local RTP port ${m.localPort}` : ""}${call.endedBy ? ` · ended by ${call.endedBy}` : ""}`,
    ),
    holder,
    call.pulledFrom && h("p", { class: "muted" }, `pulled from the desk phone: ${call.pulledFrom}`),
    (call.cti ?? []).length > 0 &&
      h(
        "ul",
        { class: "cti" },
        call.cti.map((c) =>
          h(
            "li",
            { class: "mono" },
            `${time(c.at)} CSTA ${c.direction === "in" ? "PBX → connector" : "connector → PBX"} ${c.type}${c.device ? ` · ${c.device}` : ""}${c.cstaCallId ? ` · call ${c.cstaCallId}` : ""}`,
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
