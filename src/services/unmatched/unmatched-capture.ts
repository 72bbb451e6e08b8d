import type { Clock } from "../../shared/clock.js";
import { Listeners } from "../../shared/listeners.js";
import { sipReasonPhrase } from "./reason-phrases.js";
import { redactBody, redactHeaders, redactQuery } from "./redact.js";
import type {
  StubHttpAnswer,
  StubResponder,
  UnmatchedHttpRequest,
  UnmatchedSipRequest,
} from "./stub-port.js";
import type {
  AnsweredBy,
  UnmatchedEntry,
  UnmatchedHttpEntry,
  UnmatchedKind,
  UnmatchedSipEntry,
} from "./unmatched-entry.js";
import { UnmatchedJournal } from "./unmatched-journal.js";

export interface UnmatchedCaptureOptions {
  readonly clock: Clock;
  /** Entries kept (the oldest go first). */
  readonly capacity: number;
  /** Bytes of each body kept in the journal and the trace. */
  readonly bodyLimit: number;
  /** Status of the default HTTP answer (404 problem+json unless configured). */
  readonly httpStatus: number;
  /** Status of every default SIP answer; 0 keeps the RFC-appropriate one (501, 489, 415, 405). */
  readonly sipStatus: number;
  /** User-defined stubs, asked before the default answer (see stub-port.ts). */
  readonly stubs?: StubResponder;
  /** A stub responder that failed: logged by the caller, the default answer goes out. */
  readonly onStubError?: (error: unknown, kind: UnmatchedKind) => void;
}

/** A captured request as published: the journal entry and the full message (secrets replaced) for the trace. */
export interface UnmatchedNotice {
  readonly entry: UnmatchedEntry;
  readonly message: string;
}

/** The SIP transport a request came over, for the journal. */
export interface SipFlow {
  readonly transport: string;
  readonly connectionId: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

export interface SipCaptureInput {
  /** As received (secrets included): the stubs match on it; the journal keeps a redacted copy. */
  readonly request: UnmatchedSipRequest;
  readonly bodyBytes: number;
  /** Why the emulator does not handle it. */
  readonly cause: string;
  /** The RFC-appropriate answer, used unless a stub answers or `sipStatus` is configured. */
  readonly rfcAnswer: SipAnswer;
  readonly flow: SipFlow;
  readonly trunkId?: string;
  /** The start line of the request, for the trace's copy of the message. */
  readonly startLine: string;
}

export interface SipAnswer {
  readonly status: number;
  readonly reason: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: string;
  readonly contentType?: string;
}

export type HttpAnswer =
  | { readonly kind: "stub"; readonly answer: StubHttpAnswer }
  | { readonly kind: "default"; readonly status: number };

/**
 * Records every request the emulator has no handler for (HTTP routes, SIP methods, events and
 * body types), asks the user's stubs for an answer and otherwise gives the configured default.
 * Nothing a real PBX sends is lost silently: each capture is journaled and published (trace,
 * webhooks, live events) with an id the answer carries.
 */
export class UnmatchedCapture {
  readonly journal: UnmatchedJournal;
  readonly captured = new Listeners<UnmatchedNotice>();
  private stubs: StubResponder | undefined;

  constructor(private readonly options: UnmatchedCaptureOptions) {
    this.journal = new UnmatchedJournal(options.capacity);
    this.stubs = options.stubs;
  }

  /** The stub engine, when it is built after the capture. */
  useStubs(stubs: StubResponder | undefined): void {
    this.stubs = stubs;
  }

  async captureHttp(
    request: UnmatchedHttpRequest,
  ): Promise<{ entry: UnmatchedHttpEntry; answer: HttpAnswer }> {
    const stub = await this.ask("http", () => this.stubs?.answerHttp(request));
    const status = stub ? stub.status : this.options.httpStatus;
    const contentType = first(request.headers["content-type"]);
    const body = this.bodyOf(request.body.toString("utf8"), request.body.length, contentType);
    const headers = redactHeaders(headerPairs(request.headers));
    const entry: UnmatchedHttpEntry = {
      kind: "http",
      id: this.journal.nextId(),
      at: this.options.clock.now(),
      method: request.method,
      path: request.path,
      query: redactQuery(request.query),
      headers,
      ...body,
      ...(contentType === undefined ? {} : { contentType }),
      remoteAddress: request.remoteAddress,
      ...(request.tenantId === undefined ? {} : { tenantId: request.tenantId }),
      status,
      answeredBy: answeredBy(stub),
    };
    const target = request.path + queryString(entry.query);
    this.publish(entry, messageText(`${request.method} ${target} HTTP/1.1`, headers, body.body));
    return { entry, answer: stub ? { kind: "stub", answer: stub } : { kind: "default", status } };
  }

