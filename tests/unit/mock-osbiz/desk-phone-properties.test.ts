import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DeskPhone, DeskPhoneError, DeskPhones } from "../../../src/mock-osbiz/desk-phone.js";

const USERS = ["2131", "2132", "2133"];
const NUMBERS = [...USERS, "+4930123456"];

const operation = fc.oneof(
  fc.record({
    op: fc.constantFrom("answer", "hangup", "hold", "retrieve", "alternate", "transferCalls"),
    phone: fc.constantFrom(...USERS),
  }),
  fc.record({
    op: fc.constantFrom("ring", "makeCall", "deflect", "transfer", "forward", "consult"),
    phone: fc.constantFrom(...USERS),
    to: fc.constantFrom(...NUMBERS),
  }),
  fc.record({ op: fc.constant("dnd"), phone: fc.constantFrom(...USERS), on: fc.boolean() }),
  fc.record({ op: fc.constant("unforward"), phone: fc.constantFrom(...USERS) }),
);
type Operation = { op: string; phone: string; to?: string; on?: boolean };

function apply(phone: DeskPhone, o: Operation): unknown {
  switch (o.op) {
    case "answer":
      return phone.answer();
    case "hangup":
      return phone.hangup();
    case "hold":
      return phone.hold();
    case "retrieve":
      return phone.retrieve();
    case "ring":
      return phone.ring(o.to!);
    case "makeCall":
      return phone.makeCall(o.to!);
    case "deflect":
      return phone.deflect(o.to!);
    case "transfer":
      return phone.transfer(o.to!);
    case "consult":
      return phone.consult(o.to!);
    case "alternate":
      return phone.alternate();
    case "transferCalls":
      return phone.transferCalls();
    case "forward":
      return phone.setForwarding("forwardImmediate", o.to!);
    case "unforward":
      return phone.setForwarding("forwardImmediate", undefined);
    default:
      return phone.setDnd(o.on!);
  }
}

describe("desk phones under any sequence of operations", () => {
  it("refuse only with DeskPhoneError and keep both ends of an internal call in step (consultation too)", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 40 }), (operations) => {
        const phones = new DeskPhones((callno) => USERS.includes(callno));
        for (const o of operations) {
          try {
            apply(phones.get(o.phone), o);
          } catch (error) {
            expect(error).toBeInstanceOf(DeskPhoneError);
          }
          for (const callno of USERS) {
            const s = phones.get(callno).snapshot();
            expect(s.state === "idle").toBe(s.call === undefined);
            // A held (consulting) call goes with an active one.
            if (s.held) expect(s.call).toBeDefined();
            // The other end of a call between two desk phones holds the same call (active or held).
            for (const [call, peer] of [
              [s.call, s.peer],
              [s.held?.call, s.held?.peer],
            ] as const) {
              if (!call || !peer || !USERS.includes(peer)) continue;
              const other = phones.get(peer).snapshot();
              expect([other.call?.id, other.held?.call.id], `${callno} ${s.state} with ${peer}`).toContain(
                call.id,
              );
            }
            // A phone waiting for the far end has a desk phone ringing for it.
            if (s.state === "dialing") expect(phones.get(s.peer!).state).toBe("ringing");
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
