import { ApiFailure, getJson, token } from "./api.js";
import { loadCalls, renderCalls } from "./calls.js";
import { resetClock, setupClockHeader, setupClockPanel, showClock } from "./clock.js";
import { clear, h, renderIfChanged } from "./dom.js";
import { setupFaultForm } from "./fault-form.js";
import { loadFaults, renderFaults } from "./faults.js";
import { connection, onStateChange, startLive, stopLive, subscribe } from "./live.js";
import { findView, routeParts } from "./router.js";
import { resetScenarios, setupScenarios } from "./scenarios.js";
import { loadTenants, renderTenants } from "./tenants.js";
import { downloadTrace, loadTrace, renderTrace } from "./trace.js";
import { loadUnmatched, renderUnmatched } from "./unmatched.js";
import "./admin-views.js";

const INTERVAL_MS = 2000;
const MAX_BACKOFF_MS = 30_000;
const NOTICE_MS = 8000;
/** Live events come in bursts (a call's 100/180/200…): one refresh for each burst, at most this often. */
const EVENT_REFRESH_MS = 300;

const $ = (id) => document.getElementById(id);
const ui = {
  statusLine: $("status-line"),
  clock: $("clock"),
  readiness: $("readiness"),
  controls: $("controls"),
  pollState: $("poll-state"),
  pause: $("pause"),
  error: $("error"),
  notice: $("notice"),
  login: $("login"),
  loginForm: $("login-form"),
  loginError: $("login-error"),
  tokenInput: $("token"),
  dashboard: $("dashboard"),
  nav: $("nav"),
  view: $("view"),
  tenants: $("tenants"),
  faults: $("faults"),
  unmatched: $("unmatched"),
  clockPanel: $("clock-panel"),
  faultForm: $("fault-form-panel"),
  scenarios: $("scenarios"),
  scenarioApplied: $("scenario-applied"),
  calls: $("calls"),
  trace: $("trace"),
  traceHttp: $("trace-http"),
};

const state = {
  paused: false,
  failures: 0,
  timer: undefined,
  running: false,
  again: false,
  /** Bumped when the token is dropped: answers of an older session are ignored. */
  session: 0,
  scenariosLoaded: false,
  /** Trace entries other than REST calls, as the last `trace` event counted them. */
  traceSeen: undefined,
  /** The refresh a burst of live events asked for. */
  soon: undefined,
  noticeTimer: undefined,
  /** The cleanup of the view shown in #view, if any. */
  unmount: undefined,
};

const actions = { refreshNow, report };

/** One poll: the clock first (a wrong token costs one failed attempt, not six), then the rest at once. */
async function refresh() {
  clearTimeout(state.timer);
  state.running = true;
  const session = state.session;
  // With the event stream up, events ask for refreshes; the timer only retries failures.
  let delay = connection.state === "live" ? null : INTERVAL_MS;
  try {
    const [ready, clock] = await Promise.all([
      getJson("/readyz", { auth: false, allow: [503] }),
      getJson("/api/admin/clock"),
    ]);
    const [tenants, calls, faults, unmatched, trace] = await Promise.all([
      loadTenants(),
      loadCalls(),
      loadFaults(),
      loadUnmatched(),
      loadTrace(ui.traceHttp.checked),
    ]);
    if (session === state.session) show({ ready, clock, tenants, calls, faults, unmatched, trace });
  } catch (error) {
    if (session === state.session) delay = failed(error);
  }
  state.running = false;
  if (state.again) {
    state.again = false;
    refresh();
  } else if (session === state.session) schedule(delay);
}

function refreshNow() {
  if (!token.get()) return;
  if (state.running) state.again = true;
  else refresh();
}

function schedule(delay) {
  clearTimeout(state.timer);
  state.timer = undefined;
  if (delay === null || !token.get() || state.paused || document.hidden) return;
  state.timer = setTimeout(refresh, delay);
}

function show({ ready, clock, tenants, calls, faults, unmatched, trace }) {
  state.failures = 0;
  banner(ui.error, null);
  if (ui.nav.hidden) enterDashboard();
  showClock(clock);
  renderIfChanged(ui.readiness, ready, readinessItems);
  renderIfChanged(ui.tenants, tenants, (data) => renderTenants(data, actions));
  renderIfChanged(ui.calls, calls, renderCalls);
  renderIfChanged(ui.faults, faults, (data) => renderFaults(data, actions));
  renderIfChanged(ui.unmatched, unmatched, (data) => renderUnmatched(data, actions));
  renderTrace(ui.trace, trace);
  if (!state.scenariosLoaded) {
    state.scenariosLoaded = true;
    setupClockPanel(ui.clockPanel, actions);
    setupFaultForm(ui.faultForm, actions);
    setupScenarios(ui.scenarios, ui.scenarioApplied, actions).catch(report);
  }
}

/** A 401 sends the reader back to the token form with the problem's words; anything else backs off. */
function failed(error) {
  if (error instanceof ApiFailure && error.status === 401) {
    leaveDashboard(error.message);
    return null;
  }
  state.failures += 1;
  let delay = Math.min(INTERVAL_MS * 2 ** state.failures, MAX_BACKOFF_MS);
  if (error instanceof ApiFailure && error.retryAfterSeconds)
    delay = Math.max(delay, error.retryAfterSeconds * 1000);
  banner(ui.error, `${error.message} — retrying in ${Math.round(delay / 1000)} s`);
  return delay;
}

