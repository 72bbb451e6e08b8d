import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import type { AdminToken, AuthLockout } from "../auth/index.js";
import { secretsEqual } from "../auth/index.js";
import type { Tenant } from "../domain/index.js";
import { ApiError, type ApiErrorCode } from "../errors/index.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The tenant whose API key authenticated a PBX-side request. */
    tenant?: Tenant;
  }
}

export interface AuthDependencies {
  readonly adminToken: AdminToken;
  readonly findTenantByApiKey: (apiKey: string) => Tenant | undefined;
  /**
   * Failed attempts per source address and per target ("admin", "api-key"); a locked
   * source gets 429 + Retry-After.
   */
  readonly lockout: AuthLockout;
}

/**
 * onRequest hooks for the two kinds of caller: the admin (Bearer) and a PBX (X-API-Key).
 * They run before the body is read or validated, so a stranger learns nothing from schemas.
 */
export function authHooks(deps: AuthDependencies): {
  requireAdmin: onRequestAsyncHookHandler;
  requireApiKey: onRequestAsyncHookHandler;
} {
  const guard = (request: FastifyRequest, kind: string) => {
    const locked = deps.lockout.lockedFor(request.ip, kind);
    if (locked > 0) {
      throw new ApiError(
        "rate_limited",
        `too many failed ${kind} attempts from this address or for this credential`,
        {
          retryAfterSeconds: Math.ceil(locked / 1000),
        },
      );
    }
  };
  const fail = (request: FastifyRequest, kind: string, code: ApiErrorCode, detail: string): never => {
    deps.lockout.fail(request.ip, kind);
    throw new ApiError(code, detail);
  };

  return {
    async requireAdmin(request: FastifyRequest, _reply: FastifyReply) {
      guard(request, "admin");
      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!match) fail(request, "admin", "admin_token_missing", "send Authorization: Bearer <admin token>");
      if (!deps.adminToken.verify(match![1]!))
        fail(request, "admin", "admin_token_invalid", "wrong admin token");
      deps.lockout.succeed(request.ip, "admin");
    },
    async requireApiKey(request: FastifyRequest, _reply: FastifyReply) {
      guard(request, "api-key");
      const key = request.headers["x-api-key"];
      if (typeof key !== "string" || key === "")
        fail(request, "api-key", "api_key_missing", "send X-API-Key: <tenant API key>");
      const tenant = deps.findTenantByApiKey(key as string);
      // The lookup is a hash map; the final comparison is constant-time.
      if (!tenant || !secretsEqual(tenant.apiKey, key as string)) {
        fail(
          request,
          "api-key",
          "api_key_invalid",
          "no tenant has this API key (it may have been regenerated)",
        );
      }
      deps.lockout.succeed(request.ip, "api-key");
      request.tenant = tenant;
    },
  };
}
