import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { DomainError, type Tenant } from "../domain/index.js";
import { ApiError, isApiErrorCode, problemFor } from "../errors/index.js";
import type { ProvisionInput } from "../services/index.js";
import type { Clock } from "../shared/clock.js";
import type { HttpMapping, Mapping, SipMapping } from "./mapping.js";
import { MappingError } from "./mapping-error.js";
import type { MappingFile } from "./mapping-files.js";
import { httpSpecificity, matchHttp, matchSip, sipSpecificity } from "./match-request.js";
import { provisionInput } from "./provision-input.js";
import type {
  StubHttpAnswer,
  StubResponder,
  StubSipAnswer,
  UnmatchedHttpRequest,
  UnmatchedSipRequest,
} from "./stub-port.js";
import { renderJson, renderText, TemplateError, type TemplateScope } from "./template.js";

/** What the engine needs from the emulator around it. */
export interface StubEngineDeps {
  readonly clock: Clock;
  /** The request's tenant: by the capture's tenantId, else by its API key. */
  readonly tenantFor: (request: { tenantId?: string; apiKey?: string }) => Tenant | undefined;
  /** The tenant as templates see it (systems, trunks, users). */
  readonly tenantData: (tenant: Tenant) => unknown;
  /** The connector's own provisioning (as POST /api/connector/v1/systems); returns what templates see. */
  readonly provisionSystem: (tenant: Tenant, input: ProvisionInput) => unknown;
  /** `--record`: called with each HTTP request no mapping answered. */
  readonly record?: (request: UnmatchedHttpRequest) => void;
}

/** A mapping as the engine keeps it: where it came from, its version and its hits. */
export interface MappingState {
  readonly mapping: Mapping;
  /** The file it was read from, or "api". */
  readonly source: string;
  /** 1 when added; +1 on each PUT. The journal's `answeredBy` names it (`id@v2`). */
  readonly version: number;
  readonly hits: number;
}

interface Entry {
  mapping: Mapping;
  source: string;
  version: number;
  hits: number;
  order: number;
}

/** `id@v<version>`: what the unmatched journal records as the answering mapping. */
export const answeredById = (id: string, version: number): string => `${id}@v${version}`;

/**
 * The user's WireMock-style mappings: matches each request the emulator has no route or
 * handler for against them (priority, then the most specific, then the oldest) and renders
 * the first match's answer, running its side effects.
 */
export class StubEngine implements StubResponder {
  private readonly entries = new Map<string, Entry>();
  private sorted: Entry[] | undefined;
  private order = 0;
  /** Aborts the delays in progress when the emulator stops (a delay may be a minute long). */
  private readonly stopping = new AbortController();

  constructor(private readonly deps: StubEngineDeps) {}

  /** The mappings of the mapping folder, read at start. */
  load(files: readonly MappingFile[]): void {
    for (const { file, mapping } of files) this.put(mapping, file, 1);
  }

  list(): MappingState[] {
    return [...this.entries.values()].sort((a, b) => a.order - b.order).map(stateOf);
  }

  get(id: string): MappingState | undefined {
    const entry = this.entries.get(id);
    return entry && stateOf(entry);
  }

  /** Throws MappingError `mapping_id_taken` when the id is in use. */
  add(mapping: Mapping): MappingState {
    if (this.entries.has(mapping.id))
      throw new MappingError(
        [{ path: "id", message: `"${mapping.id}" is the id of an existing mapping; PUT it to replace it` }],
        "mapping_id_taken",
      );
    return stateOf(this.put(mapping, "api", 1));
  }

  /** Replaces (or creates) the mapping with this id; its version goes up and its hits restart. */
  replace(mapping: Mapping): MappingState {
    const before = this.entries.get(mapping.id);
    const entry = this.put(mapping, before?.source ?? "api", (before?.version ?? 0) + 1);
    if (before) entry.order = before.order;
    return stateOf(entry);
  }

  remove(id: string): boolean {
    this.sorted = undefined;
    return this.entries.delete(id);
  }

