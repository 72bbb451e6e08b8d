import type { Mapping } from "./mapping.js";
import type { MappingState } from "./stub-engine.js";

/**
 * A mapping in the format it is written in (a listed mapping can be sent back as it is),
 * with what the engine adds: `kind`, `source` (file or "api"), `version` and `hits`.
 */
export interface MappingJson extends WrittenMapping {
  readonly source: string;
  readonly version: number;
  readonly hits: number;
}

export interface WrittenMapping {
  readonly id: string;
  readonly name?: string;
  readonly kind: "http" | "sip";
  readonly priority: number;
  readonly enabled: boolean;
  readonly request?: object;
  readonly sip?: object;
  readonly response: object;
  readonly actions?: readonly object[];
}

export function mappingJson(state: MappingState): MappingJson {
  return { ...writtenForm(state.mapping), source: state.source, version: state.version, hits: state.hits };
}

export function writtenForm(m: Mapping): WrittenMapping {
  const base = {
    id: m.id,
    ...(m.name === undefined ? {} : { name: m.name }),
    kind: m.kind,
    priority: m.priority,
    enabled: m.enabled,
  };
  if (m.kind === "sip") return { ...base, sip: m.sip, response: m.response };
  const { path, ...request } = m.request;
  const where =
    path === undefined
      ? {}
      : path.kind === "regex"
        ? { pathPattern: path.pattern }
        : { path: path.kind === "exact" ? path.path : path.template };
  return {
    ...base,
    request: { ...(request.method === undefined ? {} : { method: request.method }), ...where, ...request },
    response: m.response,
    ...(m.actions.length === 0 ? {} : { actions: m.actions }),
  };
}
