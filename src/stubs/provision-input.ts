import type { ProvisionInput } from "../services/index.js";

/** A rendered provisionSystem action checked like POST /api/connector/v1/systems' body; throws a message. */
export function provisionInput(rendered: Record<string, unknown>): ProvisionInput {
  const text = (key: string, required = false): string | undefined => {
    const value = rendered[key];
    if (value === undefined || value === null) {
      if (required) throw new Error(`provisionSystem.${key} is required`);
      return undefined;
    }
    const out = typeof value === "number" ? String(value) : value;
    if (typeof out !== "string" || out === "" || out.length > 100)
      throw new Error(`provisionSystem.${key} must be a text of 1 to 100 characters`);
    return out;
  };
  const calls = rendered.simultaneousCalls ?? undefined;
  const simultaneousCalls = typeof calls === "string" && /^\d+$/.test(calls) ? Number(calls) : calls;
  if (
    simultaneousCalls !== undefined &&
    (typeof simultaneousCalls !== "number" ||
      !Number.isInteger(simultaneousCalls) ||
      simultaneousCalls < 0 ||
      simultaneousCalls > 1000)
  )
    throw new Error("provisionSystem.simultaneousCalls must be an integer from 0 to 1000");
  const name = text("name");
  const version = text("version");
  return {
    systemId: text("systemId", true)!,
    ...(name === undefined ? {} : { name }),
    ...(version === undefined ? {} : { version }),
    ...(simultaneousCalls === undefined ? {} : { simultaneousCalls: simultaneousCalls as number }),
    ...(rendered.numbering === undefined || rendered.numbering === null
      ? {}
      : { numbering: rendered.numbering }),
  };
}
