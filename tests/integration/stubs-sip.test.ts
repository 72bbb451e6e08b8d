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

describe("SIP stubs over TLS from a registered PBX", () => {
  it("SUBSCRIBE to an unknown event package: the file mapping answers 200 with its headers", async () => {
    const res = await pbx.client.request(
      pbx.outOfDialog("SUBSCRIBE", { headers: ["Event: x-osbiz-wizard;id=7", "Expires: 60"] }),
    );
    expect(res.status).toBe(200);
    expect(res.reason).toBe("OK (stub)");
    expect(res.headers.get("expires")).toBe("60");
    // Another event package is not this mapping's: the default answer goes out.
    const other = await pbx.client.request(pbx.outOfDialog("SUBSCRIBE", { headers: ["Event: x-other"] }));
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
      pbx.outOfDialog("INFO", { body: "<status/>", contentType: "application/x-osbiz-info+xml; v=2" }),
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
