/**
 * The seam through which user-defined stubs (src/stubs, helper G2's engine) answer a request
 * nothing else handles, before the journal's default answer. The capture asks the responder
 * first; `undefined` (or no responder, or a responder that throws) means "not mine": the
 * default answer goes out. Either way the request is journaled, with `answeredBy` naming the
 * mapping that answered or "default".
 *
 * Wiring: the composition root builds one `UnmatchedCapture` in src/composition/start-sip.ts
 * (`sip.unmatched`), before the services a stub engine needs exist. Pass the engine as the
 * optional `stubs` field of `new UnmatchedCapture({ ... })` there, or — when it is built later,
 * e.g. in start-api.ts beside the ConnectorService — hand it over with
 * `sip.unmatched.useStubs(engine)`. Tests do the same through `EmulatorHandle.unmatched`.
 */
export interface UnmatchedHttpRequest {
  method: string;
  url: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  remoteAddress: string;
  tenantId?: string;
}

export interface StubHttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  mappingId: string;
  /**
   * Instead of the answer: reset the connection (TCP RST) or close it without a response.
   * `status` is then only what the journal shows.
   */
  fault?: "connection-reset" | "empty-response";
}

export interface UnmatchedSipRequest {
  method: string;
  requestUri: string;
  headers: ReadonlyArray<[string, string]>;
  body: string;
  event?: string;
  contentType?: string;
  trunkUsername?: string;
  tenantId?: string;
}

export interface StubSipAnswer {
  status: number;
  reason: string;
  headers: ReadonlyArray<[string, string]>;
  body?: string;
  contentType?: string;
  mappingId: string;
}

export interface StubResponder {
  answerHttp(req: UnmatchedHttpRequest): Promise<StubHttpAnswer | undefined>;
  answerSip(req: UnmatchedSipRequest): Promise<StubSipAnswer | undefined>;
}
