/**
 * A call's ladder as an SVG sequence diagram: lanes PBX / connector / client, one arrow per
 * SIP message of the call (method or status, emulator time), the journal's events as notes on
 * the connector. Built with DOM calls: SIP text only ever becomes text nodes.
 */
import { getJson } from "./api.js";

const SVG = "http://www.w3.org/2000/svg";
const LANES = ["pbx", "connector", "client"];
const LANE_TITLES = { pbx: "PBX", connector: "connector", client: "client" };
const TIME_WIDTH = 104;
const LANE_GAP = 210;
const TOP = 44;
const ROW = 24;
/** Rows drawn at most; a long call's ladder says how many it left out. */
const MAX_ROWS = 400;
/** A note's detail is cut here in the drawing (whole in its tooltip). */
const NOTE_CHARS = 56;

/** The rows of a call's ladder: its SIP messages and journal events from the trace, oldest first. */
export async function loadLadder(callId) {
  const query = new URLSearchParams({ format: "json", callId, kind: "sip,call" });
  const { entries } = await getJson(`/api/admin/trace?${query}`);
  return entries.map(rowOf).filter(Boolean);
}

function rowOf(e) {
  if (e.kind === "call") return { kind: "note", at: e.at, label: e.type, detail: e.detail ?? "" };
  if (e.kind !== "sip") return undefined;
  const peer = e.transport === "WS" || e.transport === "WSS" ? "client" : "pbx";
  const s = e.summary ?? {};
  const label = s.status ? `${s.status} ${s.reason ?? ""}`.trim() : (s.method ?? s.startLine ?? "?");
  const cseq = s.status && s.cseq ? ` (${s.cseq})` : "";
  return {
    kind: "arrow",
    at: e.at,
    from: e.direction === "in" ? peer : "connector",
    to: e.direction === "in" ? "connector" : peer,
    label: `${label}${cseq}`,
    title: s.startLine ?? label,
  };
}

/** The diagram; `rows` from loadLadder(). */
export function ladderSvg(rows, { userLabel = "client" } = {}) {
  const shown = rows.slice(0, MAX_ROWS);
  // Room right of the client lane for the notes written from the connector's lane.
  const width = TIME_WIDTH + 60 + LANE_GAP * (LANES.length - 1) + 220;
  const height = TOP + ROW * (shown.length + (rows.length > shown.length ? 1 : 0)) + 16;
  const x = (lane) => TIME_WIDTH + 60 + LANES.indexOf(lane) * LANE_GAP;
  const svg = el("svg", {
    class: "ladder-svg",
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
    "aria-label": `sequence diagram, ${shown.filter((r) => r.kind === "arrow").length} SIP messages`,
  });
  for (const lane of LANES) {
    const title = lane === "client" ? userLabel : LANE_TITLES[lane];
    svg.append(
      el("text", { class: "lane-title", x: x(lane), y: 18, "text-anchor": "middle" }, title),
      el("line", { class: "lane", x1: x(lane), y1: 26, x2: x(lane), y2: height - 8, "data-lane": lane }),
    );
  }
  shown.forEach((row, i) => {
    const y = TOP + i * ROW;
    svg.append(el("text", { class: "ladder-time", x: 4, y: y + 4 }, clockTime(row.at)));
    if (row.kind === "note") svg.append(note(row, x("connector"), y));
    else svg.append(arrow(row, x(row.from), x(row.to), y));
  });
  if (rows.length > shown.length) {
    const y = TOP + shown.length * ROW;
    svg.append(
      el("text", { class: "ladder-note", x: TIME_WIDTH, y: y + 4 }, `… ${rows.length - shown.length} more`),
    );
  }
  return svg;
}

function arrow(row, x1, x2, y) {
  const dir = x2 > x1 ? 1 : -1;
  const head = `${x2},${y} ${x2 - 8 * dir},${y - 4} ${x2 - 8 * dir},${y + 4}`;
  const response = /^\d/.test(row.label);
  return el(
    "g",
    {
      class: `arrow ${response ? "response" : "request"}`,
      "data-from": row.from,
      "data-to": row.to,
      "data-label": row.label,
    },
    el("title", {}, row.title),
    el("line", { x1, y1: y, x2: x2 - 2 * dir, y2: y }),
    el("polygon", { points: head }),
    el("text", { x: (x1 + x2) / 2, y: y - 5, "text-anchor": "middle" }, row.label),
  );
}

function note(row, x, y) {
  return el(
    "g",
    { class: "note", "data-event": row.label },
    el("title", {}, row.detail ? `${row.label} — ${row.detail}` : row.label),
    el("circle", { cx: x, cy: y, r: 3.5 }),
    el(
      "text",
      { x: x + 8, y: y + 4 },
      row.detail ? `${row.label} — ${truncate(row.detail, NOTE_CHARS)}` : row.label,
    ),
  );
}

function el(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

/** Emulator time of day with milliseconds (the date is the call's, shown in its row). */
function clockTime(ms) {
  return new Date(ms).toISOString().slice(11, 23);
}

function truncate(text, max) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
