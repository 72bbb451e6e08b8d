import { httpsJson } from "./net-clients.js";

const TIMEOUT_MS = 15_000;

/** The admin REST API of the emulator under test: seeding tweaks, bindings and calls. */
export class AdminApi {
  constructor(private readonly target: { port: number; ca: string; token: string }) {}

  async #get<T>(path: string): Promise<T> {
    const result = await httpsJson(this.target, "GET", path, TIMEOUT_MS);
    if (result.status !== 200) throw new Error(`GET ${path}: ${result.status} ${result.body.slice(0, 200)}`);
    return JSON.parse(result.body) as T;
  }

  /** Tenant ids by name. */
  async tenants(): Promise<Map<string, string>> {
    const list = await this.#get<Array<{ id: string; name: string }>>("/api/admin/tenants");
    return new Map(list.map((t) => [t.name, t.id]));
  }

  /** Every user of the tenant answers at once (the default rings for 1 s), with echo media. */
  async answerAtOnce(tenantId: string): Promise<void> {
    const page = await this.#get<{ items: Array<{ id: string }> }>(`/api/admin/tenants/${tenantId}/users`);
    for (const user of page.items) {
      const path = `/api/admin/tenants/${tenantId}/users/${user.id}`;
      const result = await httpsJson(this.target, "PATCH", path, TIMEOUT_MS, {
        callBehaviour: { mode: "answer", ringMs: 0, media: "echo" },
      });
      if (result.status !== 200)
        throw new Error(`PATCH ${path}: ${result.status} ${result.body.slice(0, 200)}`);
    }
  }

  /** Sum of the connectors' bindings and how many connectors are available. */
  async bindings(tenantIds: readonly string[]): Promise<{ bindings: number; available: number }> {
    let bindings = 0;
    let available = 0;
    for (const id of tenantIds) {
      const connectors = await this.#get<Array<{ status: string; bindings?: number }>>(
        `/api/admin/tenants/${id}/connectors`,
      );
      for (const c of connectors) {
        bindings += c.bindings ?? 0;
        if (c.status === "available") available++;
      }
    }
    return { bindings, available };
  }

  async activeCalls(): Promise<number> {
    return (await this.#get<unknown[]>("/api/admin/calls?state=active")).length;
  }
}
