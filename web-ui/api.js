/** The admin REST API, with the bearer token in a header (never in a URL). */

const TOKEN_KEY = "upe.adminToken";

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  forget: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A failed request: `status` 0 when the emulator could not be reached; `message` from its problem+json. */
export class ApiFailure extends Error {
  constructor(status, message, { body, retryAfterSeconds } = {}) {
    super(message);
    this.status = status;
    this.body = body;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * fetch() with the admin token; answers the Response, or throws an ApiFailure. `json` is sent as
 * application/json; `body` as is, with its `contentType` (a CSV file, say).
 */
export async function request(
  path,
  { method = "GET", accept = "application/json", auth = true, json, body, contentType } = {},
) {
  const headers = { accept };
  if (auth) {
    // The token was forgotten while a refresh was under way: its remaining calls are not sent.
    if (!token.get()) throw new ApiFailure(401, "no admin token: paste it to go on");
    headers.authorization = `Bearer ${token.get()}`;
  }
  if (json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(json);
  } else if (contentType) headers["content-type"] = contentType;
  const send = () => fetch(path, { method, headers, body, cache: "no-store" });
  let response;
  try {
    // A read that never got an answer is sent once more: Chromium aborts every request in flight
    // (ERR_NETWORK_CHANGED) when an interface of the host comes or goes. Writes are not repeated.
    response = await send().catch((error) => (method === "GET" ? send() : Promise.reject(error)));
  } catch (error) {
    throw new ApiFailure(0, `the emulator cannot be reached (${error.message})`);
  }
  if (!response.ok) throw await failureOf(response);
  return response;
}

/** GET a JSON resource; `allow` lists error statuses whose JSON body is still the answer (503 of /readyz). */
export async function getJson(path, { auth = true, allow = [] } = {}) {
  try {
    return await (await request(path, { auth })).json();
  } catch (error) {
    if (error instanceof ApiFailure && allow.includes(error.status) && error.body) return error.body;
    throw error;
  }
}

async function failureOf(response) {
  let body;
  try {
    body = JSON.parse(await response.text());
  } catch {
    body = undefined;
  }
  let message = `${response.status} ${response.statusText || "error"}`;
  if (body && typeof body.title === "string") {
    const detail = body.detail ? `: ${body.detail}` : "";
    message = `${body.title}${detail} (${response.status}${body.code ? ` ${body.code}` : ""})`;
  }
  const retryAfterSeconds = Number(response.headers.get("retry-after")) || undefined;
  return new ApiFailure(response.status, message, { body, retryAfterSeconds });
}
