import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let pbx: PbxTestUa;
let n = 0;

const SUBSCRIBE_STUB = `
id: wizard-subscribe
sip: { method: SUBSCRIBE, event: x-osbiz-wizard }
response:
  status: 200
  reason: OK (stub)
  headers: { Expires: "60" }
`;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "upe-sip-stubs-"));
  writeFileSync(path.join(dir, "subscribe.yaml"), SUBSCRIBE_STUB);
  emulator = await startTestEmulator({ mappingsDir: dir });
  http = httpClient(emulator);
  pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
});

afterAll(async () => {
  pbx?.client.close();
  await emulator?.close();
});

/** An out-of-dialog request from the registered PBX, on its registered TLS connection. */
function request(
  method: string,
  opts: { headers?: string[]; body?: string; contentType?: string } = {},
): string {
  n++;
  const body = opts.body ?? "";
  return [
    `${method} sip:+4923026672131@phoneapp.unify.com SIP/2.0`,
    `Via: SIP/2.0/TLS 127.0.0.1:${pbx.port};branch=z9hG4bKstub${n}`,
    "Max-Forwards: 70",
    `From: <sip:${TRUNK.username}@phoneapp.unify.com>;tag=st${n}`,
    "To: <sip:+4923026672131@phoneapp.unify.com>",
    `Call-ID: sip-stub-${n}`,
    `CSeq: ${n} ${method}`,
    `Contact: <sip:${TRUNK.username}@127.0.0.1:${pbx.port};transport=tls>`,
    ...(opts.headers ?? []),
    ...(body ? [`Content-Type: ${opts.contentType ?? "text/plain"}`] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}

describe("SIP stubs over TLS from a registered PBX", () => {
  it("SUBSCRIBE to an unknown event package: the file mapping answers 200 with its headers", async () => {
    const res = await pbx.client.request(
      request("SUBSCRIBE", { headers: ["Event: x-osbiz-wizard;id=7", "Expires: 60"] }),
    );
    expect(res.status).toBe(200);
    expect(res.reason).toBe("OK (stub)");
    expect(res.headers.get("expires")).toBe("60");
    // Another event package is not this mapping's: the default answer goes out.
    const other = await pbx.client.request(request("SUBSCRIBE", { headers: ["Event: x-other"] }));
    expect(other.status).toBe(405);
  });

  it("INFO with an unknown content type: a REST mapping answers 200 with a body, the journal names it", async () => {
    const created = await http.admin("POST", "/api/admin/mappings", {
      id: "vendor-info",
      sip: { method: "INFO", contentType: "application/x-osbiz-info+xml" },
      response: { status: 200, body: "<ack/>", contentType: "application/x-osbiz-ack+xml" },
    });
    expect(created.status).toBe(201);
    const res = await pbx.client.request(
      request("INFO", { body: "<status/>", contentType: "application/x-osbiz-info+xml; v=2" }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-osbiz-ack+xml");
    expect(res.body.toString()).toBe("<ack/>");

    const list = await http.admin("GET", "/api/admin/mappings");
    const hits = Object.fromEntries((list.body as { id: string; hits: number }[]).map((m) => [m.id, m.hits]));
    expect(hits).toEqual({ "wizard-subscribe": 1, "vendor-info": 1 });
    const journal = await http.admin("GET", "/api/admin/unmatched");
    const info = (journal.body as { method: string; answeredBy: unknown; status: number }[]).find(
      (e) => e.method === "INFO",
    );
    expect(info).toMatchObject({ status: 200, answeredBy: { mappingId: "vendor-info@v1" } });
  });
});