  /** Stops waiting: delayed answers in progress fail, and the capture's default answer goes out. */
  close(): void {
    this.stopping.abort();
  }

  resetHits(): number {
    for (const entry of this.entries.values()) entry.hits = 0;
    return this.entries.size;
  }

  async answerHttp(req: UnmatchedHttpRequest): Promise<StubHttpAnswer | undefined> {
    for (const entry of this.ranked()) {
      const mapping = entry.mapping;
      if (mapping.kind !== "http") continue;
      const match = matchHttp(mapping.request, req);
      if (!match) continue;
      entry.hits++;
      return this.respond(mapping, answeredById(mapping.id, entry.version), req, match.path);
    }
    this.deps.record?.(req);
    return undefined;
  }

  async answerSip(req: UnmatchedSipRequest): Promise<StubSipAnswer | undefined> {
    for (const entry of this.ranked()) {
      const mapping = entry.mapping;
      if (mapping.kind !== "sip" || !matchSip(mapping, req)) continue;
      entry.hits++;
      const r = mapping.response;
      // SIP headers are taken as they are: a SIP stub has no request scope to template from.
      return {
        status: r.status,
        reason: r.reason ?? (r.status < 300 ? "OK" : "Stubbed"),
        headers: Object.entries(r.headers),
        ...(r.body === undefined ? {} : { body: r.body }),
        ...(r.contentType === undefined ? {} : { contentType: r.contentType }),
        mappingId: answeredById(mapping.id, entry.version),
      };
    }
    return undefined;
  }

  private async respond(
    mapping: HttpMapping,
    mappingId: string,
    req: UnmatchedHttpRequest,
    captures: Readonly<Record<string, string>>,
  ): Promise<StubHttpAnswer> {
    const r = mapping.response;
    if (r.delayMs) await sleep(r.delayMs, undefined, { signal: this.stopping.signal });
    // Nothing of the answer reaches the client; 200 is only what the journal shows.
    if (r.fault) return { status: 200, headers: {}, body: "", mappingId, fault: r.fault };
    const actions: unknown[] = [];
    const scope = this.scope(req, captures, actions);
    try {
      for (const action of mapping.actions) actions.push(this.provision(req, action.provisionSystem, scope));
      const headers = Object.fromEntries(
        Object.entries(r.headers).map(([name, value]) => [name, headerValue(value, scope)]),
      );
      if (r.jsonBody !== undefined) {
        const body = JSON.stringify(renderJson(r.jsonBody, scope));
        return {
          status: r.status,
          headers: { "content-type": "application/json", ...lower(headers) },
          body,
          mappingId,
        };
      }
      const body = r.body === undefined ? "" : renderText(r.body, scope);
      return { status: r.status, headers: lower(headers), body, mappingId };
    } catch (error) {
      return { ...failure(error, mapping.id), mappingId };
    }
  }

  private provision(
    req: UnmatchedHttpRequest,
    fields: Readonly<Record<string, unknown>>,
    scope: TemplateScope,
  ): unknown {
    const tenant = this.tenantOf(req);
    if (!tenant)
      throw new ApiError(
        "stub_action_failed",
        "provisionSystem needs the tenant of the request: an X-API-Key header with a known tenant's API key",
        { status: 401 },
      );
    let input: ProvisionInput;
    try {
      input = provisionInput(renderJson(fields, scope) as Record<string, unknown>);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      throw new ApiError("stub_action_failed", (error as Error).message);
    }
    return this.deps.provisionSystem(tenant, input);
  }

  private tenantOf(req: UnmatchedHttpRequest): Tenant | undefined {
    const key = req.headers["x-api-key"];
    const apiKey = Array.isArray(key) ? key[0] : key;
    return this.deps.tenantFor({
      ...(req.tenantId === undefined ? {} : { tenantId: req.tenantId }),
      ...(apiKey === undefined ? {} : { apiKey }),
    });
  }

