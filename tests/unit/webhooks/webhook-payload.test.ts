import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  callSummary,
  newDeliveryId,
  signBody,
  webhookHeaders,
} from "../../../src/webhooks/webhook-payload.js";

const call = {
  id: "call-000001",
  direction: "pbx-to-user",
  state: "answered",
  tenantId: "tn_1",
  trunkId: "tr_1",
  trunkName: "gtc-001",
  userId: "us_1",
  from: "3919209257",
  to: "+4923026672131",
  finalStatus: 200,
  hangupCause: null,
  // A journal Call has more; the summary keeps only its own fields.
  events: [{ at: 0, type: "invite" }],
} as const;

describe("webhook payload", () => {
  it("summarises a call with the trunk name and the journal path", () => {
    expect(callSummary(call)).toEqual({
      id: "call-000001",
      direction: "pbx-to-user",
      state: "answered",
      tenantId: "tn_1",
      trunkId: "tr_1",
      trunk: "gtc-001",
      userId: "us_1",
      from: "3919209257",
      to: "+4923026672131",
      finalStatus: 200,
      hangupCause: null,
      journal: "/api/admin/calls/call-000001",
    });
  });

  it("signs the exact body bytes GitHub-style (sha256=<hex HMAC>)", () => {
    const body = JSON.stringify({ id: "evt_1", type: "call.invite", detail: "Grüße" });
    const expected = createHmac("sha256", "s3cret").update(Buffer.from(body, "utf8")).digest("hex");
    expect(signBody(body, "s3cret")).toBe(`sha256=${expected}`);
    expect(signBody(body, "other")).not.toBe(`sha256=${expected}`);
  });

  it("names event and delivery in headers and signs only with a secret", () => {
    const delivery = { id: "evt_abc", type: "connector.available", body: "{}" };
    const signed = webhookHeaders(delivery, "k");
    expect(signed).toMatchObject({
      "content-type": "application/json",
      "x-upe-event": "connector.available",
      "x-upe-delivery": "evt_abc",
      "x-upe-signature": signBody("{}", "k"),
    });
    expect(webhookHeaders(delivery, null)).not.toHaveProperty("x-upe-signature");
  });

  it("gives every delivery its own id", () => {
    const ids = new Set(Array.from({ length: 100 }, newDeliveryId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^evt_[0-9a-f]{24}$/);
  });
});
