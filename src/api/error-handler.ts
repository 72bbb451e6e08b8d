import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../domain/index.js";
import { ApiError, type ApiErrorCode, isApiErrorCode, type Problem, problemFor } from "../errors/index.js";

/**
 * Schema errors listed at most (the rest are counted in `errorsOmitted`): with AJV's
 * allErrors, a 1 MB body of unknown properties would otherwise answer an 8 MB problem.
 */
const MAX_LISTED_ERRORS = 1000;
/** Longest field path kept: a property name may be most of the body. */
const MAX_FIELD_CHARS = 100;

/**
 * Every error leaves the API as RFC 9457 problem+json with a registry `code`:
 * ApiError as is; DomainError by its code (unknown validation codes become
 * `invalid_value` with the field named); fastify's own errors by their kind.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const problem = toProblem(error, request);
    if (problem.status >= 500) request.log.error({ err: error }, "request failed");
    sendProblem(reply, problem);
  });
  app.setNotFoundHandler((request, reply) => {
    sendProblem(reply, {
      ...problemFor("not_found", `${request.method} ${request.url} does not exist`),
      instance: request.url,
    });
  });
}

export function sendProblem(reply: FastifyReply, problem: Problem): void {
  if (typeof problem.retryAfterSeconds === "number")
    reply.header("retry-after", String(problem.retryAfterSeconds));
  reply.code(problem.status).type("application/problem+json").send(problem);
}

function toProblem(error: FastifyError | Error, request: FastifyRequest): Problem {
  const instance = request.url;
  if (error instanceof ApiError) {
    return { ...problemFor(error.code, error.detail, error.extensions), instance };
  }
  if (error instanceof DomainError) {
    if (isApiErrorCode(error.code)) {
      return { ...problemFor(error.code, error.message, fieldOf(error)), instance };
    }
    return {
      ...problemFor("invalid_value", error.message, {
        errors: [{ field: error.field ?? "", code: error.code, message: error.message }],
      }),
      instance,
    };
  }
  const fe = error as FastifyError;
  if (fe.validation) {
    const errors = fe.validation.slice(0, MAX_LISTED_ERRORS).map((v) => ({
      field: fieldPath(fe.validationContext, v.instancePath, v.params as Record<string, unknown>),
      code: v.keyword,
      message: v.message ?? "invalid",
    }));
    const omitted = fe.validation.length - errors.length;
    if (omitted === 0) return { ...problemFor("validation_failed", fe.message, { errors }), instance };
    const detail = `${fe.validation.length} schema violations in ${fe.validationContext ?? "body"}; the first ${errors.length} are listed, ${omitted} left out`;
    return {
      ...problemFor("validation_failed", detail, { errors, errorsOmitted: omitted }),
      instance,
    };
  }
  const byFastifyCode: Record<string, ApiErrorCode> = {
    FST_ERR_CTP_BODY_TOO_LARGE: "payload_too_large",
    FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: "validation_failed",
    FST_ERR_CTP_EMPTY_JSON_BODY: "malformed_json",
    FST_ERR_CTP_INVALID_JSON_BODY: "malformed_json",
  };
  const mapped = fe.code ? byFastifyCode[fe.code] : undefined;
  if (mapped) return { ...problemFor(mapped, fe.message), instance };
  if (error instanceof SyntaxError && fe.statusCode === 400)
    return { ...problemFor("malformed_json", error.message), instance };
  if (typeof fe.statusCode === "number" && fe.statusCode < 500) {
    return { ...problemFor("validation_failed", fe.message), status: fe.statusCode, instance };
  }
  return { ...problemFor("internal_error", "unexpected error; see the emulator log"), instance };
}

function fieldOf(error: DomainError): Record<string, unknown> {
  return error.field ? { errors: [{ field: error.field, code: error.code, message: error.message }] } : {};
}

/** "body.numbering.countryCode" from AJV's "/numbering/countryCode" (+ missing property names). */
function fieldPath(
  context: string | undefined,
  instancePath: string,
  params: Record<string, unknown>,
): string {
  const parts = instancePath.split("/").filter(Boolean);
  if (typeof params.missingProperty === "string") parts.push(params.missingProperty);
  if (typeof params.additionalProperty === "string") parts.push(params.additionalProperty);
  const path = [context ?? "body", ...parts].join(".");
  return path.length <= MAX_FIELD_CHARS ? path : `${path.slice(0, MAX_FIELD_CHARS - 1)}…`;
}