  async captureSip(
    input: SipCaptureInput,
  ): Promise<{ entry: UnmatchedSipEntry; answer: SipAnswer & { mappingId?: string } }> {
    const { request, flow } = input;
    const stub = await this.ask("sip", () => this.stubs?.answerSip(request));
    const configured = this.options.sipStatus;
    const answer: SipAnswer & { mappingId?: string } = stub
      ? stub
      : configured > 0
        ? { status: configured, reason: `${sipReasonPhrase(configured)}: ${input.cause}` }
        : input.rfcAnswer;
    const body = this.bodyOf(request.body, input.bodyBytes, request.contentType);
    const headers = redactHeaders(request.headers);
    const entry: UnmatchedSipEntry = {
      kind: "sip",
      id: this.journal.nextId(),
      at: this.options.clock.now(),
      method: request.method,
      requestUri: request.requestUri,
      headers,
      ...body,
      ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
      ...(request.event === undefined ? {} : { event: request.event }),
      cause: input.cause,
      transport: flow.transport,
      connectionId: flow.connectionId,
      remoteAddress: flow.remoteAddress,
      remotePort: flow.remotePort,
      ...(input.trunkId === undefined ? {} : { trunkId: input.trunkId }),
      ...(request.trunkUsername === undefined ? {} : { trunkUsername: request.trunkUsername }),
      ...(request.tenantId === undefined ? {} : { tenantId: request.tenantId }),
      status: answer.status,
      reason: answer.reason,
      answeredBy: answeredBy(stub),
    };
    this.publish(entry, messageText(input.startLine, headers, body.body));
    return { entry, answer };
  }

  list(kind?: UnmatchedKind): UnmatchedEntry[] {
    return this.journal.list(kind);
  }

  get(id: string): UnmatchedEntry | undefined {
    return this.journal.get(id);
  }

  clear(): number {
    return this.journal.clear();
  }

  /** A stub's answer, or undefined when there is none or it failed (the default answer then goes out). */
  private async ask<T>(
    kind: UnmatchedKind,
    question: () => Promise<T | undefined> | undefined,
  ): Promise<T | undefined> {
    try {
      return await question();
    } catch (error) {
      this.options.onStubError?.(error, kind);
      return undefined;
    }
  }

  private bodyOf(text: string, bytes: number, contentType: string | undefined) {
    const limit = this.options.bodyLimit;
    const truncated = Buffer.byteLength(text) > limit;
    // Redacted whole (a cut JSON body would not parse), then cut.
    const redacted = redactBody(text, contentType);
    const body = truncated || Buffer.byteLength(redacted) > limit ? cut(redacted, limit) : redacted;
    return { body, bodyBytes: bytes, bodyTruncated: truncated || bytes > limit };
  }

  private publish(entry: UnmatchedEntry, message: string): void {
    this.journal.add(entry);
    this.captured.emit({ entry, message });
  }
}

function answeredBy(stub: { mappingId: string } | undefined): AnsweredBy {
  return stub ? { mappingId: stub.mappingId } : "default";
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function headerPairs(headers: UnmatchedHttpRequest["headers"]): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of [value].flat()) pairs.push([name, v]);
  }
  return pairs;
}

/** The query as a reader wants it in the trace: decoded, secrets replaced (not re-encoded). */
function queryString(query: Readonly<Record<string, string | string[]>>): string {
  const pairs = Object.entries(query).flatMap(([name, value]) => [value].flat().map((v) => `${name}=${v}`));
  return pairs.length > 0 ? `?${pairs.join("&")}` : "";
}

/** The first `limit` bytes of a text, without splitting a UTF-8 character. */
function cut(text: string, limit: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= limit) return text;
  return bytes
    .subarray(0, limit)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
}

/** The request as text (HTTP/1.1 and SIP read alike): start line, headers, empty line, body. */
function messageText(
  startLine: string,
  headers: readonly (readonly [string, string])[],
  body: string,
): string {
  return [startLine, ...headers.map(([n, v]) => `${n}: ${v}`), "", body].join("\r\n");
}
