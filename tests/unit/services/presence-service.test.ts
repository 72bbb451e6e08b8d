import { describe, expect, it } from "vitest";
import { type PresenceChange, PresenceService } from "../../../src/services/index.js";

function setup(
  desk: { busy: boolean; dnd: boolean; cti: boolean } | undefined = { busy: false, dnd: false, cti: true },
) {
  const state = { app: false, desk, sent: [] as boolean[], refuse: false };
  const presence = new PresenceService({
    now: () => 1000,
    appBusy: () => state.app,
    deskPhone: () => state.desk,
    setDeskDnd: async (_userId, dnd) => {
      if (state.refuse) throw new Error("refused");
      state.sent.push(dnd);
    },
  });
  const changes: PresenceChange[] = [];
  presence.changed.on((c) => changes.push(c));
  return { presence, state, changes };
}

describe("PresenceService: DND and busy per user, app and desk phone in sync", () => {
  it("app DND goes to the desk phone when CTI is up, and is published once", async () => {
    const { presence, state, changes } = setup();
    expect(await presence.setDnd("tn_1", "us_1", true, "app")).toEqual({
      dnd: true,
      dndSource: "app",
      busy: false,
      busySource: [],
    });
    expect(state.sent).toEqual([true]);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ userId: "us_1", presence: { dnd: true }, previous: { dnd: false } });
  });

  it("desk-phone DND is taken without being sent back; without CTI app DND stays local", async () => {
    const { presence, state } = setup({ busy: false, dnd: true, cti: true });
    await presence.setDnd("tn_1", "us_1", true, "desk-phone");
    expect(state.sent).toEqual([]);
    expect(presence.get("tn_1", "us_1")).toMatchObject({ dnd: true, dndSource: "desk-phone" });
    const offline = setup({ busy: false, dnd: false, cti: false });
    await offline.presence.setDnd("tn_1", "us_1", true, "app");
    expect(offline.state.sent).toEqual([]);
  });

  it("a PBX refusal is thrown after the app's DND is kept", async () => {
    const { presence, state } = setup();
    state.refuse = true;
    await expect(presence.setDnd("tn_1", "us_1", true, "app")).rejects.toThrow("refused");
    expect(presence.get("tn_1", "us_1").dnd).toBe(true);
  });

  it("busy comes from app calls and the desk phone; refresh publishes only real changes", () => {
    const { presence, state, changes } = setup();
    state.app = true;
    state.desk = { busy: true, dnd: false, cti: true };
    presence.refresh("tn_1", "us_1");
    presence.refresh("tn_1", "us_1");
    expect(changes).toHaveLength(1);
    expect(changes[0]!.presence).toEqual({
      dnd: false,
      dndSource: null,
      busy: true,
      busySource: ["app", "desk-phone"],
    });
  });

  it("another tenant's user id does not see the DND", async () => {
    const { presence } = setup();
    await presence.setDnd("tn_1", "us_1", true, "app");
    expect(presence.get("tn_2", "us_1").dnd).toBe(false);
  });
});
