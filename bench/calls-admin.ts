import { Agent, request } from "undici";

export interface AdminApi {
  /** https://127.0.0.1:<port> */
  readonly origin: string;
  /** The emulator's CA (PEM). */
  readonly ca: string;
  readonly token: string;
}

async function call(api: AdminApi, dispatcher: Agent, method: "GET" | "PATCH", path: string, body?: unknown) {
  const res = await request(`${api.origin}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${api.token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    dispatcher,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/**
 * Sets the virtual behaviour of the user with `email` in `tenantName` over the admin API
 * (the seed format has no `callBehaviour`); returns the behaviour the API stored.
 */
export async function setCallBehaviour(
  api: AdminApi,
  tenantName: string,
  email: string,
  behaviour: Record<string, unknown>,
): Promise<unknown> {
  const dispatcher = new Agent({ connect: { ca: api.ca } });
  try {
    const tenants = (await call(api, dispatcher, "GET", "/api/admin/tenants")) as {
      id: string;
      name: string;
    }[];
    const tenant = tenants.find((t) => t.name === tenantName);
    if (!tenant) throw new Error(`tenant "${tenantName}" is not in the seeded emulator`);
    const users = await call(
      api,
      dispatcher,
      "GET",
      `/api/admin/tenants/${tenant.id}/users?search=${encodeURIComponent(email)}`,
    );
    const user = (users.items as { id: string; emailAddress: string }[]).find(
      (u) => u.emailAddress === email,
    );
    if (!user) throw new Error(`user ${email} is not in tenant "${tenantName}"`);
    const patched = await call(api, dispatcher, "PATCH", `/api/admin/tenants/${tenant.id}/users/${user.id}`, {
      callBehaviour: behaviour,
    });
    return patched.callBehaviour;
  } finally {
    await dispatcher.close();
  }
}
