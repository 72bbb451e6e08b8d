import { createHash, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { parseMessage, type SipResponse, serialize } from "../../src/sip/message/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { parseChallenge, SipTestClient } from "../support/sip-test-client.js";

/**
 * The refresh shortcut must answer exactly as the full path: every step below runs against an
 * emulator with it (the default) and one with `--register-shortcut off`, and both must give the
 * same answers, byte for byte but the To tag and Date, and the same counters.
 */
let fast: EmulatorHandle;
let full: EmulatorHandle;

beforeAll(async () => {
  [fast, full] = await Promise.all([
    startTestEmulator({ adminToken: "shortcut-admin", sip: { port: 0, udpPort: 0 } }),
    startTestEmulator({
      adminToken: "shortcut-admin",
      sip: { port: 0, udpPort: 0 },
      registrar: { refreshShortcut: "off" },
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([fast?.close(), full?.close()]);
});

const DOMAIN = "phoneapp.unify.com";
const URI = `sip:${DOMAIN}`;

/** A PBX trunk that refreshes as OpenScape Business does: one Call-ID, one From tag, nc counting up. */
class RefreshingPbx {
  tag = randomBytes(4).toString("hex");
  callId = randomBytes(8).toString("hex");
  cseq = 0;
  nonce = "";
  realm = "";
  nc = 0;
  password = TRUNK.password;
  expires = 600;
  extra: string[] = [];
  contactUser = TRUNK.username;
  /** The Call-ID header's name as written: `i` is its compact form. */
  callIdName = "Call-ID";
  /** Via lines above ours, as a proxy in between adds them. */
  proxies: string[] = [];

  private constructor(private readonly client: SipTestClient) {}

  get port(): number {
    return this.client.localPort;
  }

  static async connect(emulator: EmulatorHandle): Promise<RefreshingPbx> {
    const client = await SipTestClient.connectTls(emulator.ports.sip, {
      ca: emulator.certificates.caCertPem!,
    });
    return new RefreshingPbx(client);
  }

  /** REGISTER without credentials, then with them for the challenge's nonce. */
  async full(): Promise<SipResponse> {
    const challenge = await this.send(undefined);
    expect(challenge.status).toBe(401);
    const offered = parseChallenge(challenge.headers.get("www-authenticate")!);
    this.nonce = offered.nonce!;
    this.realm = offered.realm!;
    this.nc = 0;
    return this.refresh();
  }

  /** The next refresh: CSeq and nc one up (or as `change` sets them), a new branch and cnonce. */
  refresh(change: { cseq?: number; nc?: number; password?: string } = {}): Promise<SipResponse> {
    return this.exchange(this.refreshText(change));
  }

  /** The text of the next refresh, not sent. */
  refreshText(change: { cseq?: number; nc?: number; password?: string } = {}): string {
    this.cseq = change.cseq ?? this.cseq + 1;
    this.nc = change.nc ?? this.nc + 1;
    const nc = this.nc.toString(16).padStart(8, "0");
    const cnonce = randomBytes(6).toString("hex");
    const h = (s: string) => createHash("md5").update(s).digest("hex");
    const ha1 = h(`${TRUNK.username}:${this.realm}:${change.password ?? this.password}`);
    const response = h(`${ha1}:${this.nonce}:${nc}:${cnonce}:auth:${h(`REGISTER:${URI}`)}`);
    return this.text(
      `Digest username="${TRUNK.username}", realm="${this.realm}", nonce="${this.nonce}", uri="${URI}", response="${response}", algorithm=MD5, cnonce="${cnonce}", qop=auth, nc=${nc}`,
    );
  }

  send(authorization: string | undefined): Promise<SipResponse> {
    if (authorization === undefined) this.cseq++;
    return this.exchange(this.text(authorization));
  }

  /** Sends a REGISTER and waits for its final answer (matched by Call-ID and CSeq, any header spelling). */
  private exchange(text: string): Promise<SipResponse> {
    const cseq = this.cseq;
    this.client.write(text);
    return this.answerTo(cseq);
  }

  text(authorization: string | undefined): string {
    const port = this.client.localPort;
    return [
      `REGISTER ${URI} SIP/2.0`,
      ...this.proxies,
      `Via: SIP/2.0/TLS 127.0.0.1:${port};branch=z9hG4bK${randomBytes(8).toString("hex")};rport`,
      "Max-Forwards: 70",
      `From: <sip:${TRUNK.username}@${DOMAIN}>;tag=${this.tag}`,
      `To: <sip:${TRUNK.username}@${DOMAIN}>`,
      `${this.callIdName}: ${this.callId}`,
      `CSeq: ${this.cseq} REGISTER`,
      `Contact: <sip:${this.contactUser}@127.0.0.1:${port};transport=tls>`,
      `Expires: ${this.expires}`,
      ...(authorization === undefined ? [] : [`Authorization: ${authorization}`]),
      ...this.extra,
      "User-Agent: OpenScape Business V3R3",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n");
  }

  /** Waits for the final response to this trunk's REGISTER with CSeq `cseq`. */
  answerTo(cseq: number): Promise<SipResponse> {
    return this.client.waitFor(
      (m): m is SipResponse =>
        m.kind === "response" && m.status >= 200 && m.callId === this.callId && m.cseq.seq === cseq,
    );
  }

  write(bytes: string): void {
    this.client.write(bytes);
  }

  close(): void {
    this.client.close();
  }
}

/** The response as a client reads it, with what differs by design (To tag, Date, ports) made equal. */
function normalized(response: SipResponse, pbx: RefreshingPbx): string {
  const pbxPort = pbx.port;
  return serialize(response)
    .toString("latin1")
    .replace(/(\r\nFrom: [^\r\n]*;tag=)[0-9a-f]+/, "$1FROMTAG")
    .replace(/\r\nCall-ID: [^\r\n]*/, "\r\nCall-ID: CALLID")
    .replace(/(\r\nTo: [^\r\n]*;tag=)[0-9a-f]+/, "$1TAG")
    .replace(/\r\nDate: [^\r\n]*/, "\r\nDate: DATE")
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/, "TIME")
    .replace(/\r\nRetry-After: \d+/, "\r\nRetry-After: SECONDS")
    .replace(/branch=z9hG4bK[0-9a-f]+/, "branch=BRANCH")
    .replace(/nonce="[^"]*"/g, 'nonce="NONCE"')
    .replaceAll(`:${pbxPort}`, ":PORT")
    .replaceAll(`=${pbxPort}`, "=PORT");
}

/** Runs the same steps on both emulators; each step gives the normalized answer it got. */
async function both(steps: (pbx: RefreshingPbx, emulator: EmulatorHandle) => Promise<SipResponse[]>) {
  const answers: string[][] = [];
  for (const emulator of [fast, full]) {
    const pbx = await RefreshingPbx.connect(emulator);
    try {
      answers.push((await steps(pbx, emulator)).map((r) => normalized(r, pbx)));
    } finally {
      pbx.close();
    }
  }
  expect(answers[0]).toEqual(answers[1]);
  return answers[0]!;
}

async function metric(emulator: EmulatorHandle, name: string): Promise<string[]> {
  const text = (await httpClient(emulator).admin("GET", "/metrics")).text;
  return text.split("\n").filter((line) => line.startsWith(name));
}

async function shortcutCount(emulator: EmulatorHandle): Promise<number> {
  const [line] = await metric(emulator, "upe_registration_shortcut_refreshes_total");
  return Number(line?.split(" ")[1]);
}

describe("the refresh shortcut answers as the full path does", () => {
  it("refreshes: 200 with the same headers, and the shortcut took them", async () => {
    const before = await shortcutCount(fast);
    // The registration's 200 leaves the templates; every refresh after it uses them.
    const answers = await both(async (pbx) => [
      await pbx.full(),
      await pbx.refresh(),
      await pbx.refresh(),
      await pbx.refresh(),
    ]);
    expect(answers.every((a) => a.startsWith("SIP/2.0 200 OK"))).toBe(true);
    expect(answers[3]).toContain(";expires=600\r\n");
    expect(await shortcutCount(fast)).toBe(before + 3);
    expect(await shortcutCount(full)).toBe(0);
  });

  it("wrong response, replayed nonce count, CSeq not higher: 403, 401, 500 — and then refreshes again", async () => {
    const before = await shortcutCount(fast);
    const answers = await both(async (pbx) => [
      await pbx.full(),
      await pbx.refresh(),
      await pbx.refresh({ password: "not-the-password" }),
      await pbx.refresh({ nc: pbx.nc }),
      // The CSeq of the 200 that refreshed the binding: not higher.
      await pbx.refresh({ cseq: 3 }),
      await pbx.refresh(),
    ]);
    expect(answers.map((a) => a.split("\r\n")[0])).toEqual([
      "SIP/2.0 200 OK",
      "SIP/2.0 200 OK",
      "SIP/2.0 403 Forbidden: wrong password",
      "SIP/2.0 401 Unauthorized",
      "SIP/2.0 500 Server Internal Error: out-of-order REGISTER (CSeq not higher)",
      "SIP/2.0 200 OK",
    ]);
    expect(await shortcutCount(fast)).toBe(before + 2);
  });

  it("registering afresh on the same connection (new Call-ID, From tag and nonce, CSeq from 1): the shortcut answers the authenticated REGISTER", async () => {
    const before = await shortcutCount(fast);
    const answers = await both(async (pbx) => {
      const out = [await pbx.full(), await pbx.refresh()];
      for (let i = 0; i < 2; i++) {
        pbx.tag = randomBytes(4).toString("hex");
        pbx.callId = randomBytes(8).toString("hex");
        pbx.cseq = 0;
        out.push(await pbx.full(), await pbx.refresh());
        // The answers carry the Call-ID and From tag they were asked with (filled in by the shortcut).
        for (const r of out.slice(-2)) expect([r.callId, r.from.params.tag]).toEqual([pbx.callId, pbx.tag]);
      }
      return out;
    });
    expect(answers.map((a) => a.split("\r\n")[0])).toEqual(Array(6).fill("SIP/2.0 200 OK"));
    expect(answers.every((a) => a.match(/\r\nContact: /g)?.length === 1)).toBe(true);
    // The 200s after the first registration: one refresh, and two registrations with their refreshes.
    expect(await shortcutCount(fast)).toBe(before + 5);
  });

  it("another Expires or another header takes the full path, and the next refresh learns from it", async () => {
    const before = await shortcutCount(fast);
    const answers = await both(async (pbx) => {
      const out = [await pbx.full()];
      pbx.expires = 120;
      out.push(await pbx.refresh(), await pbx.refresh());
      pbx.extra = ["Supported: path"];
      out.push(await pbx.refresh(), await pbx.refresh());
      return out;
    });
    expect(answers[1]).toContain(";expires=120\r\n");
    expect(answers[2]).toContain(";expires=120\r\n");
    expect(await shortcutCount(fast)).toBe(before + 2);
  });

  it("another connection takes the trunk over: the refresh after it takes the full path", async () => {
    const before = await shortcutCount(fast);
    const answers = await both(async (pbx, emulator) => {
      const other = await RefreshingPbx.connect(emulator);
      try {
        const out = [await pbx.full(), await pbx.refresh(), await pbx.refresh()];
        // Another contact from another connection (last-wins, the default): it takes the trunk.
        await other.full();
        out.push(await pbx.refresh(), await pbx.refresh());
        return out;
      } finally {
        other.close();
      }
    });
    expect(answers.map((a) => a.match(/\r\nContact: /g)?.length)).toEqual([1, 1, 1, 1, 1]);
    // The refreshes before the takeover, and the one after the full path took the trunk back.
    expect(await shortcutCount(fast)).toBe(before + 3);
  });

  it("a REGISTER transaction alive over UDP: a refresh it merges with gets 482 from the layers, the next is short-cut", async () => {
    const before = await shortcutCount(fast);
    const answers = await both(async (pbx, emulator) => {
      const out = [await pbx.full()];
      // The next REGISTER's From tag, Call-ID and CSeq, sent over UDP first: answered 401, its
      // transaction stays (Completed, Timer J) and the TLS one merges with it (RFC 3261 §8.2.2.2).
      const udp = createSocket("udp4");
      try {
        await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
        const challenged = new Promise<SipResponse>((resolve) =>
          udp.once("message", (data) => resolve(parseMessage(data) as SipResponse)),
        );
        pbx.cseq++;
        const viaUdp = pbx
          .text(undefined)
          .replace(
            /Via: SIP\/2\.0\/TLS 127\.0\.0\.1:\d+/,
            `Via: SIP/2.0/UDP 127.0.0.1:${udp.address().port}`,
          );
        udp.send(viaUdp, emulator.ports.sipUdp!, "127.0.0.1");
        expect((await challenged).status).toBe(401);
      } finally {
        udp.close();
      }
      out.push(await pbx.refresh({ cseq: pbx.cseq }), await pbx.refresh());
      return out;
    });
    expect(answers.map((a) => a.split("\r\n")[0])).toEqual([
      "SIP/2.0 200 OK",
      "SIP/2.0 482 Loop Detected",
      "SIP/2.0 200 OK",
    ]);
    expect(await shortcutCount(fast)).toBe(before + 1);
  });

  it("a maintenance window: 503 with Retry-After from the full path, then refreshes again", async () => {
    const before = await shortcutCount(fast);
    const answers = await both(async (pbx, emulator) => {
      const http = httpClient(emulator);
      const out = [await pbx.full(), await pbx.refresh(), await pbx.refresh()];
      expect((await http.admin("PUT", "/api/admin/maintenance", { lasts: "1h" })).status).toBe(200);
      try {
        out.push(await pbx.refresh());
      } finally {
        expect((await http.admin("DELETE", "/api/admin/maintenance")).status).toBe(200);
      }
      out.push(await pbx.refresh());
      return out;
    });
    expect(answers.map((a) => a.split("\r\n")[0])).toEqual([
      "SIP/2.0 200 OK",
      "SIP/2.0 200 OK",
      "SIP/2.0 200 OK",
      expect.stringMatching(/^SIP\/2\.0 503 /),
      "SIP/2.0 200 OK",
    ]);
    expect(answers[3]).toContain("\r\nRetry-After: SECONDS");
    expect(await shortcutCount(fast)).toBe(before + 3);
  });

  it("a fault rule on sip.out sends every REGISTER through the layers, and its hits count them", async () => {
    const rule = {
      id: "mark",
      name: "Mark 200s",
      layer: "sip",
      match: { direction: "out", message: "response", method: "REGISTER" },
      action: { type: "modify", setHeader: { name: "X-Marked", value: "yes" } },
    };
    const counts: number[] = [];
    const answers = await both(async (pbx, emulator) => {
      const http = httpClient(emulator);
      const out = [await pbx.full(), await pbx.refresh()];
      if (emulator === fast) counts.push(await shortcutCount(fast));
      expect((await http.admin("POST", "/api/admin/faults", rule)).status).toBe(201);
      out.push(await pbx.refresh());
      if (emulator === fast) counts.push(await shortcutCount(fast));
      expect((await http.admin("DELETE", "/api/admin/faults/mark")).status).toBe(204);
      out.push(await pbx.refresh());
      if (emulator === fast) counts.push(await shortcutCount(fast));
      return out;
    });
    expect(answers.map((a) => a.includes("\r\nX-Marked: yes\r\n"))).toEqual([false, false, true, false]);
    expect(counts).toEqual([counts[0], counts[0], counts[0]! + 1]);
  });

  it("a changed trunk password is checked at once: the old one gets 403", async () => {
    const answers = await both(async (pbx, emulator) => {
      const out = [await pbx.full(), await pbx.refresh()];
      // The store replaces the trunk: the registrar's account for it is a new one.
      const trunk = emulator.store.trunks.getByUsername(TRUNK.username)!;
      emulator.store.trunks.update(trunk.id, { password: "An0ther-Secret-9" });
      try {
        out.push(await pbx.refresh());
        pbx.password = "An0ther-Secret-9";
        out.push(await pbx.refresh());
      } finally {
        emulator.store.trunks.update(trunk.id, { password: TRUNK.password });
      }
      return out;
    });
    expect(answers.map((a) => a.split("\r\n")[0])).toEqual([
      "SIP/2.0 200 OK",
      "SIP/2.0 200 OK",
      "SIP/2.0 403 Forbidden: wrong password",
      "SIP/2.0 200 OK",
    ]);
  });

  it("a compact Call-ID header or a second Via (a proxy in between): always the full path", async () => {
    const before = await shortcutCount(fast);
    const answers = await both(async (pbx) => {
      pbx.callIdName = "i";
      const out = [await pbx.full(), await pbx.refresh(), await pbx.refresh()];
      pbx.callIdName = "Call-ID";
      pbx.proxies = ["Via: SIP/2.0/TLS 192.0.2.7:5061;branch=z9hG4bKproxy1"];
      out.push(await pbx.refresh(), await pbx.refresh());
      return out;
    });
    expect(answers.map((a) => a.split("\r\n")[0])).toEqual(Array(5).fill("SIP/2.0 200 OK"));
    expect(answers[4]).toContain("branch=z9hG4bKproxy1");
    expect(await shortcutCount(fast)).toBe(before);
  });

  it("pipelined in one write: refreshes around an OPTIONS are all answered, in order, and both short-cut", async () => {
    const before = await shortcutCount(fast);
    const answers = await both(async (pbx) => {
      const out = [await pbx.full(), await pbx.refresh()];
      const first = pbx.refreshText();
      const options = [
        `OPTIONS ${URI} SIP/2.0`,
        `Via: SIP/2.0/TLS 127.0.0.1:${pbx.port};branch=z9hG4bK${randomBytes(8).toString("hex")}`,
        "Max-Forwards: 70",
        `From: <sip:${TRUNK.username}@${DOMAIN}>;tag=${pbx.tag}`,
        `To: <${URI}>`,
        `Call-ID: ${pbx.callId}`,
        "CSeq: 1000 OPTIONS",
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n");
      const second = pbx.refreshText();
      // The OPTIONS in between takes the layers; the refresh after it is the shortcut's again.
      pbx.write(first + options + second);
      out.push(await pbx.answerTo(pbx.cseq - 1), await pbx.answerTo(1000), await pbx.answerTo(pbx.cseq));
      return out;
    });
    expect(answers.map((a) => a.split("\r\n")[0])).toEqual(Array(5).fill("SIP/2.0 200 OK"));
    expect(answers[3]).toContain("CSeq: 1000 OPTIONS");
    expect(await shortcutCount(fast)).toBe(before + 3);
  });

  it("a refresh cut in two writes is framed by the layers; the whole ones before and after it, in the same record too, by the shortcut", async () => {
    const before = await shortcutCount(fast);
    const answers = await both(async (pbx) => {
      const out = [await pbx.full(), await pbx.refresh()];
      const cut = pbx.refreshText();
      const after = [pbx.refreshText(), pbx.refreshText()];
      pbx.write(cut.slice(0, 100));
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The cut one's tail and two whole refreshes in one TLS record.
      pbx.write(cut.slice(100) + after.join(""));
      out.push(
        await pbx.answerTo(pbx.cseq - 2),
        await pbx.answerTo(pbx.cseq - 1),
        await pbx.answerTo(pbx.cseq),
        await pbx.refresh(),
      );
      return out;
    });
    expect(answers.map((a) => a.split("\r\n")[0])).toEqual(Array(6).fill("SIP/2.0 200 OK"));
    expect(await shortcutCount(fast)).toBe(before + 4);
  });

  it("counts the same traffic, transactions and outcomes as the full path", async () => {
    const names = [
      "upe_sip_requests_total",
      "upe_sip_responses_total",
      "upe_sip_transactions_total",
      "upe_registrations_total",
      "upe_registration_failures_total",
      "upe_registrar_bindings",
    ];
    for (const name of names) expect(await metric(fast, name), name).toEqual(await metric(full, name));
    const trace = async (e: EmulatorHandle) =>
      (await httpClient(e).admin("GET", "/api/admin/trace?format=json&kind=sip")).body.entries.length;
    expect(await trace(fast)).toBe(await trace(full));
  });
});
