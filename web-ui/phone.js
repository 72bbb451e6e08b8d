/**
 * The browser Unify Phone client at /phone (docs/web-ui.md "Browser phone"): sign in with the
 * user's client password, register over wss://<host>/ws, phone with WebRTC audio.
 */
import { ClientApi } from "./phone-api.js";
import { loadSipJs, PhoneLine } from "./phone-sip.js";
import { keypad, renderCalls, renderHistory } from "./phone-view.js";

const HISTORY_EVERY_MS = 10_000;

const $ = (id) => document.getElementById(id);
const api = new ClientApi();
/** @type {PhoneLine | undefined} */
let line;
let historyTimer;

function showError(id, error) {
  const p = $(id);
  p.textContent = error ? String(error.message ?? error) : "";
  p.hidden = !error;
}

async function refreshHistory() {
  if (!line) return;
  try {
    renderHistory($("history"), await api.calls());
  } catch (error) {
    showError("phone-error", error);
  }
}

/** Answering a waiting call puts the active one on hold first (call waiting). */
async function answer(call) {
  const active = line.active;
  if (active && active !== call) await active.setHold(true);
  await call.answer();
}

/** Consultation: the current call goes on hold, the new one is dialled. */
async function consult(call, number) {
  await call.setHold(true);
  if (call.held) line.call(number);
}

/** Alternate: the active call goes on hold, the held one comes back. */
async function alternate(held, active) {
  await active.setHold(true);
  await held.setHold(false);
}

/** 3-way conference: both calls are REFERred into a conference the emulator mixes. */
function conference(call, other) {
  return line.conference([call, other]);
}

/** Attended transfer: the held party is connected to the consulted one (REFER with Replaces). */
function attended(call, other) {
  const [held, consulted] = call.held ? [call, other] : [other, call];
  return held.transferTo(consulted);
}

function render() {
  if (!line) return;
  const badge = $("registration");
  badge.textContent = line.state;
  badge.dataset.state = line.state.split(":")[0];
  renderCalls($("calls"), line.calls, { answer, consult, alternate, attended, conference });
  $("no-calls").hidden = line.calls.length > 0;
}

async function signIn(event) {
  event.preventDefault();
  showError("sign-in-error", null);
  const button = event.submitter;
  button.disabled = true;
  try {
    const credentials = {
      tenant: $("tenant").value.trim(),
      user: $("user").value.trim(),
      password: $("password").value,
    };
    const session = await api.signIn(credentials);
    const SIP = await loadSipJs();
    line = new PhoneLine(SIP, {
      aor: session.sip.aor,
      username: session.sip.authorizationUsername,
      password: api.password,
      domain: session.sip.domain,
      server: `wss://${location.host}${session.sip.webSocketPath}`,
      audio: $("audio"),
    });
    line.onChange(render);
    const historied = new Set();
    line.onChange(() => {
      // A call that just ended shows in the history (once per call).
      const ended = line?.calls.filter((c) => c.state === "ended" && !historied.has(c.id)) ?? [];
      for (const c of ended) historied.add(c.id);
      if (ended.length > 0) refreshHistory();
    });
    line.onError((error) => showError("phone-error", error));
    window.upePhone = { line, stats: () => Promise.all(line.calls.map((c) => c.stats())) };
    const { user } = session;
    $("me").textContent =
      `${user.firstName} ${user.lastName} · ${user.phoneNumber ?? user.callno ?? user.id}`;
    $("password").value = "";
    $("sign-in").hidden = true;
    $("phone").hidden = false;
    $("who").hidden = false;
    render();
    await line.start();
    await loadPresence();
    refreshHistory();
    historyTimer = setInterval(refreshHistory, HISTORY_EVERY_MS);
  } catch (error) {
    showError(line ? "phone-error" : "sign-in-error", error);
  } finally {
    button.disabled = false;
  }
}

async function loadPresence() {
  const { presence } = await api.me();
  const box = $("dnd");
  box.checked = presence?.dnd ?? false;
}

async function toggleDnd() {
  const box = $("dnd");
  const wanted = box.checked;
  try {
    const presence = await api.setDnd(wanted);
    box.checked = presence.dnd;
  } catch (error) {
    box.checked = !wanted;
    if (error.status === 501) box.disabled = true;
    showError("phone-error", error);
  }
}

async function signOut() {
  clearInterval(historyTimer);
  const current = line;
  line = undefined;
  window.upePhone = undefined;
  await current?.stop();
  await api.signOut();
  $("calls").replaceChildren();
  $("history").replaceChildren();
  $("phone").hidden = true;
  $("who").hidden = true;
  $("sign-in").hidden = false;
}

function dial(event) {
  event.preventDefault();
  const number = $("number").value.trim();
  if (!line || !number) return;
  showError("phone-error", null);
  line.call(number);
}

function key(digit) {
  const active = line?.active;
  if (active) active.sendDtmf(digit).catch((error) => showError("phone-error", error));
  else $("number").value += digit;
}

$("sign-in").addEventListener("submit", signIn);
$("dial-form").addEventListener("submit", dial);
$("sign-out").addEventListener("click", signOut);
$("dnd").addEventListener("change", toggleDnd);
$("keypad").replaceChildren(...keypad(key));
