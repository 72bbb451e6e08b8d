import { describe, expect, it } from "vitest";
import { maintenancePeriod } from "../../../src/registrar/index.js";
import { parseScenario, ScenarioError } from "../../../src/scenarios/index.js";

const scenario = (body: string) => `name: demo
description: A demo scenario.
symptom: Something the PBX shows
cause: Why it happens.
expect: { outcome: The PBX cannot register. }
run: ["npx unify-phone-emulator --scenario demo"]
${body}`;

function issuesOf(body: string): string[] {
  try {
    parseScenario(scenario(body), "demo.yaml", "demo");
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
  }
  throw new Error("parsed without an error");
}

describe("the pbx: section", () => {
  it("reads the mock OSBiz's options and its actions", () => {
    const s = parseScenario(
      scenario(`pbx:
  model: X3
  uplinkKbps: 2048
  rtpChannels: { total: 60, busy: 10 }
  users:
    - { callno: "2131", firstName: Al, licence: none, trustedExternal: false, unifyPhoneRoute: true }
  expertMode: { registrarPort: 5061 }
  actions:
    - expertModeChange: { domain: wrong.example.test, transport: tcp }
    - publicAddressChange: 127.0.0.2
    - occupyRtpChannels: { n: 50, kind: device-at-home }
`),
      "demo.yaml",
      "demo",
    );
    expect(s.pbx).toEqual({
      model: "X3",
      uplinkKbps: 2048,
      rtpChannels: { total: 60, busy: 10 },
      users: [
        { callno: "2131", firstName: "Al", licence: "none", trustedExternal: false, unifyPhoneRoute: true },
      ],
      expertMode: { registrarPort: 5061 },
      actions: [
        { expertModeChange: { domain: "wrong.example.test", transport: "tcp" } },
        { publicAddressChange: "127.0.0.2" },
        { occupyRtpChannels: { n: 50, kind: "device-at-home" } },
      ],
    });
  });

  it("names every problem with its line and column", () => {
    expect(
      issuesOf(`pbx:
  model: X9
  uplinkKbps: fast
  rtpChannels: { total: 10, busy: 11 }
  users:
    - { callno: "21a", licence: maybe }
    - { callno: "2131", trusted: yes }
    - { callno: "2131" }
  expertMode: { registrarPort: 70000 }
  actions:
    - publicAddressChange: 10.0.0.1
    - occupyRtpChannels: { n: 0, kind: sip }
    - { expertModeChange: {}, publicAddressChange: 127.0.0.2 }
    - reboot: true
`),
    ).toEqual([
      "17:28 pbx.actions[0].publicAddressChange: must be a loopback IPv4 address the mock can bind, e.g. 127.0.0.2",
      "18:31 pbx.actions[1].occupyRtpChannels.n: must be an integer from 1 to 10000",
      "18:40 pbx.actions[1].occupyRtpChannels.kind: must be one of itsp, device-at-home",
      "19:7 pbx.actions[2]: one action per entry: expertModeChange, publicAddressChange, occupyRtpChannels",
      '20:7 pbx.actions[3].reboot: unknown key "reboot" in a PBX action (allowed: expertModeChange, publicAddressChange, occupyRtpChannels)',
      "8:10 pbx.model: must be one of X1, X3, X5, X8, S",
      "9:15 pbx.uplinkKbps: must be an integer from 64 to 10000000",
      "10:35 pbx.rtpChannels.busy: must be at most total (10)",
      "12:17 pbx.users[0].callno: must be a call number (digits, optional +)",
      '13:25 pbx.users[1].trusted: unknown key "trusted" in a PBX user (allowed: callno, firstName, lastName, emailAddress, licence, trustedExternal, unifyPhoneRoute)',
      "14:17 pbx.users[2].callno: 2131 is listed twice",
      "15:32 pbx.expertMode.registrarPort: must be an integer from 1 to 65535",
    ]);
  });
});

describe("the maintenance: section", () => {
  const T = Date.parse("2030-01-01T00:00:00Z");

  it("takes the window relative to the apply or on the emulator clock", () => {
    const relative = parseScenario(
      scenario("maintenance: { startsIn: 10m, lasts: 2h }"),
      "demo.yaml",
      "demo",
    );
    expect(maintenancePeriod(relative.maintenance!, T)).toEqual({ from: T + 600_000, until: T + 7_800_000 });
    const absolute = parseScenario(
      scenario('maintenance: { from: "2030-01-01T02:00:00Z", until: "2030-01-01T04:00:00Z" }'),
      "demo.yaml",
      "demo",
    );
    expect(maintenancePeriod(absolute.maintenance!, T)).toEqual({
      from: T + 7_200_000,
      until: T + 14_400_000,
    });
    const now = parseScenario(scenario("maintenance: { lasts: PT90S }"), "demo.yaml", "demo");
    expect(maintenancePeriod(now.maintenance!, T)).toEqual({ from: T, until: T + 90_000 });
  });

  it("wants one start, one end, and the end after the start", () => {
    expect(issuesOf("maintenance: { startsIn: soon }")).toEqual([
      '7:26 maintenance.startsIn: must be a duration such as "10m", "2h30m" or "PT90S"',
      '7:14 maintenance: needs an end: until (a time) or lasts (e.g. "2h")',
    ]);
    expect(
      issuesOf(
        'maintenance: { from: "2030-01-01T02:00:00Z", startsIn: 1h, until: "2030-01-01T01:00:00Z", lasts: 0s }',
      ),
    ).toEqual([
      '7:98 maintenance.lasts: must be a duration such as "10m", "2h30m" or "PT90S"',
      "7:14 maintenance: give the start as from or as startsIn, not both",
      "7:14 maintenance: give the end as until or as lasts, not both",
      "7:67 maintenance.until: must be after from",
    ]);
  });
});
