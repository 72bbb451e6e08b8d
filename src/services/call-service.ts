import type { B2bua, Call, CallFilter } from "../b2bua/index.js";
import type { User } from "../domain/index.js";
import { ApiError } from "../errors/index.js";
import type { MediaMode } from "../media/index.js";
import type { Store } from "../store/index.js";
import type { JwtOutageCode } from "./jwt/index.js";

export interface StartCallInput {
  /** A user id, or an e-mail address together with `tenantId`. */
  readonly fromUser: string;
  readonly tenantId?: string;
  readonly to: string;
  readonly media?: MediaMode;
}

/** Calls as the admin API sees them: the journal, and calls placed on a user's behalf. */
export class CallService {
  constructor(
    private readonly store: Store,
    private readonly b2bua: B2bua,
  ) {}

  list(filter: CallFilter): Call[] {
    return this.b2bua.journal.list(filter);
  }

  get(callId: string): Call {
    const call = this.b2bua.journal.get(callId);
    if (!call) throw new ApiError("call_not_found", `no call ${callId} in the journal`);
    return call;
  }

  async start(input: StartCallInput): Promise<Call> {
    const user = this.findUser(input);
    const outcome = await this.b2bua.startCall(user, input.to, input.media ? { media: input.media } : {});
    if ("id" in outcome) return outcome;
    switch (outcome.kind) {
      case "user_not_found":
        throw new ApiError("user_not_found", outcome.detail);
      case "user_not_assigned":
        throw new ApiError("user_not_assigned", outcome.detail);
      case "trunk_not_registered":
        throw new ApiError("trunk_not_registered", outcome.detail, { callId: outcome.call.id });
      case "trunk_lines_busy":
        throw new ApiError("trunk_lines_busy", outcome.detail, { callId: outcome.call.id });
      case "tenant_not_functional":
        // 409: the tenant's state (its JWT) forbids the call; same code as the PBX-side 403.
        throw new ApiError(outcome.outage.code as JwtOutageCode, outcome.detail, {
          status: 409,
          ...(outcome.call ? { callId: outcome.call.id } : {}),
        });
    }
  }

  /** Push an answered app call to the user's desk phone (REFER on its PBX leg); 409/502/504 when not. */
  async push(callId: string): Promise<Call> {
    const call = this.get(callId);
    const outcome = await this.b2bua.push(call);
    if (outcome.ok) return call;
    const code = { state: "call_not_pushable", refused: "push_refused", timeout: "push_timeout" } as const;
    throw new ApiError(code[outcome.reason], outcome.detail);
  }

  hangup(callId: string): Call {
    const call = this.get(callId);
    this.b2bua.hangup(call);
    return call;
  }

  private findUser(input: StartCallInput): User {
    if (input.fromUser.includes("@")) {
      // E-mails are unique per tenant only: without tenantId the address must be unique overall.
      const tenants = input.tenantId ? [input.tenantId] : this.store.tenants.list().map((t) => t.id);
      const found = tenants.flatMap((t) => this.store.users.getByEmail(t, input.fromUser) ?? []);
      if (found.length === 0) throw new ApiError("user_not_found", `no user ${input.fromUser}`);
      if (found.length > 1) {
        throw new ApiError(
          "validation_failed",
          `${input.fromUser} exists in ${found.length} tenants: add tenantId`,
        );
      }
      return found[0]!;
    }
    const user = this.store.users.get(input.fromUser);
    if (!user || (input.tenantId && user.tenantId !== input.tenantId))
      throw new ApiError("user_not_found", `no user ${input.fromUser}`);
    return user;
  }
}
