import type { Mutable } from "../shared/mutable.js";
import type { DocumentPath, Fields, ProblemReader } from "../shared/untrusted/index.js";
import type {
  PbxExpertMode,
  PbxLicence,
  PbxModel,
  PbxRtpLoad,
  ScenarioPbx,
  ScenarioPbxAction,
  ScenarioPbxUser,
} from "./scenario.js";

const PBX_KEYS = ["apiKey", "model", "uplinkKbps", "rtpChannels", "users", "expertMode", "actions"];
const MODELS: readonly PbxModel[] = ["X1", "X3", "X5", "X8", "S"];
const LICENCES: readonly PbxLicence[] = ["valid", "none", "expired"];
const CHANNEL_USES: readonly PbxRtpLoad[] = ["itsp", "device-at-home"];
const USER_KEYS = [
  "callno",
  "firstName",
  "lastName",
  "emailAddress",
  "licence",
  "trustedExternal",
  "unifyPhoneRoute",
];
const ACTIONS = ["expertModeChange", "publicAddressChange", "occupyRtpChannels"];
const CALLNO = /^\+?[0-9]{1,20}$/;
const LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const MAX_USERS = 500;
const MAX_ACTIONS = 20;

/** `pbx:` — the mock OSBiz's options (model, uplink, RTP channels, users, Expert Mode) and its actions. */
export function parseScenarioPbx(r: ProblemReader, value: unknown): ScenarioPbx | undefined {
  if (value === undefined || value === null) return undefined;
  const at: DocumentPath = ["pbx"];
  const p = r.mapping(value, at, PBX_KEYS, "pbx");
  if (!p) return undefined;
  const pbx: Mutable<ScenarioPbx> = { actions: readActions(r, p.actions, [...at, "actions"]) };
  const apiKey = r.string(p, at, "apiKey", { max: 128, shape: "token" });
  if (apiKey !== undefined) pbx.apiKey = apiKey;
  const model = r.choice(p, at, "model", MODELS);
  if (model) pbx.model = model;
  const uplinkKbps = r.integer(p, at, "uplinkKbps", { min: 64, max: 10_000_000 });
  if (uplinkKbps !== undefined) pbx.uplinkKbps = uplinkKbps;
  if (p.rtpChannels !== undefined && p.rtpChannels !== null) {
    const cat = [...at, "rtpChannels"];
    const c = r.mapping(p.rtpChannels, cat, ["total", "busy"], "pbx.rtpChannels");
    if (c) {
      const total = r.integer(c, cat, "total", { min: 0, max: 10_000 });
      const busy = r.integer(c, cat, "busy", { min: 0, max: 10_000 });
      if (total !== undefined && busy !== undefined && busy > total)
        r.fail([...cat, "busy"], `must be at most total (${total})`);
      pbx.rtpChannels = {
        ...(total === undefined ? {} : { total }),
        ...(busy === undefined ? {} : { busy }),
      };
    }
  }
  if (p.users !== undefined && p.users !== null) pbx.users = readUsers(r, p.users, [...at, "users"]);
  if (p.expertMode !== undefined && p.expertMode !== null) {
    const drift = readExpertMode(r, p.expertMode, [...at, "expertMode"]);
    if (drift) pbx.expertMode = drift;
  }
  return pbx;
}

