import type { DeskPhone, DeskPhoneSnapshot } from "./desk-phone.js";

export const DESK_USAGE =
  "desk <callno> [ring <from>|answer|hangup|hold|retrieve|deflect <number>|transfer [<number>]|call <number>|consult <number>|alternate|dnd on|off|forward <number>|off]";

/**
 * The console's `desk` command on a user's desk phone: `desk 2131 ring 2132`, `desk 2131 dnd on`,
 * `desk 2131 forward 2133` (immediate forwarding; `off` ends it). Prints the phone's state after.
 */
export function runDeskCommand(
  phoneOf: (callno: string) => DeskPhone,
  args: readonly string[],
  print: (line: string) => void,
): void {
  const [callno, action, value] = args;
  if (callno === undefined) throw new Error(`usage: ${DESK_USAGE}`);
  const phone = phoneOf(callno);
  const required = (what: string): string => {
    if (value === undefined) throw new Error(`usage: desk ${callno} ${action} <${what}>`);
    return value;
  };
  switch (action?.toLowerCase()) {
    case undefined:
      break;
    case "ring":
      phone.ring(required("from"));
      break;
    case "answer":
      phone.answer();
      break;
    case "hangup":
      phone.hangup();
      break;
    case "hold":
      phone.hold();
      break;
    case "retrieve":
      phone.retrieve();
      break;
    case "deflect":
      phone.deflect(required("number"));
      break;
    case "transfer":
      // A number: single-step transfer; none: the held and the active call are joined.
      if (value === undefined) phone.transferCalls();
      else phone.transfer(value);
      break;
    case "consult":
      phone.consult(required("number"));
      break;
    case "alternate":
      phone.alternate();
      break;
    case "call":
      phone.makeCall(required("number"));
      break;
    case "dnd": {
      const on = onOff(value);
      if (on === undefined) throw new Error(`usage: desk ${callno} dnd on|off`);
      phone.setDnd(on);
      break;
    }
    case "forward": {
      const to = required("number|off");
      phone.setForwarding("forwardImmediate", to.toLowerCase() === "off" ? undefined : to);
      break;
    }
    default:
      throw new Error(`usage: ${DESK_USAGE}`);
  }
  print(describeDeskPhone(phone.snapshot()));
}

/** One line: `desk 2131 connected with 2132 (call dc1); DND off; forwarding off` (+ `, holding …` while consulting). */
export function describeDeskPhone(s: DeskPhoneSnapshot): string {
  const held = s.held ? `, holding ${s.held.peer} (call ${s.held.call.id})` : "";
  const call = s.call ? ` with ${s.peer} (call ${s.call.id})${held}` : "";
  const forwards = Object.entries(s.forwarding).map(([type, to]) => `${type} to ${to}`);
  return `desk ${s.callno} ${s.state}${call}; DND ${s.dnd ? "on" : "off"}; forwarding ${forwards.join(", ") || "off"}`;
}

function onOff(value: string | undefined): boolean | undefined {
  const v = value?.toLowerCase();
  return v === "on" ? true : v === "off" ? false : undefined;
}
