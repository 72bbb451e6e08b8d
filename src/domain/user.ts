import type { Locale } from "./validators.js";

export const USER_ROLES = ["user", "admin"] as const;

export type UserRole = (typeof USER_ROLES)[number];

export interface User {
  id: string;
  tenantId: string;
  /** unique per tenant, compared case-insensitively */
  emailAddress: string;
  firstName: string;
  lastName: string;
  locale: Locale;
  role: UserRole;
  /** the trunk (PBX) the user is assigned to */
  trunkId?: string;
  /** internal call number on the PBX */
  callno?: string;
  did?: string;
  /** E.164 (+…) with international numbering, the callno with internal numbering */
  phoneNumber?: string;
  createdAt: number;
  updatedAt: number;
}
