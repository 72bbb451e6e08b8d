import { getJson, request } from "./api.js";
import { h, table, time } from "./dom.js";

/** Entries shown: the newest; the REST API pages through the rest (GET /api/admin/unmatched). */
const SHOWN = 50;

export const loadUnmatched = () => getJson(`/api/admin/unmatched?limit=${SHOWN}`);

/**
 * Requests nothing handled (HTTP routes, SIP methods, events, body types), newest first: what
 * came, how it was answered and by what (the default or a stub mapping). Each row opens to the
 * headers (credentials redacted by the server) and the body as captured.
 */
export function renderUnmatched(entries, actions) {
  if (entries.length === 0)
    return h("p", { class: "empty" }, "Nothing unmatched: every request found a route or handler.");
  const rows = entries.map((e) =>
    h(
      "tr",
      { class: "unmatched", "data-unmatched-id": e.id },
      h("td", { class: "mono" }, e.id),
      h("td", {}, time(e.at)),
      h("td", {}, e.kind),
      h("td", { class: "mono" }, e.method),
      h(
        "td",
        { class: "wrap" },
        h(
          "details",
          {},
          h("summary", { class: "mono" }, target(e)),
          h("pre", { class: "trace" }, message(e)),
        ),
      ),
      h("td", { class: "num" }, e.kind === "sip" ? `${e.status} ${e.reason}` : e.status),
      h(
        "td",
        { class: "mono" },
        e.answeredBy === "default" ? "default" : `mapping ${e.answeredBy.mappingId}`,
      ),
      h("td", { class: "mono" }, e.tenantId ?? "—"),
    ),
  );
  return [
    h(
      "div",
      { class: "toolbar" },
      h("button", { type: "button", class: "danger", onclick: () => clearAll(actions) }, "clear"),
    ),
    table(["id", "at (UTC)", "kind", "method", "target", "answered", "by", "tenant"], rows),
  ];
}

function target(e) {
  if (e.kind === "sip") return `${e.requestUri}${e.event ? `  (Event: ${e.event})` : ""}`;
  const query = Object.entries(e.query ?? {}).flatMap(([k, v]) => [v].flat().map((x) => `${k}=${x}`));
  return query.length > 0 ? `${e.path}?${query.join("&")}` : e.path;
}

/** The request as text, as the trace shows it. */
function message(e) {
  const from =
    e.kind === "sip"
      ? `from ${e.remoteAddress}:${e.remotePort} over ${e.transport}`
      : `from ${e.remoteAddress}`;
  const cut = e.bodyTruncated ? `\n… (${e.bodyBytes} bytes received, the first ones kept)` : "";
  return [
    `# ${from}${e.cause ? ` — ${e.cause}` : ""}`,
    ...e.headers.map(([n, v]) => `${n}: ${v}`),
    "",
    `${e.body}${cut}`,
  ].join("\n");
}

async function clearAll({ refreshNow, report }) {
  if (!window.confirm("Clear the unmatched journal?")) return;
  try {
    const { removed } = await (await request("/api/admin/unmatched", { method: "DELETE" })).json();
    report(`${removed} unmatched request(s) cleared.`);
  } catch (error) {
    report(error);
  }
  refreshNow();
}
