/** JSON Schema pieces shared by several resources. */
export const isoTime = { type: ["string", "null"], format: "date-time" } as const;

const idString = { type: "string", minLength: 1, maxLength: 64 } as const;

/** The path parameters of a route, each an id: `idParams("tenantId", "userId")`. */
export function idParams<const N extends readonly string[]>(...names: N) {
  // A computed key widens to `string`; the record type keeps each name for the route's types.
  const properties = Object.fromEntries(names.map((n) => [n, idString])) as Record<
    N[number],
    typeof idString
  >;
  return { type: "object", properties, required: names } as const;
}

export const idParam = <N extends string>(name: N) => idParams(name);

export const problemRef = { $ref: "Problem#" } as const;

/** The RFC 9457 body of every error (registered once as `Problem`). */
export const problemSchema = {
  $id: "Problem",
  type: "object",
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string" },
    instance: { type: "string" },
    errors: {
      type: "array",
      items: {
        type: "object",
        properties: {
          row: { type: "integer" },
          field: { type: "string" },
          code: { type: "string" },
          message: { type: "string" },
        },
        required: ["field", "code", "message"],
      },
    },
    errorsOmitted: {
      type: "integer",
      description: "problems found but left out of `errors`, which lists at most 1000",
    },
  },
  required: ["type", "title", "status", "code"],
  // RFC 9457 §3.2 extension members (callId, retryAfterSeconds…) must survive serialisation.
  additionalProperties: true,
} as const;

/** Epoch ms → ISO 8601, null stays null. */
export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** The errors every authenticated route may answer, for the OpenAPI document. */
export function errorResponses(...statuses: number[]): Record<number, typeof problemRef> {
  return Object.fromEntries(statuses.map((s) => [s, problemRef]));
}
