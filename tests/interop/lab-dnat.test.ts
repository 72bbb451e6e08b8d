import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../support/until.js";
import { Peer } from "./support/process.js";

/**
 * docs/lab-osbiz.md's network wiring, run for real: two network namespaces joined by a veth
 * pair stand for the lab PBX (10.77.0.2) and the emulator host (10.77.0.1), which is the PBX's
 * gateway toward the connector address 35.246.178.13. The PBX namespace resolves
 * phoneapp.unify.com through a hosts entry; the emulator host DNATs the connector address's
 * 65061, 3478 UDP/TCP and RTP range to itself, redirects 443 to 8443 and SNATs the RTP it
 * sends. The mock OSBiz in the PBX namespace then provisions, registers and carries a call
 * with RTP both ways, all through those rules. Needs root, `ip` and `nft`; otherwise skips
 * with one line. Nothing leaves the two namespaces, which are removed afterwards.
 */
const CONNECTOR = "35.246.178.13";
const EMULATOR_IP = "10.77.0.1";
const PBX_IP = "10.77.0.2";
const API_KEY = "acme-key-0001-t7m7w6ToB8iPQCFUNQuX";
const ADMIN_TOKEN = "lab-admin-token-1";

/** The ruleset of docs/lab-osbiz.md ("nftables"), with the emulator host at 10.77.0.1. */
const LAB_RULESET = `table ip upe_lab {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr ${CONNECTOR} tcp dport 65061 dnat to ${EMULATOR_IP}
    ip daddr ${CONNECTOR} meta l4proto { tcp, udp } th dport 3478 dnat to ${EMULATOR_IP}
    ip daddr ${CONNECTOR} udp dport 20000-20019 dnat to ${EMULATOR_IP}
    tcp dport 443 redirect to :8443
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${EMULATOR_IP} udp sport 20000-20019 snat to ${CONNECTOR}
  }
}
`;

function missing(): string | null {
  if (process.getuid?.() !== 0) return "not root";
  for (const [command, args] of [
    ["ip", ["-V"]],
    ["nft", ["--version"]],
    ["curl", ["--version"]],
    ["openssl", ["version"]],
  ] as const) {
    if (spawnSync(command, [...args], { stdio: "ignore", timeout: 5_000 }).error) return `no ${command}`;
  }
  // Root without CAP_SYS_ADMIN (some sandboxes) cannot make namespaces: that is a skip, not a failure.
  const probe = `upe-lab-probe-${process.pid}`;
  const made = spawnSync("ip", ["netns", "add", probe], { encoding: "utf8", timeout: 5_000 });
  if (made.status !== 0)
    return `cannot create network namespaces (${made.stderr.trim() || made.error?.message})`;
  spawnSync("ip", ["netns", "delete", probe], { stdio: "ignore", timeout: 5_000 });
  return null;
}

const why = missing();
if (why) console.warn(`skipping the lab DNAT test (docs/lab-osbiz.md): ${why}`);

// Names unique to this run: namespaces are global to the machine.
const tag = `g${process.pid % 100_000}`;
const PBX_NS = `upe-lab-${tag}-pbx`;
const EMU_NS = `upe-lab-${tag}-emu`;

function run(command: string, args: string[], input?: string): string {
  // stderr is kept out of the test's output (openssl prints its chain there); a failure shows it.
  return execFileSync(command, args, {
    encoding: "utf8",
    timeout: 20_000,
    stdio: "pipe",
    ...(input ? { input } : {}),
  });
}
const inNs = (ns: string, args: string[], input?: string) => run("ip", ["netns", "exec", ns, ...args], input);

