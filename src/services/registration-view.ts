import type { Binding, ClientBinding } from "../registrar/index.js";

/** What services may know of live registrations: read them, or drop a trunk's. */
export interface RegistrationView {
  bindingsFor(trunkId: string): readonly Binding[];
  dropTrunk(trunkId: string, reason: string): void;
}

/** The registered Unify Phone clients of a user (the client registrar's bindings). */
export interface ClientRegistrationSource {
  clientsOf(userId: string): readonly ClientBinding[];
}

/** What kind of client registered: the /phone page, the Node helper, or something else. */
export type ClientKind = "browser" | "node" | "unknown";

/**
 * The kind, from the User-Agent each of our clients sends: "UnifyPhoneEmulator-Browser …"
 * (the /phone page) is a browser, "unify-phone-emulator client …" (the Node helper of
 * `unify-phone-emulator/clients`) is node; any other or none is unknown (docs/calls.md).
 */
export function clientKind(userAgent: string | null): ClientKind {
  if (userAgent?.startsWith("UnifyPhoneEmulator-Browser")) return "browser";
  if (userAgent?.startsWith("unify-phone-emulator client")) return "node";
  return "unknown";
}

/** One registered client as the admin API shows it (GET …/users/{userId}/registrations). */
export function clientRegistrationView(binding: ClientBinding, now: number) {
  return {
    kind: clientKind(binding.userAgent),
    userAgent: binding.userAgent,
    contact: binding.contact,
    since: new Date(binding.registeredAt).toISOString(),
    expires: Math.max(0, Math.round((binding.expiresAt - now) / 1000)),
    connection: {
      transport: binding.transport,
      remoteAddress: binding.remote.address,
      remotePort: binding.remote.port,
    },
  };
}

export type ClientRegistrationView = ReturnType<typeof clientRegistrationView>;
