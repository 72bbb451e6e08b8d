import dgram from "node:dgram";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";

const ADMIN = "metrics-admin-token";
const SCRAPER = "metrics-scrape-token-5d1f0c";
const SEED = `
tenants:
  - name: Acme
    systems:
      - systemId: osbiz-1
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
      - { emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", system: osbiz-1 }
`;

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  emulator = await startTestEmulator({ adminToken: ADMIN, metricsToken: SCRAPER, seedText: SEED });
  http = httpClient(emulator);
});

afterAll(async () => {
  await emulator.close();
});

async function scrape(token = SCRAPER): Promise<Map<string, Family>> {
  const res = await http.call("GET", "/metrics", { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(res.text);
}

describe("GET /metrics: what a Prometheus scraper reads after PBX traffic, a call, an import and a fault", () => {
  it("counts each of them, in valid exposition format with HELP and TYPE for every family", async () => {
    const before = await scrape();
    const delta =
      (name: string, labels: Record<string, string> = {}) =>
      (after: Map<string, Family>) =>
        sampleValue(after, name, labels) - sampleValue(before, name, labels);

    // A PBX with a wrong password is refused; then the right one registers.
    const intruder = await PbxTestUa.connect(emulator, TRUNK.username, "not-the-password");
    expect((await intruder.register()).status).toBe(403);
    intruder.close();
    const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    expect((await pbx.register()).status).toBe(200);

    // A call from the PBX, answered, a few RTP packets, hung up by the PBX.
    const acme = (await http.admin("GET", "/api/admin/tenants", undefined, ADMIN)).body[0].id;
    const [al] = (await http.admin("GET", `/api/admin/tenants/${acme}/users`, undefined, ADMIN)).body.items;
    await http.admin(
      "PATCH",
      `/api/admin/tenants/${acme}/users/${al.id}`,
      { callBehaviour: { mode: "answer", ringMs: 20 } },
      ADMIN,
    );
    const rtp = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => rtp.bind(0, "127.0.0.1", () => resolve()));
    const invite = pbx.sendInvite("+4923026672131", sdpOffer(rtp.address().port));
    const ok = await pbx.response(invite.callId, 200);
    expect(ok.status).toBe(200);
    pbx.ack(ok, invite);
    const echoed = new Promise((resolve) => rtp.once("message", resolve));
    const mediaPort = Number(/^m=audio (\d+)/m.exec(ok.body.toString())![1]);
    for (let seq = 1; seq <= 3; seq++) {
      const header = Buffer.from([0x80, 8, 0, seq, 0, 0, 0, 160 * seq, 1, 2, 3, 4]);
      rtp.send(Buffer.concat([header, Buffer.alloc(160, 0xd5)]), mediaPort, "127.0.0.1");
    }
    await until(
      async () => (await callOf(invite.callId))?.media?.stats.packetsReceived >= 3,
      "RTP at the emulator",
    );
    await echoed;
    const bye = pbx.inDialog("BYE", ok);
    expect((await pbx.response(bye, 200, "BYE")).status).toBe(200);
    rtp.close();

    // A REST import of one good row, then one refused for a bad row.
    const importCsv = (csv: string) =>
      http.call("POST", `/api/admin/tenants/${acme}/users/import?trunk=gtc-001`, {
        headers: { authorization: `Bearer ${ADMIN}` },
        raw: csv,
        contentType: "text/csv",
      });
    const header = "emailAddress,firstName,lastName,locale,callno\n";
    expect((await importCsv(`${header}bo@acme.test,Bo,Bold,de-DE,2132\n`)).status).toBe(200);
    expect((await importCsv(`${header}not-an-email,Bad,Mail,de-DE,2133\n`)).status).toBe(422);

    // A fault rule that answers the liveness probe 503 once.
    const rule = await http.admin(
      "POST",
      "/api/admin/faults",
      {
        id: "probe-down",
        layer: "http",
        match: { method: "GET", path: "/healthz" },
        action: { type: "respond", status: 503 },
        when: { maxHits: 1 },
      },
      ADMIN,
    );
    expect(rule.status).toBe(201);
    expect((await http.call("GET", "/healthz")).status).toBe(503);
    pbx.close();

    const after = await scrape();
    for (const [name, family] of after) {
      expect(family.help, `HELP of ${name}`).toBeTruthy();
      expect(family.type, `TYPE of ${name}`).toBeTruthy();
      if (name.startsWith("upe_") && family.type === "counter") expect(name).toMatch(/_total$/);
    }
    const count = (name: string, labels?: Record<string, string>) => delta(name, labels)(after);

    expect(count("upe_registrations_total", { result: "failure" })).toBe(1);
    expect(count("upe_registration_failures_total", { cause: "wrong_credentials" })).toBe(1);
    expect(count("upe_registrations_total", { result: "success" })).toBe(1);
    // Both PBX connections: two TLS handshakes; two REGISTERs each (challenge, then credentials).
    expect(count("upe_tls_handshakes_total")).toBe(2);
    expect(count("upe_sip_requests_total", { direction: "in", method: "REGISTER" })).toBe(4);
    expect(
      count("upe_sip_responses_total", { direction: "out", method: "REGISTER", status_class: "4xx" }),
    ).toBe(3);
    expect(
      count("upe_sip_responses_total", { direction: "out", method: "REGISTER", status_class: "2xx" }),
    ).toBe(1);
    expect(count("upe_sip_requests_total", { direction: "in", method: "INVITE" })).toBe(1);
    expect(
      count("upe_sip_responses_total", { direction: "out", method: "INVITE", status_class: "1xx" }),
    ).toBeGreaterThanOrEqual(1);
    expect(count("upe_sip_responses_total", { direction: "out", method: "BYE", status_class: "2xx" })).toBe(
      1,
    );
    // REGISTER ×4, INVITE, BYE: each its server transaction (the ACK of a 2xx has none).
    expect(count("upe_sip_transactions_total", { role: "server" })).toBe(6);
    expect(after.get("upe_sip_retransmissions_total")?.type).toBe("counter");

    expect(count("upe_calls_started_total", { direction: "pbx-to-user" })).toBe(1);
    expect(count("upe_calls_ended_total", { direction: "pbx-to-user", outcome: "answered" })).toBe(1);
    expect(sampleValue(after, "upe_calls_active", { direction: "pbx-to-user" })).toBe(0);
    expect(count("upe_call_setup_seconds_count", { direction: "pbx-to-user" })).toBe(1);
    expect(count("upe_call_setup_seconds_bucket", { direction: "pbx-to-user", le: "+Inf" })).toBe(1);
    expect(count("upe_rtp_packets_total", { direction: "in" })).toBe(3);
    expect(count("upe_rtp_packets_total", { direction: "out" })).toBeGreaterThanOrEqual(1);
    expect(after.get("upe_rtp_jitter_seconds")?.type).toBe("histogram");
    expect(count("upe_rtp_jitter_seconds_count")).toBe(1);

    expect(count("upe_user_import_rows_total", { result: "ok", dry_run: "false" })).toBe(1);
    expect(count("upe_user_import_rows_total", { result: "failed", dry_run: "false" })).toBe(1);
    const importRoute = { method: "POST", route: "/api/admin/tenants/:tenantId/users/import" };
    expect(count("upe_http_requests_total", { ...importRoute, status: "200" })).toBe(1);
    expect(count("upe_http_requests_total", { ...importRoute, status: "422" })).toBe(1);
    expect(count("upe_http_request_duration_seconds_count", importRoute)).toBe(2);

    expect(count("upe_fault_hits_total", { rule: "probe-down", point: "http.request" })).toBe(1);
    expect(count("upe_http_requests_total", { method: "GET", route: "/healthz", status: "503" })).toBe(1);
    expect(sampleValue(after, "upe_webhook_deliveries_total", { outcome: "delivered" })).toBe(0);

    // The process's own metrics, event-loop lag among them.
    expect(after.get("nodejs_eventloop_lag_seconds")?.type).toBe("gauge");
    expect(sampleValue(after, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
  });

  it("reports the connector and its bindings while the PBX is registered", async () => {
    const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    expect((await pbx.register()).status).toBe(200);
    const metrics = await scrape();
    expect(sampleValue(metrics, "upe_connectors_available")).toBe(1);
    expect(sampleValue(metrics, "upe_registrar_bindings", { kind: "trunk" })).toBe(1);
    expect(sampleValue(metrics, "upe_registrar_bindings", { kind: "client" })).toBe(0);
    pbx.close();
    await until(
      async () => sampleValue(await scrape(), "upe_connectors_available") === 0,
      "the connector to go unavailable",
    );
  });
});

describe("GET /metrics: TLS", () => {
  it("counts a handshake that fails by its reason: plain text on the TLS port is not_tls", async () => {
    const before = sampleValue(await scrape(), "upe_tls_handshake_failures_total", { reason: "not_tls" });
    const socket = net.connect(emulator.ports.sip, "127.0.0.1");
    socket.on("error", () => {});
    socket.write("OPTIONS sip:phoneapp.unify.com SIP/2.0\r\n\r\n");
    await until(
      async () =>
        sampleValue(await scrape(), "upe_tls_handshake_failures_total", { reason: "not_tls" }) === before + 1,
      "the failed handshake counted",
    );
    socket.destroy();
  });
});

describe("GET /metrics: SIP counted as it went on the wire", () => {
  it("counts a request of an unknown method with a long name as other, read from the parsed message", async () => {
    const other = (after: Map<string, Family>) =>
      sampleValue(after, "upe_sip_requests_total", { direction: "in", method: "other" });
    const answered = (after: Map<string, Family>, status: number) =>
      sampleValue(after, "upe_sip_responses_total", {
        direction: "out",
        method: "other",
        status_class: `${Math.floor(status / 100)}xx`,
      });
    const before = await scrape();
    const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    try {
      // 21 characters: more than a scan of the first bytes can tell from garbage.
      const answer = await pbx.client.request(pbx.outOfDialog("XEXTENSIONMETHODLONG1"));
      expect(answer.status).toBeGreaterThanOrEqual(400);
      const after = await scrape();
      expect(other(after)).toBe(other(before) + 1);
      expect(answered(after, answer.status)).toBe(answered(before, answer.status) + 1);
    } finally {
      pbx.close();
    }
  });

  it("counts a response a sip.out fault corrupted by its bytes, not by the message it was made from", async () => {
    const options = (after: Map<string, Family>) =>
      sampleValue(after, "upe_sip_responses_total", {
        direction: "out",
        method: "OPTIONS",
        status_class: "2xx",
      });
    const hits = (after: Map<string, Family>, rule: string) =>
      sampleValue(after, "upe_fault_hits_total", { rule, point: "sip.out" });
    const before = options(await scrape());
    const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    const corrupt = async (id: string, mode: string) => {
      const rule = {
        id,
        layer: "sip",
        match: { direction: "out", message: "response", method: "OPTIONS" },
        action: { type: "corrupt", mode },
        when: { maxHits: 1 },
      };
      expect((await http.admin("POST", "/api/admin/faults", rule, ADMIN)).status).toBe(201);
      pbx.client.write(pbx.outOfDialog("OPTIONS"));
      // The hit and the write happen together: once the hit shows, the tap has counted.
      await until(async () => hits(await scrape(), id) === 1, `the ${mode} corruption to fire`);
    };
    try {
      // A wrong Content-Length: still a 200 to OPTIONS on the wire, counted as one.
      await corrupt("options-length", "content-length");
      expect(options(await scrape())).toBe(before + 1);
      // A start line that is no status: the bytes are no 2xx, so no 2xx is counted.
      await corrupt("options-start-line", "start-line");
      expect(options(await scrape())).toBe(before + 1);
    } finally {
      pbx.close();
      await http.admin("DELETE", "/api/admin/faults/options-length", undefined, ADMIN);
      await http.admin("DELETE", "/api/admin/faults/options-start-line", undefined, ADMIN);
    }
  });
});

describe("GET /metrics: webhooks", () => {
  it("counts deliveries the receiver took and those given up after a 4xx, across a webhook change", async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const before = await scrape();
      const delivered = () => sampleValue(before, "upe_webhook_deliveries_total", { outcome: "delivered" });
      const failed = () => sampleValue(before, "upe_webhook_deliveries_total", { outcome: "failed" });
      expect((await http.admin("PUT", "/api/admin/webhook", { url: receiver.url }, ADMIN)).status).toBe(200);
      const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
      expect((await pbx.register()).status).toBe(200);
      await until(async () => {
        const now = await scrape();
        return sampleValue(now, "upe_webhook_deliveries_total", { outcome: "delivered" }) === delivered() + 1;
      }, "the connector event delivered");
      // A new webhook resets the status counters; the metric, a counter, does not go back.
      receiver.answer = () => 400;
      expect((await http.admin("PUT", "/api/admin/webhook", { url: receiver.url }, ADMIN)).status).toBe(200);
      pbx.close();
      await until(async () => {
        const now = await scrape();
        return sampleValue(now, "upe_webhook_deliveries_total", { outcome: "failed" }) === failed() + 1;
      }, "the unavailable event refused");
      const after = await scrape();
      expect(sampleValue(after, "upe_webhook_deliveries_total", { outcome: "delivered" })).toBe(
        delivered() + 1,
      );
    } finally {
      await http.admin("DELETE", "/api/admin/webhook", undefined, ADMIN);
      await receiver.close();
    }
  });
});

describe("GET /metrics: access", () => {
  it("asks for a token: none → 401; a wrong one → 401; the admin token or the metrics token → 200", async () => {
    const bare = await http.call("GET", "/metrics");
    expect(bare.status).toBe(401);
    expect(bare.body).toMatchObject({ code: "admin_token_missing" });
    const wrong = await http.call("GET", "/metrics", { headers: { authorization: "Bearer guessed" } });
    expect(wrong.status).toBe(401);
    expect(
      (await http.call("GET", "/metrics", { headers: { authorization: `Bearer ${ADMIN}` } })).status,
    ).toBe(200);
    expect(
      (await http.call("GET", "/metrics", { headers: { authorization: `Bearer ${SCRAPER}` } })).status,
    ).toBe(200);
  });

  it("gives the metrics token nothing but /metrics", async () => {
    const res = await http.call("GET", "/api/admin/tenants", {
      headers: { authorization: `Bearer ${SCRAPER}` },
    });
    expect(res.status).toBe(401);
  });

  it("serves it without a token with --metrics-public, to anyone", async () => {
    const open = await startTestEmulator({ metricsPublic: true });
    try {
      const res = await httpClient(open).call("GET", "/metrics");
      expect(res.status).toBe(200);
      expect(parseExposition(res.text).get("upe_registrations_total")?.type).toBe("counter");
    } finally {
      await open.close();
    }
  });
});

async function callOf(sipCallId: string) {
  const calls = (await http.admin("GET", "/api/admin/calls", undefined, ADMIN)).body;
  return calls.find((c: { legs: { callId: string }[] }) => c.legs.some((l) => l.callId === sipCallId));
}
/**
 * A reader of the Prometheus text exposition format (version 0.0.4), strict enough to
 * catch what a scraper would reject: every sample belongs to a family with HELP and TYPE,
 * label values are quoted with \\, \" and \n escapes, values are numbers (or ±Inf/NaN).
 */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

interface Family {
  help?: string;
  type?: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["_sum", "_count", ""],
};

function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    const known = families.get(name);
    if (known) return known;
    const created: Family = { samples: [] };
    families.set(name, created);
    return created;
  };
  text.split("\n").forEach((line, index) => {
    const where = `line ${index + 1}: ${line}`;
    if (line.trim() === "") return;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const f = family(meta[2]!);
      if (meta[1] === "HELP") f.help = meta[3]!;
      else {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(meta[3]!))
          throw new Error(`bad TYPE at ${where}`);
        f.type = meta[3]!;
      }
      return;
    }
    if (line.startsWith("#")) return;
    const sample = parseSample(line, where);
    const owner = ownerOf(families, sample.name);
    if (!owner) throw new Error(`sample without a TYPE line at ${where}`);
    owner.samples.push(sample);
  });
  return families;
}

