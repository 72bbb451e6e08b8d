import { describe, expect, it } from "vitest";
import { type RoutingOfUser, routingDecision } from "../../../src/b2bua/call-behaviour.js";

const user = (fields: Partial<RoutingOfUser> = {}): RoutingOfUser => ({
  routing: "default",
  busyBehaviour: "call-waiting",
  ...fields,
});
const idle = { dnd: false, busy: false };

describe("routingDecision: the user's routing, DND and busy settings on an incoming trunk call", () => {
  it("default and unify-phone alert; so does call waiting while busy", () => {
    expect(routingDecision(user(), idle)).toEqual({ kind: "alert" });
    expect(routingDecision(user({ routing: "unify-phone" }), idle)).toEqual({ kind: "alert" });
    expect(routingDecision(user(), { dnd: false, busy: true })).toEqual({ kind: "alert" });
    expect(routingDecision(user(), undefined)).toEqual({ kind: "alert" });
  });

  it("desk-phone: 480 naming the routing", () => {
    expect(routingDecision(user({ routing: "desk-phone" }), idle)).toMatchObject({
      kind: "refuse",
      status: 480,
      reason: expect.stringContaining("routing desk-phone"),
    });
  });

  it("alternative: 302 to the alternative number", () => {
    expect(
      routingDecision(user({ routing: "alternative", alternativeNumber: "004989700" }), idle),
    ).toMatchObject({
      kind: "redirect",
      to: "004989700",
    });
  });

  it("busy with busyBehaviour busy: 486; DND wins over everything: 480 Do Not Disturb", () => {
    expect(routingDecision(user({ busyBehaviour: "busy" }), { dnd: false, busy: true })).toMatchObject({
      kind: "refuse",
      status: 486,
    });
    for (const routing of ["default", "desk-phone", "unify-phone"] as const) {
      expect(
        routingDecision(user({ routing, busyBehaviour: "busy" }), { dnd: true, busy: true }),
      ).toMatchObject({
        status: 480,
        reason: "Temporarily Unavailable: Do Not Disturb",
      });
    }
  });
});
