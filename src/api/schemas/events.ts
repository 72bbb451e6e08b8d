/** The live event stream (`GET /api/admin/events`): one text/event-stream response. */

/** Every event the stream sends; `data` is one line of JSON. */
export const LIVE_EVENT_TYPES = {
  ready: "first event: {clock, trace} as they are now",
  connector: "a connector turned available or unavailable: {tenantId, trunkId, status, reason, at}",
  call: "a call's journal event: {callId, type, at, detail?}",
  "fault.hit": "a fault rule fired: {faultId, name?, point, action, hits, at}",
  unmatched:
    "a request nothing handled was captured: {id, kind, method, target, status, answeredBy, at, tenantId?}",
  "presence.changed":
    "a user's DND or busy changed (app or desk phone): {tenantId, userId, presence, previous, at}",
  faults: "fault rules were added or removed over REST: {method, faultId?}",
  scenario: "a scenario was applied over REST: {name}",
  clock: "the emulator clock was set, frozen, resumed or advanced: as GET /api/admin/clock",
  trace: "the trace recorded entries (at most once a second): {recorded, recordedHttp}",
  change: "another admin write succeeded (tenants, users, JWT, …): {method, route, tenantId?}",
  resync: "events were dropped because the reader was slow: reload everything shown",
} as const;

export const eventStreamDescription = [
  "Server-Sent Events. Each event is `id`, `event` (its type) and one `data` line of JSON; comment lines",
  "(`: keep-alive`) every 15 s keep idle connections open. Types:",
  ...Object.entries(LIVE_EVENT_TYPES).map(([type, meaning]) => `* \`${type}\`: ${meaning}`),
  "A reader that does not keep up loses events (then gets `resync`) and is cut off if it stays",
  "behind; the stream ends when the emulator shuts down. At most 16 streams per listener:",
  "more is 503 `event_streams_exhausted`.",
].join("\n");

export const eventStreamResponse = {
  description: "the event stream",
  content: { "text/event-stream": { schema: { type: "string", description: eventStreamDescription } } },
} as const;
