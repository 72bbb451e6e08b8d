/**
 * What goes wrong with a CSTA message, as the ECMA-323 `CSTAErrorCode` it becomes: a category
 * element (operation, unspecified ...) holding one value. Parsing and building throw only this.
 */
export type CstaErrorCategory =
  | "operation"
  | "security"
  | "stateIncompatibility"
  | "systemResourceAvailability"
  | "subscribedResourceAvailability"
  | "performanceManagement"
  | "privateData"
  | "unspecified";

export const CSTA_ERROR_CATEGORIES: readonly CstaErrorCategory[] = [
  "operation",
  "security",
  "stateIncompatibility",
  "systemResourceAvailability",
  "subscribedResourceAvailability",
  "performanceManagement",
  "privateData",
  "unspecified",
];

export class CstaError extends Error {
  readonly category: CstaErrorCategory;
  readonly value: string;

  constructor(category: CstaErrorCategory, value: string, detail: string) {
    super(detail);
    this.name = "CstaError";
    this.category = category;
    this.value = value;
  }
}

/** Malformed or unexpected content: ECMA-323 operation error `generic` (the catch-all value). */
export const malformed = (detail: string): CstaError => new CstaError("operation", "generic", detail);
