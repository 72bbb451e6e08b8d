import type { Clock, TimerHandle } from "../shared/clock.js";
import { newCallId, newTag } from "../shared/ids.js";
import { Headers, parseNameAddr, SipRequest, type SipResponse } from "../sip/message/index.js";
import { newBranch, type TransactionLayer } from "../sip/transaction/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import { DigestClient } from "./digest-client.js";
import type { MockEndpoint } from "./mock-endpoint.js";
import { sendRequest } from "./send-request.js";

export class RegistrationError extends Error {
  override readonly name = "RegistrationError";

  constructor(
    /** The registrar's final status; null when no answer came. */
    readonly status: number | null,
    message: string,
  ) {
    super(message);
  }
}

export interface RegistrationOptions {
  readonly transactions: TransactionLayer;
  readonly timers: Clock;
  readonly endpoint: MockEndpoint;
  readonly user: string;
  readonly password: string;
  readonly domain: string;
  /** Expires we ask for, in seconds. */
  readonly expires: number;
  /** Share of the granted expiry left when we refresh (0.2 → refresh at 80 %). */
  readonly margin: number;
  readonly onRefreshed: (granted: number) => void;
  readonly onRefreshFailed: (error: Error) => void;
}

/** Allowed digest challenges per REGISTER: the first, plus one for a stale nonce (RFC 7616 §3.3). */
const MAX_CHALLENGES = 2;

/**
 * The trunk's registration (RFC 3261 §10.2): one Call-ID with rising CSeq for every REGISTER
 * of this PBX, digest answers to 401/407 (the nonce is reused with a rising nc until the
 * registrar calls it stale), 423 → retry with Min-Expires, and a refresh before expiry.
 */
export class Registration {
  private readonly callId = newCallId();
  private readonly fromTag = newTag();
  private readonly digest: DigestClient;
  private cseq = 0;
  private granted: number | null = null;
  private connection: SipConnection | undefined;
  private refreshTimer: TimerHandle | undefined;
  private domain: string;

  constructor(private readonly options: RegistrationOptions) {
    this.digest = new DigestClient(options.user, options.password);
    this.domain = options.domain;
  }

  /**
   * Register for another domain from the next REGISTER on, answering challenges for it as
   * realm (an Expert Mode change of the trunk's domain; the wizard's own domain resets it).
   */
  useDomain(domain: string): void {
    this.domain = domain;
    this.digest.useRealm(domain === this.options.domain ? undefined : domain);
  }

  /** Seconds the registrar granted the current binding; null while not registered. */
  get expires(): number | null {
    return this.granted;
  }

  /** Digest algorithm in use, once challenged. */
  get algorithm(): string | undefined {
    return this.digest.algorithm;
  }

  /** REGISTER over `connection`; resolves with the granted expiry and arms the refresh. */
  async register(connection: SipConnection): Promise<number> {
    this.cancelRefresh();
    this.connection = connection;
    let expires = this.options.expires;
    let tooBrief = false;
    for (;;) {
      const response = await this.exchange(connection, expires);
      if (response.status < 300) {
        const granted = grantedExpires(response, connection) ?? expires;
        this.granted = granted;
        this.scheduleRefresh(granted);
        return granted;
      }
      const minimum = Number(response.headers.get("min-expires"));
      // RFC 3261 §10.2.8: 423 names the shortest interval the registrar accepts.
      if (response.status === 423 && !tooBrief && Number.isInteger(minimum) && minimum > expires) {
        tooBrief = true;
        expires = minimum;
        continue;
      }
      this.granted = null;
      throw new RegistrationError(response.status, `REGISTER refused: ${response.status} ${response.reason}`);
    }
  }

  /** REGISTER with Expires: 0 (RFC 3261 §10.2.2); resolves once answered, or at once when not registered. */
  async unregister(): Promise<void> {
    this.cancelRefresh();
    const connection = this.connection;
    const wasRegistered = this.granted !== null;
    this.granted = null;
    if (!wasRegistered || !connection?.open) return;
    const response = await this.exchange(connection, 0);
    if (response.status >= 300) {
      throw new RegistrationError(
        response.status,
        `unREGISTER refused: ${response.status} ${response.reason}`,
      );
    }
  }

  /** The connection is gone and its binding with it (the registrar ties them together). */
  lost(): void {
    this.cancelRefresh();
    this.granted = null;
    this.connection = undefined;
  }

  /** One REGISTER and the digest round trips it needs; the final answer. */
  private async exchange(connection: SipConnection, expires: number): Promise<SipResponse> {
    let challenges = 0;
    for (;;) {
      const response = await sendRequest(
        this.options.transactions,
        this.build(connection, expires),
        connection,
      );
      const challenged = response.status === 401 || response.status === 407;
      if (!challenged || challenges >= MAX_CHALLENGES || !this.digest.accept(response)) return response;
      challenges++;
    }
  }

  private build(connection: SipConnection, expires: number): SipRequest {
    const { endpoint, user } = this.options;
    const domain = this.domain;
    const uri = `sip:${domain}`;
    const headers = new Headers();
    headers.append("via", `${endpoint.via(connection)};branch=${newBranch()}`);
    headers.append("max-forwards", "70");
    headers.append("from", `<sip:${user}@${domain}>;tag=${this.fromTag}`);
    headers.append("to", `<sip:${user}@${domain}>`);
    headers.append("call-id", this.callId);
    headers.append("cseq", `${++this.cseq} REGISTER`);
    headers.append("contact", `<${endpoint.contact(connection)}>`);
    headers.append("expires", String(expires));
    headers.append("user-agent", "unify-phone-emulator mock-osbiz");
    const authorization = this.digest.authorize("REGISTER", uri);
    if (authorization) headers.append(authorization.name, authorization.value);
    return new SipRequest("REGISTER", uri, headers);
  }

  private scheduleRefresh(granted: number): void {
    const delayMs = granted * (1 - this.options.margin) * 1000;
    this.refreshTimer = this.options.timers.setTimer(delayMs, () => void this.refresh());
  }

  private async refresh(): Promise<void> {
    this.refreshTimer = undefined;
    const connection = this.connection;
    if (!connection?.open) return;
    try {
      this.options.onRefreshed(await this.register(connection));
    } catch (error) {
      if (this.connection === connection) this.options.onRefreshFailed(error as Error);
    }
  }

  private cancelRefresh(): void {
    if (this.refreshTimer) this.options.timers.clearTimer(this.refreshTimer);
    this.refreshTimer = undefined;
  }
}

/** RFC 3261 §10.2.4: the expires param of our Contact in the 200, else its Expires header. */
function grantedExpires(response: SipResponse, connection: SipConnection): number | undefined {
  for (const value of response.headers.getAll("contact")) {
    try {
      const contact = parseNameAddr(value);
      const host = contact.uri.host.replace(/^\[|\]$/g, "");
      if (host !== connection.localAddress || contact.uri.port !== connection.localPort) continue;
      const expires = Number(contact.params.expires);
      if (Number.isInteger(expires) && expires >= 0) return expires;
    } catch {
      // Someone else's contact we cannot parse does not concern us.
    }
  }
  const header = Number(response.headers.get("expires") ?? Number.NaN);
  return Number.isInteger(header) && header >= 0 ? header : undefined;
}