function readinessItems(ready) {
  return [
    h("li", { class: `badge ${ready.status}` }, ready.status === "ready" ? "ready" : "not ready"),
    Object.entries(ready.components).map(([name, c]) =>
      h("li", { class: `badge ${c.state}`, title: c.detail ?? "" }, `${name}: ${c.state}`),
    ),
  ];
}

function enterDashboard() {
  ui.login.hidden = true;
  ui.loginError.hidden = true;
  ui.nav.hidden = false;
  ui.statusLine.hidden = false;
  ui.controls.hidden = false;
  updatePollState();
  if (!state.paused) startLive();
  showRoute();
}

/** Show the view the hash names: a registered view in #view, else the operator console. */
function showRoute() {
  unmountView();
  const parts = routeParts();
  const found = findView(parts);
  ui.dashboard.hidden = Boolean(found);
  ui.view.hidden = !found;
  for (const link of ui.nav.querySelectorAll("a"))
    if (link.dataset.view === (found ? parts[0] : "operator")) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  if (found) state.unmount = found.view.mount(ui.view, found.params, actions);
}

function unmountView() {
  if (typeof state.unmount === "function") state.unmount();
  state.unmount = undefined;
  ui.view.replaceChildren();
}

/** Drop the token and everything shown with it; `message` explains why (none for "forget token"). */
function leaveDashboard(message) {
  token.forget();
  state.session += 1;
  state.scenariosLoaded = false;
  state.again = false;
  state.traceSeen = undefined;
  stopLive();
  schedule(null);
  for (const container of [ui.readiness, ui.tenants, ui.calls, ui.faults, ui.unmatched]) clear(container);
  resetScenarios(ui.scenarios, ui.scenarioApplied);
  ui.clockPanel.replaceChildren();
  ui.faultForm.replaceChildren();
  ui.trace.textContent = "";
  resetClock();
  banner(ui.error, null);
  unmountView();
  ui.dashboard.hidden = true;
  ui.view.hidden = true;
  ui.nav.hidden = true;
  ui.statusLine.hidden = true;
  ui.controls.hidden = true;
  ui.login.hidden = false;
  ui.loginError.hidden = !message;
  ui.loginError.textContent = message ?? "";
  ui.tokenInput.focus();
}

function updatePollState() {
  ui.pause.textContent = state.paused ? "resume" : "pause";
  ui.pause.setAttribute("aria-pressed", String(state.paused));
  const live = connection.state;
  ui.pollState.dataset.state = state.paused ? "paused" : live;
  ui.pollState.textContent = state.paused
    ? "paused"
    : live === "live"
      ? "live"
      : live === "connecting"
        ? "connecting…"
        : `polling every ${INTERVAL_MS / 1000} s`;
  ui.pollState.title =
    live === "live"
      ? "updates arrive as events (GET /api/admin/events)"
      : "the event stream is down: polling";
}

/** The outcome of an action the reader took: a message, or an error. */
function report(outcome) {
  const isError = outcome instanceof Error;
  banner(ui.notice, isError ? outcome.message : outcome);
  ui.notice.classList.toggle("error", isError);
  clearTimeout(state.noticeTimer);
  state.noticeTimer = setTimeout(() => banner(ui.notice, null), NOTICE_MS);
}

function banner(element, text) {
  element.hidden = !text;
  element.textContent = text ?? "";
}

ui.loginForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const value = ui.tokenInput.value.trim();
  if (!value) return;
  token.set(value);
  ui.tokenInput.value = "";
  ui.loginError.hidden = true;
  state.session += 1;
  refreshNow();
});

$("forget").addEventListener("click", () => leaveDashboard(null));

ui.pause.addEventListener("click", () => {
  state.paused = !state.paused;
  updatePollState();
  if (state.paused) {
    stopLive();
    schedule(null);
  } else {
    startLive();
    refreshNow();
  }
  updatePollState();
});

ui.traceHttp.addEventListener("change", refreshNow);
$("download-pcap").addEventListener("click", () => downloadTrace("pcap").catch(report));
$("download-json").addEventListener("click", () => downloadTrace("json").catch(report));

window.addEventListener("hashchange", () => {
  if (!ui.nav.hidden) showRoute();
});

document.addEventListener("visibilitychange", () => {
  if (document.hidden) schedule(null);
  else if (!state.paused) refreshNow();
});

/** A live event: refresh what it may have changed, once per burst; the clock and trace counts need less. */
function onLiveEvent(data, type) {
  if (type === "clock") showClock(data);
  if (type === "ready") {
    showClock(data.clock);
    state.traceSeen = data.trace.recorded - data.trace.recordedHttp;
  }
  if (type === "trace") {
    // The page's own requests are REST entries: only other entries (or REST shown) are news.
    const seen = data.recorded - data.recordedHttp;
    if (seen === state.traceSeen && !ui.traceHttp.checked) return;
    state.traceSeen = seen;
  }
  if (state.paused || state.soon !== undefined) return;
  state.soon = setTimeout(() => {
    state.soon = undefined;
    if (!document.hidden) refreshNow();
  }, EVENT_REFRESH_MS);
}

subscribe("*", onLiveEvent);
onStateChange((live) => {
  updatePollState();
  // Up: one refresh catches up with what happened while it was down, then events drive.
  // Down: polling resumes at once.
  if (live === "live" || live === "polling") refreshNow();
});
setupClockHeader(ui.clock);

if (token.get()) refreshNow();
else ui.tokenInput.focus();
