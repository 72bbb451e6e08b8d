import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { User } from "../../domain/index.js";
import { ApiError } from "../../errors/index.js";
import {
  type CallService,
  type ClientSession,
  type ClientSessionService,
  callView,
} from "../../services/index.js";
import { pageOfArray, pagingHooks } from "../plugins/paging.js";
import { pagedQuery } from "../schemas/paging.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

interface PresenceView {
  readonly dnd: boolean;
  readonly dndSource: string | null;
  readonly busy: boolean;
  readonly busySource: readonly string[];
}

/** What the page may read and set of the user's presence (the PresenceService's shape). */
export interface ClientPresence {
  get(tenantId: string, userId: string): PresenceView;
  setDnd(tenantId: string, userId: string, dnd: boolean, source: "app"): Promise<PresenceView>;
}

export interface ClientPhoneContext {
  readonly sessions: ClientSessionService;
  readonly calls: Pick<CallService, "list">;
  readonly now: () => number;
  /** The SIP domain (digest realm) the page registers in. */
  readonly domain: string;
  /** Absent: DND answers presence_unavailable (501). */
  readonly presence?: ClientPresence;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The browser phone's session (its user), set by the client auth hook. */
    clientSession?: { session: ClientSession; user: User };
  }
}

const hide = true;

const signInBody = {
  type: "object",
  properties: {
    tenant: { type: "string", minLength: 1, maxLength: 200 },
    user: { type: "string", minLength: 1, maxLength: 320 },
    password: { type: "string", minLength: 1, maxLength: 1024 },
  },
  required: ["tenant", "user", "password"],
  additionalProperties: false,
} as const;

const presenceBody = {
  type: "object",
  properties: { dnd: { type: "boolean" } },
  required: ["dnd"],
  additionalProperties: false,
} as const;

/**
 * The browser phone's own REST API (`/phone`, docs/web-ui.md): it holds the user's client
 * credentials, not an API key. `POST /api/client/session` signs in with tenant, user and
 * client password and returns a bearer token; the other routes act for that user only.
 * Hidden from the OpenAPI document like the web UI's routes: they exist for the page.
 */
export function clientPhoneRoutes(untyped: FastifyInstance, ctx: ClientPhoneContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const client = { onRequest: requireClient(ctx.sessions) };

  app.post("/api/client/session", { schema: { hide, body: signInBody } }, async (request, reply) => {
    const { token, session, user } = ctx.sessions.signIn(request.ip, request.body);
    reply.code(201).header("cache-control", "no-store");
    return { token, expiresAt: new Date(session.expiresAt).toISOString(), ...me(user, ctx) };
  });

  app.delete("/api/client/session", { ...client, schema: { hide } }, async (request, reply) => {
    ctx.sessions.signOut(bearer(request)!);
    reply.code(204);
  });

  app.get("/api/client/me", { ...client, schema: { hide } }, async (request, reply) => {
    reply.header("cache-control", "no-store");
    const { user } = request.clientSession!;
    return { ...me(user, ctx), presence: ctx.presence?.get(user.tenantId, user.id) ?? null };
  });

  // The user's journal entries, newest first, paged as the admin listings are (X-Total-Count).
  app.get(
    "/api/client/calls",
    { ...client, ...pagingHooks, schema: { hide, querystring: pagedQuery() } },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      const { user } = request.clientSession!;
      const now = ctx.now();
      const calls = ctx.calls.list({ tenantId: user.tenantId, userId: user.id });
      return pageOfArray(reply, calls, request.query).map((c) => callView(c, now));
    },
  );

  app.put(
    "/api/client/presence",
    { ...client, schema: { hide, body: presenceBody } },
    async (request, reply) => {
      const { user } = request.clientSession!;
      if (!ctx.presence) {
        throw new ApiError(
          "presence_unavailable",
          "this emulator build has no presence service: DND cannot be set from the client",
        );
      }
      reply.header("cache-control", "no-store");
      return ctx.presence.setDnd(user.tenantId, user.id, request.body.dnd, "app");
    },
  );
}

/** Who the page is signed in as and how it registers: AOR and digest username are the user id. */
function me(user: User, ctx: ClientPhoneContext) {
  return {
    user: {
      id: user.id,
      tenantId: user.tenantId,
      firstName: user.firstName,
      lastName: user.lastName,
      emailAddress: user.emailAddress,
      callno: user.callno ?? null,
      phoneNumber: user.phoneNumber ?? null,
    },
    sip: {
      aor: `sip:${user.id}@${ctx.domain}`,
      authorizationUsername: user.id,
      domain: ctx.domain,
      webSocketPath: "/ws",
    },
  };
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return (header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null)?.[1];
}

function requireClient(sessions: ClientSessionService) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = bearer(request);
    if (!token) {
      throw new ApiError(
        "client_session_missing",
        "send Authorization: Bearer <token from POST /api/client/session>",
      );
    }
    request.clientSession = sessions.authenticate(token);
  };
}