function ownerOf(families: Map<string, Family>, name: string): Family | undefined {
  const direct = families.get(name);
  if (direct?.type) return direct;
  for (const [family, f] of families) {
    const suffixes = SUFFIXES[f.type ?? ""] ?? [];
    if (suffixes.some((s) => s !== "" && name === family + s)) return f;
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  const name = NAME.exec(line)?.[0];
  if (!name) throw new Error(`no metric name at ${where}`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const label = LABEL_NAME.exec(rest)?.[0];
      if (!label || rest[label.length] !== "=" || rest[label.length + 1] !== '"')
        throw new Error(`bad label at ${where}`);
      rest = rest.slice(label.length + 2);
      let value = "";
      for (;;) {
        const c = rest[0];
        if (c === undefined) throw new Error(`unterminated label value at ${where}`);
        rest = rest.slice(1);
        if (c === '"') break;
        if (c === "\\") {
          const e = rest[0];
          rest = rest.slice(1);
          if (e === "n") value += "\n";
          else if (e === "\\" || e === '"') value += e;
          else throw new Error(`bad escape at ${where}`);
        } else value += c;
      }
      labels[label] = value;
      if (rest.startsWith(",")) rest = rest.slice(1);
    }
    rest = rest.slice(1);
  }
  const fields = rest.trim().split(/\s+/);
  if (!rest.startsWith(" ") || fields.length < 1 || fields.length > 2)
    throw new Error(`bad value at ${where}`);
  const raw = fields[0]!;
  // Go's ParseFloat, which Prometheus uses, takes NaN and Inf in any case (prom-client writes "Nan").
  const special = /^([+-]?)(inf|nan)$/i.exec(raw);
  const value = special
    ? special[2]!.toLowerCase() === "nan"
      ? NaN
      : special[1] === "-"
        ? -Infinity
        : Infinity
    : Number(raw);
  if (Number.isNaN(value) && !special) throw new Error(`bad number at ${where}`);
  return { name, labels, value };
}

/** The value of the one sample named `name` whose labels include `labels`; 0 when there is none. */
function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const matches = [...families.values()]
    .flatMap((f) => f.samples)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length > 1)
    throw new Error(`${name} ${JSON.stringify(labels)} matches ${matches.length} samples`);
  return matches[0]?.value ?? 0;
}
