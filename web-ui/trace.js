import { request } from "./api.js";

/** Lines the trace pane keeps; the newest entries are fetched, then cut to this. */
const MAX_LINES = 200;
const ENTRIES = 100;
/** The page's own polling would fill the trace with REST calls: they are shown only on request. */
const WITHOUT_HTTP = "sip,call,fault,connection,csta";

export async function loadTrace(includeHttp) {
  const query = new URLSearchParams({ format: "text", limit: String(ENTRIES) });
  if (!includeHttp) query.set("kind", WITHOUT_HTTP);
  const text = await (await request(`/api/admin/trace?${query}`, { accept: "text/plain" })).text();
  return text.trimEnd().split("\n").slice(-MAX_LINES).join("\n");
}

/** Show the text (as text: traces carry attacker-controlled SIP); stay at the bottom if the reader was there. */
export function renderTrace(pre, text) {
  if (pre.textContent === text) return;
  const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  pre.textContent = text;
  if (atBottom) pre.scrollTop = pre.scrollHeight;
}

/** Download the whole trace: fetched with the token header, handed over as a Blob URL. */
export async function downloadTrace(format) {
  const response = await request(`/api/admin/trace?format=${format}`, { accept: "*/*" });
  const disposition = response.headers.get("content-disposition") ?? "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `upe-trace.${format}`;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