  private scope(
    req: UnmatchedHttpRequest,
    captures: Readonly<Record<string, string>>,
    actions: unknown[],
  ): TemplateScope {
    let tenant: unknown;
    let now: unknown;
    return (root) => {
      switch (root) {
        case "request":
          return {
            method: req.method,
            url: req.url,
            path: req.path,
            query: req.query,
            headers: req.headers,
            body: req.body.toString("utf8"),
            remoteAddress: req.remoteAddress,
          };
        case "path":
          return captures;
        case "tenant": {
          if (tenant === undefined) {
            const found = this.tenantOf(req);
            tenant = found ? this.deps.tenantData(found) : null;
          }
          return tenant ?? undefined;
        }
        case "action":
          return actions;
        case "now":
          // Read once per answer: `{{ now }}` and `{{ now.epochMs }}` name the same instant.
          now ??= nowValue(this.deps.clock.now());
          return now;
        case "uuid":
          return randomUUID();
        default:
          return undefined;
      }
    };
  }

  private put(mapping: Mapping, source: string, version: number): Entry {
    const entry: Entry = { mapping, source, version, hits: 0, order: this.order++ };
    this.entries.set(mapping.id, entry);
    this.sorted = undefined;
    return entry;
  }

  /** Enabled mappings in answering order: priority, then specificity, then age. */
  private ranked(): Entry[] {
    this.sorted ??= [...this.entries.values()]
      .filter((e) => e.mapping.enabled)
      .sort(
        (a, b) =>
          a.mapping.priority - b.mapping.priority ||
          specificity(b.mapping) - specificity(a.mapping) ||
          a.order - b.order,
      );
    return this.sorted;
  }
}

const specificity = (m: Mapping): number =>
  m.kind === "http" ? httpSpecificity(m as HttpMapping) : sipSpecificity(m as SipMapping);

const stateOf = (e: Entry): MappingState => ({
  mapping: e.mapping,
  source: e.source,
  version: e.version,
  hits: e.hits,
});

/** `{{ now }}` is the ISO time; `{{ now.epochMs }}`, `{{ now.epochSeconds }}`, `{{ now.iso }}` its parts. */
function nowValue(ms: number): unknown {
  const iso = new Date(ms).toISOString();
  return Object.assign(new String(iso), { iso, epochMs: ms, epochSeconds: Math.floor(ms / 1000) });
}

/** A header value template: what it renders must stay on one line (no header injection). */
function headerValue(template: string, scope: TemplateScope): string {
  const value = renderText(template, scope);
  if (/[\r\n\0]/.test(value))
    throw new TemplateError(template, "a header value must not contain a line break");
  return value;
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** A domain rule the provisioning refused, as the API's error handler answers it (422 invalid_value unless registered). */
function domainProblem(error: DomainError, mappingId: string) {
  const errors = [{ field: error.field ?? "", code: error.code, message: error.message }];
  return isApiErrorCode(error.code)
    ? problemFor(error.code, error.message, { mappingId, ...(error.field ? { errors } : {}) })
    : problemFor("invalid_value", error.message, { mappingId, errors });
}

/** A template or action that failed: problem+json naming what, instead of a crash. */
function failure(error: unknown, mappingId: string): Omit<StubHttpAnswer, "mappingId"> {
  const problem =
    error instanceof DomainError
      ? domainProblem(error, mappingId)
      : error instanceof TemplateError
        ? problemFor("stub_template_failed", `mapping "${mappingId}": ${error.message}`, {
            mappingId,
            expression: error.expression,
          })
        : error instanceof ApiError
          ? {
              ...problemFor(error.code, error.message, {
                mappingId,
                ...(error.extensions.errors ? { errors: error.extensions.errors } : {}),
              }),
              status: error.status,
            }
          : problemFor("stub_action_failed", `mapping "${mappingId}": ${(error as Error).message}`, {
              mappingId,
            });
  return {
    status: problem.status,
    headers: { "content-type": "application/problem+json" },
    body: JSON.stringify(problem),
  };
}
