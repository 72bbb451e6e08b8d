export const FLAVOURS = ["openscape", "video"] as const;

/** "openscape" = Unify Phone for OpenScape; "video" = Unify Phone for Unify Video (needs a JWT). */
export type Flavour = (typeof FLAVOURS)[number];

export interface Tenant {
  id: string;
  name: string;
  flavour: Flavour;
  apiKey: string;
  clientId: string;
  createdAt: number;
}

/** The Administrator every tenant is created with, as the admin app's Users tab lists it. */
export interface TenantAdministrator {
  emailAddress: string;
  firstName: string;
  lastName: string;
  locale: "en-US";
  role: "admin";
}

/**
 * `adminEmail` when given, else admin@<slug>.example: the tenant name lower-cased, every run
 * of other characters than a–z and 0–9 one "-" ("ACME Corp." → admin@acme-corp.example).
 * `.example` is reserved (RFC 2606), so a default address never reaches anyone.
 */
export function tenantAdministrator(tenantName: string, adminEmail?: string): TenantAdministrator {
  const slug = tenantName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return {
    emailAddress: adminEmail ?? `admin@${slug || "tenant"}.example`,
    firstName: "Administrator",
    lastName: tenantName,
    locale: "en-US",
    role: "admin",
  };
}
