import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { ClientRegistrationError, UnifyPhoneClient } from "../../src/phone-client/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";

/*
 * Through the whole emulator: WsListener on the HTTPS server at /ws, REGISTER routed to the
 * ClientRegistrar by isClientAor, the client-password routes, migration 004.
 */

const ADMIN_TOKEN = "admin-token-for-client-tests";
const PASSWORD = "client-pass-1";

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let tenantId: string;
let userId: string;
const clients: UnifyPhoneClient[] = [];

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: ADMIN_TOKEN });
  http = httpClient(emulator);
  const [tenant] = emulator.store.tenants.list();
  tenantId = tenant!.id;
  userId = emulator.store.users.getByEmail(tenantId, "a@acme.test")!.id;
});

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  await emulator.close();
});

function passwordPath(): string {
  return `/api/admin/tenants/${tenantId}/users/${userId}/client-password`;
}

async function connect(): Promise<UnifyPhoneClient> {
  const client = await UnifyPhoneClient.connect({
    url: `${emulator.urls.https.replace(/^https:/, "wss:")}/ws`,
    userId,
    password: PASSWORD,
    ca: emulator.certificates.caCertPem!,
  });
  clients.push(client);
  return client;
}

describe("emulated Unify Phone clients on a running emulator (needs wiring)", () => {
  it("registers several clients of a user once the admin set a client password", async () => {
    const before = await connect();
    await expect(before.register()).rejects.toMatchObject({ status: 404 });
    expect((await http.admin("PUT", passwordPath(), { password: PASSWORD })).status).toBe(204);
    const a = await connect();
    const b = await connect();
    await a.register();
    await b.register();
    expect([a.registered, b.registered]).toEqual([true, true]);
  });

  it("logs the clients out when the password is deleted; they cannot register again", async () => {
    expect((await http.admin("PUT", passwordPath(), { password: PASSWORD })).status).toBe(204);
    const client = await connect();
    await client.register();
    expect((await http.admin("DELETE", passwordPath())).status).toBe(204);
    const again = await connect();
    const error = await again.register().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientRegistrationError);
    expect((error as ClientRegistrationError).status).toBe(404);
  });

  it("does not count a client registration as a trunk registration", async () => {
    expect((await http.admin("PUT", passwordPath(), { password: PASSWORD })).status).toBe(204);
    const client = await connect();
    await client.register();
    expect(emulator.bindings()).toEqual([]);
  });
});
