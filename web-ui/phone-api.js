/**
 * The browser phone's REST client (`/api/client/*`). The session token and the credentials it
 * was opened with live in memory only: a reload signs out. A 401 (session idle for an hour,
 * password changed) signs in once more with the same credentials before giving up.
 */

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code;
  }
}

async function request(method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export class ClientApi {
  #credentials = null;
  #token = null;

  /** Opens a session; resolves with who signed in and how to register (see `me`). */
  async signIn(credentials) {
    const session = await request("POST", "/api/client/session", { body: credentials });
    this.#credentials = credentials;
    this.#token = session.token;
    return session;
  }

  async signOut() {
    const token = this.#token;
    this.#token = null;
    this.#credentials = null;
    if (token) await request("DELETE", "/api/client/session", { token }).catch(() => {});
  }

  /** The client password, for sip.js's digest answer. */
  get password() {
    return this.#credentials?.password ?? null;
  }

  me() {
    return this.#authed("GET", "/api/client/me");
  }

  /** The user's calls from the journal, newest first (an array). */
  calls(limit = 20) {
    return this.#authed("GET", `/api/client/calls?limit=${limit}`);
  }

  setDnd(dnd) {
    return this.#authed("PUT", "/api/client/presence", { dnd });
  }

  async #authed(method, path, body) {
    try {
      return await request(method, path, { token: this.#token, body });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401 || !this.#credentials) throw error;
      await this.signIn(this.#credentials);
      return request(method, path, { token: this.#token, body });
    }
  }
}
