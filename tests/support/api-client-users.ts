import { Agent, request } from "undici";
import type { EmulatorHandle } from "../../src/index.js";
import { PbxTestUa } from "./pbx-test-ua.js";

export const ADMIN_TOKEN = "test-admin-token";

/** A seed with three trunks: gtc-001 international (49/2302/667), gtc-002 internal, gtc-003 without numbering. */
export const USERS_SEED = `
tenants:
  - name: Acme
    apiKey: acme-key-0001-t7m7w6ToB8iPQCFUNQuX
    systems:
      - systemId: osbiz-1
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "3919209257", password: "s3cret-Trunk-1" }
      - systemId: osbiz-2
        numbering: { schema: internal }
        trunk: { username: "3919209258", password: "s3cret-Trunk-2" }
      - systemId: osbiz-3
        trunk: { username: "3919209259", password: "s3cret-Trunk-3" }
    users:
      - { emailAddress: a@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", phoneNumber: "+4923026672131", system: osbiz-1 }
      - { emailAddress: b@acme.test, firstName: Bea, lastName: Bold, locale: en-GB, callno: "300", phoneNumber: "300", system: osbiz-2 }
  - name: Beta
    apiKey: beta-key-0001-y5o27DK0CRI9JCtxVGhz
    systems:
      - systemId: beta-1
        numbering: { schema: internal }
        trunk: { username: "3919209260", password: "s3cret-Trunk-4" }
    users:
      - { emailAddress: x@beta.test, firstName: Xa, lastName: Xylo, locale: fr-FR }
`;

/** The trunks of USERS_SEED (Acme gtc-001…003, Beta gtc-001). */
export const USERS_SEED_TRUNKS = [
  { username: "3919209257", password: "s3cret-Trunk-1" },
  { username: "3919209258", password: "s3cret-Trunk-2" },
  { username: "3919209259", password: "s3cret-Trunk-3" },
  { username: "3919209260", password: "s3cret-Trunk-4" },
] as const;

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience, bodies are asserted field by field
  body: any;
  /** the raw bytes (a BOM is kept) */
  bytes: Buffer;
}

/** HTTPS calls of the user API tests, as the admin, trusting the emulator's CA. */
export function usersClient(emulator: EmulatorHandle) {
  const dispatcher = new Agent({ connect: { ca: emulator.certificates.caCertPem! } });
  const call = async (
    method: string,
    path: string,
    options: { json?: unknown; raw?: string | Buffer; contentType?: string; token?: string } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? ADMIN_TOKEN}` };
    let body: string | Buffer | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.json !== undefined) body = JSON.stringify(options.json);
    if (body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
    const res = await request(`${emulator.urls.https}${path}`, {
      method: method as "GET",
      headers,
      body,
      dispatcher,
    });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    const json = /json/.test(String(res.headers["content-type"])) && bytes.length > 0;
    return {
      status: res.statusCode,
      headers: res.headers,
      body: json ? JSON.parse(bytes.toString("utf8")) : bytes.toString("utf8"),
      bytes,
    };
  };

  const tenantId = async (name: string): Promise<string> => {
    const res = await call("GET", "/api/admin/tenants");
    return res.body.find((t: { name: string }) => t.name === name).id;
  };

  const pbxs: PbxTestUa[] = [];
  /**
   * Registers a PBX on each trunk, so their connectors are available: user provisioning
   * needs that (HowTo §2.4). The registrations last until close().
   */
  const connectPbxs = async (
    trunks: readonly { username: string; password: string }[] = USERS_SEED_TRUNKS,
  ) => {
    for (const trunk of trunks) {
      const ua = await PbxTestUa.connect(emulator, trunk.username, trunk.password);
      pbxs.push(ua);
      const res = await ua.register();
      if (res.status !== 200) throw new Error(`REGISTER ${trunk.username}: ${res.status} ${res.reason}`);
    }
  };

  return {
    call,
    tenantId,
    connectPbxs,
    users: (tenant: string) => `/api/admin/tenants/${tenant}/users`,
    /** Every user of the tenant (one big page), ordered as the API lists them. */
    // biome-ignore lint/suspicious/noExplicitAny: see Answer.body
    all: async (tenant: string): Promise<any[]> =>
      (await call("GET", `/api/admin/tenants/${tenant}/users?limit=1000`)).body.items,
    importCsv: (tenant: string, bytes: string | Buffer, query = "trunk=gtc-001", contentType = "text/csv") =>
      call("POST", `/api/admin/tenants/${tenant}/users/import?${query}`, { raw: bytes, contentType }),
    importJson: (tenant: string, json: unknown, query = "trunk=gtc-001") =>
      call("POST", `/api/admin/tenants/${tenant}/users/import?${query}`, { json }),
    close: async () => {
      for (const ua of pbxs.splice(0)) ua.client.close();
      await dispatcher.close();
    },
  };
}
