export const NUMBERING_SCHEMAS = ["international", "internal"] as const;

export type NumberingSchema = (typeof NUMBERING_SCHEMAS)[number];

/** The OSBiz wizard's numbering settings; location number e.g. 49 / 2302 / 667. */
export interface Numbering {
  schema: NumberingSchema;
  countryCode?: string;
  areaCode?: string;
  pabxNumber?: string;
}

export const DEFAULT_SIMULTANEOUS_CALLS = 16;

/** One OSBiz system that joined a tenant; `systemId` is supplied by the PBX. */
export interface PbxSystem {
  id: string;
  tenantId: string;
  systemId: string;
  name: string;
  version?: string;
  simultaneousCalls: number;
  numbering: Numbering;
  createdAt: number;
}
