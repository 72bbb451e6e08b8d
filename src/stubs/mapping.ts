/** One test of a text: exactly one of the kinds is set (see docs/stubs.md). */
export type Predicate =
  | { readonly equalTo: string; readonly caseInsensitive?: boolean }
  | { readonly contains: string }
  | { readonly matches: string }
  | { readonly absent: true };

/** A body predicate: on the raw body, or on the value a JSON path selects in it. */
export type BodyPredicate = Predicate & { readonly jsonPath?: string };

export type PathMatch =
  | { readonly kind: "exact"; readonly path: string }
  | { readonly kind: "template"; readonly template: string }
  | { readonly kind: "regex"; readonly pattern: string };

export interface HttpRequestMatch {
  /** Upper case; undefined matches any method. */
  readonly method?: string;
  readonly path?: PathMatch;
  readonly query: Readonly<Record<string, Predicate>>;
  /** Keys lower case. */
  readonly headers: Readonly<Record<string, Predicate>>;
  readonly body: readonly BodyPredicate[];
}

export interface SipRequestMatch {
  readonly method?: string;
  readonly event?: string;
  readonly contentType?: string;
  readonly requestUri?: string;
}

export type Fault = "connection-reset" | "empty-response";

export interface HttpStubResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Text template, or a JSON value whose strings are templates. */
  readonly body?: string;
  readonly jsonBody?: unknown;
  readonly delayMs?: number;
  readonly fault?: Fault;
}

export interface SipStubResponse {
  readonly status: number;
  readonly reason?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly contentType?: string;
}

/** Provision a system as POST /api/connector/v1/systems does; every string is a template. */
export interface ProvisionSystemAction {
  readonly provisionSystem: Readonly<Record<string, unknown>>;
}
export type StubAction = ProvisionSystemAction;

interface MappingBase {
  readonly id: string;
  readonly name?: string;
  /** Lower answers first; default 5. Equal priorities: the more specific match first. */
  readonly priority: number;
  readonly enabled: boolean;
}

export interface HttpMapping extends MappingBase {
  readonly kind: "http";
  readonly request: HttpRequestMatch;
  readonly response: HttpStubResponse;
  readonly actions: readonly StubAction[];
}

export interface SipMapping extends MappingBase {
  readonly kind: "sip";
  readonly sip: SipRequestMatch;
  readonly response: SipStubResponse;
}

export type Mapping = HttpMapping | SipMapping;

export const DEFAULT_PRIORITY = 5;
export const MAX_DELAY_MS = 60_000;