function readUsers(r: ProblemReader, value: unknown, at: DocumentPath): ScenarioPbxUser[] {
  const list = r.sequence(value, at);
  if (list.length > MAX_USERS) r.fail(at, `at most ${MAX_USERS} users`);
  const seen = new Set<string>();
  const users: ScenarioPbxUser[] = [];
  list.slice(0, MAX_USERS).forEach((item, i) => {
    const uat = [...at, i];
    const u = r.mapping(item, uat, USER_KEYS, "a PBX user");
    if (!u) return;
    const callno = r.string(u, uat, "callno", { required: true, max: 21 });
    if (callno === undefined) return;
    if (!CALLNO.test(callno)) {
      r.fail([...uat, "callno"], "must be a call number (digits, optional +)");
      return;
    }
    if (seen.has(callno)) {
      r.fail([...uat, "callno"], `${callno} is listed twice`);
      return;
    }
    seen.add(callno);
    const user: Mutable<ScenarioPbxUser> = { callno };
    for (const key of ["firstName", "lastName", "emailAddress"] as const) {
      const text = r.string(u, uat, key, { max: 200, shape: "line" });
      if (text !== undefined) user[key] = text;
    }
    const licence = r.choice(u, uat, "licence", LICENCES);
    if (licence) user.licence = licence;
    const trusted = r.boolean(u, uat, "trustedExternal");
    if (trusted !== undefined) user.trustedExternal = trusted;
    const route = r.boolean(u, uat, "unifyPhoneRoute");
    if (route !== undefined) user.unifyPhoneRoute = route;
    users.push(user);
  });
  return users;
}

function readExpertMode(r: ProblemReader, value: unknown, at: DocumentPath): PbxExpertMode | undefined {
  const e = r.mapping(value, at, ["registrarPort", "domain", "transport"], "an Expert Mode change");
  if (!e) return undefined;
  const drift: Mutable<PbxExpertMode> = {};
  const port = r.integer(e, at, "registrarPort", { min: 1, max: 65_535 });
  if (port !== undefined) drift.registrarPort = port;
  const domain = r.string(e, at, "domain", { max: 253, shape: "token" });
  if (domain !== undefined) drift.domain = domain;
  const transport = r.choice(e, at, "transport", ["tls", "tcp"] as const);
  if (transport) drift.transport = transport;
  if (Object.keys(e).length === 0) r.fail(at, "name what drifts: registrarPort, domain or transport");
  return drift;
}

function readActions(r: ProblemReader, value: unknown, at: DocumentPath): ScenarioPbxAction[] {
  if (value === undefined || value === null) return [];
  const list = r.sequence(value, at);
  if (list.length > MAX_ACTIONS) r.fail(at, `at most ${MAX_ACTIONS} actions`);
  const actions: ScenarioPbxAction[] = [];
  list.slice(0, MAX_ACTIONS).forEach((item, i) => {
    const aat = [...at, i];
    const a = r.mapping(item, aat, ACTIONS, "a PBX action");
    if (!a) return;
    const keys = Object.keys(a);
    if (keys.some((key) => !ACTIONS.includes(key))) return; // the mapping named it
    if (keys.length !== 1) {
      r.fail(aat, `one action per entry: ${ACTIONS.join(", ")}`);
      return;
    }
    const action = readAction(r, a, aat);
    if (action) actions.push(action);
  });
  return actions;
}

function readAction(r: ProblemReader, a: Fields, at: DocumentPath): ScenarioPbxAction | undefined {
  if ("expertModeChange" in a) {
    const drift = readExpertMode(r, a.expertModeChange, [...at, "expertModeChange"]);
    return drift && { expertModeChange: drift };
  }
  if ("publicAddressChange" in a) {
    const address = r.string(a, at, "publicAddressChange", { required: true, max: 15 });
    if (address === undefined) return undefined;
    const octets = LOOPBACK.exec(address);
    if (!octets || octets.slice(1).some((o) => Number(o) > 255)) {
      r.fail(
        [...at, "publicAddressChange"],
        "must be a loopback IPv4 address the mock can bind, e.g. 127.0.0.2",
      );
      return undefined;
    }
    return { publicAddressChange: address };
  }
  const oat = [...at, "occupyRtpChannels"];
  const o = r.mapping(a.occupyRtpChannels, oat, ["n", "kind"], "occupyRtpChannels");
  if (!o) return undefined;
  const n = r.integer(o, oat, "n", { min: 1, max: 10_000, required: true });
  const kind = r.choice(o, oat, "kind", CHANNEL_USES) ?? "itsp";
  return n === undefined ? undefined : { occupyRtpChannels: { n, kind } };
}
