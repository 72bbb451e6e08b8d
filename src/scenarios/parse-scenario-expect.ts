import { JWT_STATUSES } from "../services/index.js";
import type { Mutable } from "../shared/mutable.js";
import type { DocumentPath, Fields, ProblemReader } from "../shared/untrusted/index.js";
import type { ScenarioExpect } from "./scenario.js";

const EXPECT_KEYS = [
  "outcome",
  "connector",
  "register",
  "invite",
  "callToPbx",
  "provisioning",
  "clientRegister",
  "call",
  "newUsers",
  "tls",
  "jwt",
  "diagnose",
];
const STATUS = { min: 100, max: 699 };
const REQUIRED_STATUS = { ...STATUS, required: true };

/** `expect:` — the outcome in words, and hints a test (or a person) can check. */
export function parseScenarioExpect(r: ProblemReader, value: unknown): ScenarioExpect | undefined {
  const path: DocumentPath = ["expect"];
  if (value === undefined || value === null) {
    r.fail(path, "is required: the observable outcome (outcome: …) and its checkable hints");
    return undefined;
  }
  const e = r.mapping(value, path, EXPECT_KEYS, "expect");
  if (!e) return undefined;
  const outcome = r.text(e, path, "outcome", true);
  const result: Mutable<ScenarioExpect> = { outcome: outcome ?? "" };
  const connector = r.choice(e, path, "connector", ["available", "unavailable"] as const);
  if (connector) result.connector = connector;
  const jwt = r.choice(e, path, "jwt", JWT_STATUSES);
  if (jwt) result.jwt = jwt;
  const diagnose = r.texts(e, path, "diagnose");
  if (diagnose) result.diagnose = diagnose;

  const sub = (key: string, allowed: string[]): [Fields, DocumentPath] | undefined => {
    if (e[key] === undefined || e[key] === null) return undefined;
    const at = [...path, key];
    const obj = r.mapping(e[key], at, allowed, `expect.${key}`);
    return obj && [obj, at];
  };
  const register = sub("register", ["status", "reason", "retryAfter"]);
  if (register) {
    const [o, at] = register;
    const status = r.integer(o, at, "status", REQUIRED_STATUS);
    const reason = r.text(o, at, "reason");
    const retryAfter = r.integer(o, at, "retryAfter", { min: 0, max: 86_400 });
    if (status !== undefined)
      result.register = {
        status,
        ...(reason === undefined ? {} : { reason }),
        ...(retryAfter === undefined ? {} : { retryAfter }),
      };
  }
  const invite = sub("invite", ["to", "status", "reason"]);
  if (invite) {
    const [o, at] = invite;
    const to = r.text(o, at, "to");
    const status = r.integer(o, at, "status", REQUIRED_STATUS);
    const reason = r.text(o, at, "reason");
    if (status !== undefined)
      result.invite = {
        status,
        ...(to === undefined ? {} : { to }),
        ...(reason === undefined ? {} : { reason }),
      };
  }
  const callToPbx = sub("callToPbx", ["to", "status", "reason", "refusedBy"]);
  if (callToPbx) {
    const [o, at] = callToPbx;
    const to = r.text(o, at, "to");
    const status = r.integer(o, at, "status", REQUIRED_STATUS);
    const reason = r.text(o, at, "reason");
    const refusedBy = r.choice(o, at, "refusedBy", ["pbx", "connector"] as const);
    if (status !== undefined)
      result.callToPbx = {
        status,
        ...(to === undefined ? {} : { to }),
        ...(reason === undefined ? {} : { reason }),
        ...(refusedBy === undefined ? {} : { refusedBy }),
      };
  }
  const statusAndCode = (key: string) => {
    const found = sub(key, ["status", "code"]);
    if (!found) return undefined;
    const [o, at] = found;
    const status = r.integer(o, at, "status", REQUIRED_STATUS);
    const code = r.text(o, at, "code");
    return status === undefined ? undefined : { status, ...(code === undefined ? {} : { code }) };
  };
  const provisioning = statusAndCode("provisioning");
  if (provisioning) result.provisioning = provisioning;
  const call = statusAndCode("call");
  if (call) result.call = call;
  const newUsers = statusAndCode("newUsers");
  if (newUsers) result.newUsers = newUsers;
  const clientRegister = sub("clientRegister", ["status", "reason"]);
  if (clientRegister) {
    const [o, at] = clientRegister;
    const status = r.integer(o, at, "status", REQUIRED_STATUS);
    const reason = r.text(o, at, "reason");
    if (status !== undefined) result.clientRegister = { status, ...(reason === undefined ? {} : { reason }) };
  }
  const tls = sub("tls", ["error"]);
  if (tls) {
    const [o, at] = tls;
    const error = r.text(o, at, "error", true);
    if (error !== undefined) result.tls = { error };
  }
  return result;
}
