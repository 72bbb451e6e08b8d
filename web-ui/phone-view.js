/**
 * Rendering of the browser phone: the call list with each call's controls, and the history
 * from the journal. Party names and numbers come from SIP: they only ever become text.
 */
import { h, table, time } from "./dom.js";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

/** The keypad: DTMF into the active call, otherwise digits into the number field. */
export function keypad(onKey) {
  return KEYS.map((key) =>
    h("button", { type: "button", class: "key", "data-key": key, onclick: () => onKey(key) }, key),
  );
}

function stateLabel(call) {
  if (call.state === "established") return call.held ? "on hold" : "connected";
  return call.state;
}

/**
 * One call and what can be done with it now. `other` is the user's other established call
 * (consultation): with it come alternate, attended transfer and conference.
 */
function callItem(call, other, actions) {
  const act = (label, name, handler, extra = {}) =>
    h(
      "button",
      { type: "button", "data-action": name, disabled: call.busy, onclick: handler, ...extra },
      label,
    );
  const controls = [];
  if (call.state === "ringing") {
    controls.push(act("Answer", "answer", () => actions.answer(call), { class: "primary" }));
    controls.push(act("Decline", "decline", () => call.decline()));
  } else if (call.state === "calling") {
    controls.push(act("Cancel", "hangup", () => call.hangup()));
  } else if (call.state === "established") {
    controls.push(act("Hang up", "hangup", () => call.hangup(), { class: "danger" }));
    controls.push(
      call.held
        ? act("Retrieve", "retrieve", () => call.setHold(false))
        : act("Hold", "hold", () => call.setHold(true)),
    );
    const target = h("input", {
      class: "transfer-target",
      "aria-label": "transfer or consult number",
      placeholder: "number",
      inputmode: "tel",
    });
    const withTarget = (fn) => () => target.value.trim() && fn(target.value.trim());
    if (other) {
      if (call.held) controls.push(act("Alternate", "alternate", () => actions.alternate(call, other)));
      controls.push(act("Transfer to other call", "attended-transfer", () => actions.attended(call, other)));
      if (actions.conference)
        controls.push(act("Conference", "conference", () => actions.conference(call, other)));
    } else {
      controls.push(
        h(
          "span",
          { class: "transfer" },
          target,
          act(
            "Transfer",
            "blind-transfer",
            withTarget((n) => call.transfer(n)),
          ),
          act(
            "Consult",
            "consult",
            withTarget((n) => actions.consult(call, n)),
          ),
        ),
      );
    }
  }
  return h(
    "li",
    {
      class: "call",
      "data-state": call.state,
      "data-held": call.held ? "true" : "false",
      "data-call": call.id,
    },
    h(
      "div",
      { class: "call-line" },
      h("span", { class: "direction", title: call.direction }, call.direction === "incoming" ? "⟵" : "⟶"),
      h("span", { class: "party" }, call.remote),
      h("span", { class: "badge", "data-state": call.state }, stateLabel(call)),
      call.note && h("span", { class: "note" }, call.note),
      call.dtmfSent && h("span", { class: "dtmf muted" }, `DTMF ${call.dtmfSent} (${call.dtmfVia})`),
    ),
    controls.length > 0 && h("div", { class: "call-controls" }, controls),
  );
}

export function renderCalls(list, calls, actions) {
  const established = calls.filter((c) => c.state === "established");
  list.replaceChildren(
    ...calls.map((call) => {
      const other = established.length === 2 ? established.find((c) => c !== call) : undefined;
      return callItem(call, call.state === "established" ? other : undefined, actions);
    }),
  );
}

function party(call) {
  return call.direction === "pbx-to-user" ? call.from : call.to;
}

function duration(ms) {
  if (ms === null) return "—";
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** The user's journal entries (GET /api/client/calls), newest first. */
export function renderHistory(container, calls) {
  if (calls.length === 0) {
    container.replaceChildren(h("p", { class: "muted" }, "No calls yet."));
    return;
  }
  container.replaceChildren(
    table(
      ["time", "", "party", "result", "duration"],
      calls.map((c) =>
        h(
          "tr",
          { class: "history-row", "data-state": c.state },
          h("td", {}, time(c.createdAt)),
          h("td", { title: c.direction }, c.direction === "pbx-to-user" ? "in" : "out"),
          h("td", {}, party(c)),
          h(
            "td",
            {},
            c.state === "ended" ? (c.answeredAt ? "answered" : (c.hangupCause ?? "missed")) : c.state,
          ),
          h("td", {}, duration(c.durationMs)),
        ),
      ),
      "history",
    ),
  );
}
