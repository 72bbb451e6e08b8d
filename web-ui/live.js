/**
 * The live event stream (GET /api/admin/events, Server-Sent Events). EventSource cannot send
 * the Authorization header, so the stream is read with fetch() and a ReadableStream. While it
 * is down the page polls (state "polling") and the stream is retried with back-off.
 */
import { token } from "./api.js";

const PATH = "/api/admin/events";
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
/** Keep-alive comments come every 15 s: a stream silent for longer than this is dead. */
const SILENCE_MS = 45_000;
/** A malformed or hostile stream cannot make the page hold more than this of one event. */
const MAX_EVENT_CHARS = 1_000_000;

const handlers = new Map();
const stateHandlers = new Set();
const current = { state: "off", session: 0, abort: undefined };

/** The connection state: "off", "connecting", "live" (events arrive) or "polling" (the stream is down). */
export const connection = {
  get state() {
    return current.state;
  },
};

/**
 * Calls `handler(data, type)` for each event of `type` ("*" for every type); returns the unsubscribe.
 * Types: ready, connector, call, fault.hit, unmatched, faults, scenario, clock, trace, change, resync.
 */
export function subscribe(type, handler) {
  if (!handlers.has(type)) handlers.set(type, new Set());
  handlers.get(type).add(handler);
  return () => handlers.get(type)?.delete(handler);
}

/** Calls `handler(state)` on every change of `connection.state`; returns the unsubscribe. */
export function onStateChange(handler) {
  stateHandlers.add(handler);
  return () => stateHandlers.delete(handler);
}

/** Opens the stream (again, if it was open) for the token in session storage. */
export function startLive() {
  stopLive();
  run(current.session);
}

/** Closes the stream; the state goes "off". */
export function stopLive() {
  current.session += 1;
  current.abort?.abort();
  current.abort = undefined;
  setState("off");
}

async function run(session) {
  let failures = 0;
  // Bounded by the session: stopLive() or a new startLive() ends this loop at its next step.
  while (session === current.session && token.get()) {
    setState(failures === 0 ? "connecting" : "polling");
    const abort = new AbortController();
    current.abort = abort;
    let gotReady = false;
    try {
      await follow(abort, session, () => {
        gotReady = true;
        failures = 0;
        setState("live");
      });
    } catch {
      // Refused, unreachable or broken off: the page polls meanwhile.
    }
    abort.abort();
    if (session !== current.session) return;
    failures = gotReady ? 1 : failures + 1;
    setState("polling");
    await pause(Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), MAX_RETRY_MS), session);
  }
}

async function follow(abort, session, onReady) {
  const response = await fetch(PATH, {
    headers: { accept: "text/event-stream", authorization: `Bearer ${token.get() ?? ""}` },
    cache: "no-store",
    signal: abort.signal,
  });
  if (!response.ok || !response.body) throw new Error(`event stream refused: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  let silence = setTimeout(() => abort.abort(), SILENCE_MS);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || session !== current.session) return;
      clearTimeout(silence);
      silence = setTimeout(() => abort.abort(), SILENCE_MS);
      pending += value.replaceAll("\r\n", "\n");
      let end = pending.indexOf("\n\n");
      while (end !== -1) {
        const event = parse(pending.slice(0, end));
        pending = pending.slice(end + 2);
        if (event) {
          if (event.type === "ready") onReady();
          dispatch(event);
        }
        end = pending.indexOf("\n\n");
      }
      if (pending.length > MAX_EVENT_CHARS) throw new Error("event too large");
    }
  } finally {
    clearTimeout(silence);
    reader.cancel().catch(() => {});
  }
}

/** One event block: `event:` and `data:` lines (comments and ids are skipped); undefined if no data. */
function parse(block) {
  let type = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) type = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
  }
  if (data.length === 0) return undefined;
  try {
    return { type, data: JSON.parse(data.join("\n")) };
  } catch {
    return undefined;
  }
}

function dispatch({ type, data }) {
  for (const handler of [...(handlers.get(type) ?? []), ...(handlers.get("*") ?? [])]) {
    try {
      handler(data, type);
    } catch (error) {
      console.error(error);
    }
  }
}

function setState(state) {
  if (current.state === state) return;
  current.state = state;
  for (const handler of [...stateHandlers]) handler(state);
}

/** Waits `ms`, or less if the session ends. */
function pause(ms, session) {
  return new Promise((resolve) => {
    const started = Date.now();
    const tick = () => {
      if (session !== current.session || Date.now() - started >= ms) resolve();
      else setTimeout(tick, Math.min(250, ms));
    };
    setTimeout(tick, Math.min(250, ms));
  });
}