describe.skipIf(why !== null)("lab wiring: hosts entry, DNAT of the connector address, 443 → 8443", () => {
  const root = path.resolve(import.meta.dirname, "../..");
  // Made in beforeAll: a skipped suite's body still runs (to list its tests).
  let scratch = "";
  let ca = "";
  const peers: Peer[] = [];
  let emulator: Peer;
  let mock: Peer;

  /** The admin API from inside the emulator host (its own loopback). */
  const admin = (route: string, body?: unknown): unknown =>
    JSON.parse(
      inNs(EMU_NS, [
        "curl",
        "-sS",
        "--fail-with-body",
        "--cacert",
        ca,
        "-H",
        `Authorization: Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? [] : ["-H", "Content-Type: application/json", "-d", JSON.stringify(body)]),
        `https://127.0.0.1:8443${route}`,
      ]),
    );

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "upe-lab-"));
    ca = path.join(scratch, "certs", "ca.pem");
    run("ip", ["netns", "add", PBX_NS]);
    run("ip", ["netns", "add", EMU_NS]);
    run("ip", [
      "link",
      "add",
      `${tag}a`,
      "netns",
      PBX_NS,
      "type",
      "veth",
      "peer",
      "name",
      `${tag}b`,
      "netns",
      EMU_NS,
    ]);
    for (const [ns, dev, address] of [
      [PBX_NS, `${tag}a`, PBX_IP],
      [EMU_NS, `${tag}b`, EMULATOR_IP],
    ] as const) {
      run("ip", ["-n", ns, "addr", "add", `${address}/24`, "dev", dev]);
      run("ip", ["-n", ns, "link", "set", "lo", "up"]);
      run("ip", ["-n", ns, "link", "set", dev, "up"]);
    }
    // The emulator host is the PBX's way to the connector address.
    run("ip", ["-n", PBX_NS, "route", "add", "default", "via", EMULATOR_IP]);
    // `ip netns exec` mounts /etc/netns/<name>/hosts over /etc/hosts: the PBX's hosts entry.
    mkdirSync(`/etc/netns/${PBX_NS}`, { recursive: true });
    writeFileSync(`/etc/netns/${PBX_NS}/hosts`, `127.0.0.1 localhost\n${EMULATOR_IP} phoneapp.unify.com\n`);
    inNs(EMU_NS, ["nft", "-f", "-"], LAB_RULESET);

    emulator = new Peer(
      "emulator",
      "ip",
      [
        ...["netns", "exec", EMU_NS, process.execPath, "--import", "tsx", "src/main.ts", "start"],
        ...["--bind", "0.0.0.0", "--host", CONNECTOR, "--ephemeral", "--seed", "examples/call-flows.yaml"],
        ...["--admin-token", ADMIN_TOKEN, "--rtp-ports", "20000-20019", "--certs-dir", path.dirname(ca)],
        ...["--log-level", "warn"],
      ],
      { cwd: root },
    );
    peers.push(emulator);
    await emulator.waitFor(/ready: sip=65061 https=8443/, "the emulator's ready line", 30_000);
  }, 60_000);

  afterAll(async () => {
    for (const peer of peers.reverse()) await peer.stop();
    for (const ns of [PBX_NS, EMU_NS]) spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
    rmSync(`/etc/netns/${PBX_NS}`, { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("answers https://phoneapp.unify.com (port 443) from the PBX's side: the hosts entry and 443 → 8443", () => {
    const ready = JSON.parse(
      inNs(PBX_NS, ["curl", "-sS", "--cacert", ca, "https://phoneapp.unify.com/readyz"]),
    );
    expect(ready.status).toBe("ready");
  });

  it("serves SIP over TLS at the connector address, with a certificate for phoneapp.unify.com", () => {
    const out = inNs(PBX_NS, [
      ...["openssl", "s_client", "-CAfile", ca, "-connect", `${CONNECTOR}:65061`],
      ...["-servername", "phoneapp.unify.com", "-verify_hostname", "phoneapp.unify.com"],
    ]);
    expect(out).toContain("Verify return code: 0 (ok)");
  });

  it("answers STUN at the connector address over UDP and TCP, mapping the PBX's own address", () => {
    const out = inNs(PBX_NS, [
      process.execPath,
      path.join(root, "tests/interop/support/stun-probe.mjs"),
      CONNECTOR,
    ]);
    expect(out).toMatch(
      new RegExp(`^udp ${PBX_IP.replaceAll(".", "\\.")}:\\d+ from ${CONNECTOR}:3478$`, "m"),
    );
    expect(out).toMatch(new RegExp(`^tcp ${PBX_IP.replaceAll(".", "\\.")}:\\d+$`, "m"));
  });

  it("provisions, registers and carries a call with RTP both ways through the DNAT", async () => {
    mock = new Peer(
      "mock-osbiz",
      "ip",
      [
        ...[
          "netns",
          "exec",
          PBX_NS,
          process.execPath,
          "--import",
          "tsx",
          "tests/support/mock-osbiz-cli-entry.ts",
        ],
        ...[
          "--url",
          "https://phoneapp.unify.com",
          "--api-key",
          API_KEY,
          "--ca",
          ca,
          "--system-id",
          "osbiz-mock",
        ],
        ...["--rtp-bind", PBX_IP],
      ],
      { cwd: root },
    );
    peers.push(mock);
    await mock.waitFor(
      /connected to 35\.246\.178\.13:65061 over TLS/,
      "the TLS connection to the connector address",
    );
    await mock.waitFor(/ready: gtc-001 registered/, "the registration", 20_000);

    const tenants = admin("/api/admin/tenants") as { id: string }[];
    const connectors = admin(`/api/admin/tenants/${tenants[0]?.id}/connectors`) as Record<string, unknown>[];
    expect(connectors[0]).toMatchObject({
      name: "gtc-001",
      status: "available",
      remote: expect.stringMatching(/^10\.77\.0\.2:/),
    });

    const call = admin("/api/admin/calls", { fromUser: "al@acme.test", to: "+4930123456" }) as { id: string };
    type Stats = { packetsSent: number; packetsReceived: number };
    let stats: Stats = { packetsSent: 0, packetsReceived: 0 };
    await until(
      () => {
        const c = admin(`/api/admin/calls/${call.id}`) as { state: string; media: { stats: Stats } };
        stats = c.media.stats;
        return c.state === "answered" && stats.packetsReceived >= 10 && stats.packetsSent >= 10;
      },
      () => `RTP both ways (emulator sent ${stats.packetsSent}, received ${stats.packetsReceived})`,
      20_000,
    );
    // The mock got the emulator's RTP back (to its SDP address 10.77.0.2, from 35.246.178.13).
    const from = mock.mark();
    mock.send("calls");
    const [, received] = await mock.waitFor(
      /RTP sent \d+ received (\d+)/,
      "the mock's call list",
      10_000,
      from,
    );
    expect(Number(received)).toBeGreaterThan(0);
  }, 60_000);
});
