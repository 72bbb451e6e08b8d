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
