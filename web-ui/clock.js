/**
 * The emulator clock: shown in the header (ticking between updates while it runs) and in the
 * Clock panel, with set / freeze / resume / advance through the clock REST routes.
 */
import { request } from "./api.js";
import { duration, h, time } from "./dom.js";

const ADVANCES = [
  ["+1 h", "1h"],
  ["+1 d", "1d"],
  ["+30 d", "30d"],
];

/** The last clock the emulator reported, and when (performance.now()) it arrived. */
let last;
let ticker;
const views = { header: undefined, panel: undefined };

/** The emulator's time now, in ms (following a running clock since it was last reported). */
export function emulatorNow() {
  if (!last) return undefined;
  return last.frozen ? last.epochMs : last.epochMs + (performance.now() - last.receivedAt);
}

/** Takes a clock as GET /api/admin/clock (or the `clock` event) gives it, and shows it. */
export function showClock(clock) {
  last = {
    epochMs: clock.epochMs,
    frozen: clock.frozen,
    offsetMs: clock.offsetMs,
    receivedAt: performance.now(),
  };
  if (!ticker) ticker = setInterval(render, 1000);
  render();
}

/** Forget the clock (the token was dropped). */
export function resetClock() {
  last = undefined;
  clearInterval(ticker);
  ticker = undefined;
  if (views.header) views.header.textContent = "";
  if (views.panel) views.panel.now.textContent = "—";
}

/** The header line; `element` gets "emulator clock YYYY-MM-DD HH:MM:SS UTC · running · offset …". */
export function setupClockHeader(element) {
  views.header = element;
}

/** Builds the Clock panel's controls in `container` once. */
export function setupClockPanel(container, { refreshNow, report }) {
  const now = h("output", { id: "clock-now", class: "clock-now mono" }, "—");
  const mode = h("span", { id: "clock-mode", class: "badge" }, "");
  const input = h("input", {
    id: "clock-set",
    type: "datetime-local",
    step: 1,
    "aria-describedby": "clock-error",
  });
  const error = h("p", { id: "clock-error", class: "field-error", role: "alert", hidden: true });
  const freeze = h("button", { type: "button", id: "clock-freeze", "aria-pressed": "false" }, "freeze");

  async function change(path, method, json, what) {
    error.hidden = true;
    try {
      const clock = await (await request(path, { method, json })).json();
      showClock(clock);
      report(`Emulator clock ${what}: ${time(clock.now)} UTC.`);
      refreshNow();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  }

  const form = h(
    "form",
    {
      class: "clock-form toolbar",
      onsubmit: (event) => {
        event.preventDefault();
        if (!input.value) return;
        // The field shows UTC (as every time on the page): read it back as UTC.
        const iso = `${input.value.length === 16 ? `${input.value}:00` : input.value}Z`;
        change("/api/admin/clock", "PUT", { now: iso }, "set");
      },
    },
    h("label", { for: "clock-set" }, "set to (UTC)"),
    input,
    h("button", { type: "submit", id: "clock-set-button" }, "set"),
  );
  freeze.addEventListener("click", () => {
    const frozen = !last?.frozen;
    change("/api/admin/clock", "PUT", { frozen }, frozen ? "frozen" : "running again");
  });
  input.addEventListener("focus", () => {
    const ms = emulatorNow();
    if (!input.value && ms !== undefined) input.value = new Date(ms).toISOString().slice(0, 19);
  });

  container.replaceChildren(
    h("div", { class: "clock-state" }, now, " UTC ", mode),
    h(
      "div",
      { class: "toolbar" },
      freeze,
      h("span", { class: "muted" }, "advance"),
      ADVANCES.map(([label, by]) =>
        h(
          "button",
          {
            type: "button",
            class: "advance",
            "data-advance": by,
            onclick: () => change("/api/admin/clock/advance", "POST", { by }, `advanced ${label}`),
          },
          label,
        ),
      ),
    ),
    form,
    error,
  );
  views.panel = { now, mode, freeze };
  render();
}

function render() {
  if (!last) return;
  const iso = new Date(emulatorNow()).toISOString();
  if (views.header) views.header.textContent = headerText(iso);
  if (views.panel) {
    const { now, mode, freeze } = views.panel;
    now.textContent = time(iso);
    mode.textContent = last.frozen ? "frozen" : "running";
    mode.className = `badge ${last.frozen ? "frozen" : "running"}`;
    freeze.textContent = last.frozen ? "resume" : "freeze";
    freeze.setAttribute("aria-pressed", String(last.frozen));
  }
}

function headerText(iso) {
  const offset =
    Math.abs(last.offsetMs) < 1000
      ? ""
      : ` · offset ${last.offsetMs > 0 ? "+" : "−"}${duration(Math.abs(last.offsetMs))}`;
  return `emulator clock ${time(iso)} UTC · ${last.frozen ? "frozen" : "running"}${offset}`;
}
