import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { runPbxActions, scenarioPbxPlan } from "../composition/index.js";
import {
  type MediaMode,
  type MockBehaviour,
  MockConsole,
  MockOsbiz,
  type MockOsbizOptions,
  PBX_MODELS,
  type PbxModel,
  parseDrift,
  parseNumbering,
  parseUserSpec,
} from "../mock-osbiz/index.js";
import { ScenarioCatalog, type ScenarioPbxAction } from "../scenarios/index.js";

export const MOCK_OSBIZ_USAGE = [
  "Usage: unify-phone-emulator mock-osbiz --url https://host:8443 --api-key KEY [options]",
  "",
  "A stand-in OpenScape Business: provisions its system with the API key, registers the trunk",
  "over TLS, answers calls per --behaviour, and takes commands on stdin (type 'help').",
  "",
  "Options:",
  "  --url <url>                  the emulator's HTTPS base URL (required)",
  "  --api-key <key>              the tenant's API key (required unless --scenario seeds it)",
  "  --scenario <name|file>       the PBX of a scenario: its seed's API key and system, its pbx: section",
  "                               (users, model, channels, Expert Mode) and pbx.actions once registered;",
  "                               flags given as well win",
  "  --ca <file>                  CA certificate to trust (the emulator's certs/ca.pem)",
  "  --system-id <id>             system id for provisioning (default osbiz-mock)",
  "  --name <name>                system name (default Mock OSBiz)",
  "  --simultaneous-calls <n>     trunk lines to provision",
  "  --model <X1|X3|X5|X8|S>      system model: user limit and RTP channels (default X3)",
  "  --uplink-kbps <kbps>         upstream bandwidth: lines = kbps / 128 unless --simultaneous-calls",
  "  --rtp-channels <n>           RTP proxy channels (default 60, on S 180)",
  "  --rtp-busy <n>               of them held by ITSP calls from the start (default 0)",
  "  --user <callno[:k=v,…]>      a Unify Phone user of the PBX, repeatable, e.g. 2131:licence=none,trusted=false,route=off",
  "  --expert-mode <k=v,…>        Expert Mode drift after provisioning: port=…,domain=…,transport=tls|tcp",
  "  --numbering <c/a/p|internal> location number, e.g. 49/2302/667, or internal",
  "  --behaviour <mode>           answer | busy | reject | no-answer (default answer)",
  "  --ring-ms <ms>               ringing before the answer (default 1000)",
  "  --media <mode>               tone | echo | silence on answered calls (default tone)",
  "  --rtp-bind <address>         local address of the RTP sockets (default 0.0.0.0)",
  "  --rtp-ports <min-max>        RTP port range (default 30000-30999)",
  "  --expires <s>                Expires asked for in REGISTER (default: provisioned, 600)",
  "  --no-refer                   refuse REFER on trunk calls with 501 (console: refer on|off)",
  "  --no-answer-ms <ms>          a twinned call rings this long before forwardNoAns acts (default 15000)",
  "  -h, --help                   this text",
].join("\n");

const FLAGS = {
  url: { type: "string" },
  "api-key": { type: "string" },
  ca: { type: "string" },
  "system-id": { type: "string" },
  name: { type: "string" },
  "simultaneous-calls": { type: "string" },
  numbering: { type: "string" },
  behaviour: { type: "string" },
  "ring-ms": { type: "string" },
  media: { type: "string" },
  "rtp-bind": { type: "string" },
  "rtp-ports": { type: "string" },
  expires: { type: "string" },
  model: { type: "string" },
  "uplink-kbps": { type: "string" },
  "rtp-channels": { type: "string" },
  "rtp-busy": { type: "string" },
  user: { type: "string", multiple: true },
  "expert-mode": { type: "string" },
  scenario: { type: "string" },
  "no-refer": { type: "boolean" },
  "no-answer-ms": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const BEHAVIOURS: readonly string[] = ["answer", "busy", "reject", "no-answer"];
const MEDIA: readonly string[] = ["tone", "echo", "silence"];

/** The library options a command line asks for (without `log`), with a scenario's PBX actions. */
export type MockOsbizArgs = MockOsbizOptions & { readonly actions?: readonly ScenarioPbxAction[] };

/** The library options a command line asks for (without `log`), or "help". */
export function parseMockOsbizArgs(argv: readonly string[]): MockOsbizArgs | "help" {
  const { values } = parseArgs({ args: [...argv], options: FLAGS, allowPositionals: false, strict: true });
  if (values.help) return "help";
  if (!values.url)
    throw new Error("--url is required (the emulator's HTTPS URL, e.g. https://127.0.0.1:8443)");
  if (!values["api-key"] && values.scenario === undefined)
    throw new Error("--api-key is required (the tenant's API key)");
  const mode = values.behaviour ?? "answer";
  if (!BEHAVIOURS.includes(mode)) throw new Error(`--behaviour "${mode}": use ${BEHAVIOURS.join(", ")}`);
  const behaviour: MockBehaviour = { mode: mode as MockBehaviour["mode"] };
  if (values["ring-ms"] !== undefined) behaviour.ringMs = count("--ring-ms", values["ring-ms"]);
  if (values.media !== undefined) {
    if (!MEDIA.includes(values.media)) throw new Error(`--media "${values.media}": use ${MEDIA.join(", ")}`);
    behaviour.media = values.media as MediaMode;
  }
  const rtp: NonNullable<MockOsbizOptions["rtp"]> = {};
  if (values["rtp-bind"] !== undefined) rtp.bind = values["rtp-bind"];
  if (values["rtp-ports"] !== undefined) {
    const m = /^(\d+)-(\d+)$/.exec(values["rtp-ports"]);
    if (!m) throw new Error(`--rtp-ports "${values["rtp-ports"]}": use min-max, e.g. 30000-30999`);
    rtp.portRange = { min: Number(m[1]), max: Number(m[2]) };
  }
  // Without --api-key, --scenario supplies it (withScenario).
  const options: MockOsbizOptions = { url: values.url, apiKey: values["api-key"] ?? "", behaviour, rtp };
  if (values.ca !== undefined) options.ca = readFileSync(values.ca);
  if (values["system-id"] !== undefined) options.systemId = values["system-id"];
  if (values.name !== undefined) options.name = values.name;
  if (values["simultaneous-calls"] !== undefined)
    options.simultaneousCalls = count("--simultaneous-calls", values["simultaneous-calls"]);
  if (values.numbering !== undefined) options.numbering = parseNumbering(values.numbering);
  if (values.expires !== undefined) options.expires = count("--expires", values.expires);
  if (values["no-refer"]) options.refer = false;
  if (values["no-answer-ms"] !== undefined)
    options.noAnswerMs = count("--no-answer-ms", values["no-answer-ms"]);
  if (values.model !== undefined) {
    if (!(PBX_MODELS as readonly string[]).includes(values.model))
      throw new Error(`--model "${values.model}": use ${PBX_MODELS.join(", ")}`);
    options.model = values.model as PbxModel;
  }
  if (values["uplink-kbps"] !== undefined) options.uplinkKbps = count("--uplink-kbps", values["uplink-kbps"]);
  if (values["rtp-channels"] !== undefined || values["rtp-busy"] !== undefined) {
    options.rtpChannels = {};
    if (values["rtp-channels"] !== undefined)
      options.rtpChannels.total = count("--rtp-channels", values["rtp-channels"]);
    if (values["rtp-busy"] !== undefined) options.rtpChannels.busy = count("--rtp-busy", values["rtp-busy"]);
  }
  if (values.user !== undefined)
    options.users = values.user.map((u) => flagged("--user", () => parseUserSpec(u)));
  if (values["expert-mode"] !== undefined) {
    const text = values["expert-mode"];
    options.expertMode = flagged("--expert-mode", () => parseDrift([text]));
  }
  return values.scenario === undefined ? options : withScenario(options, values.scenario, values["api-key"]);
}

/** A scenario's PBX under the flags: the flags given win, the scenario fills in the rest. */
function withScenario(
  options: MockOsbizOptions,
  scenario: string,
  apiKey: string | undefined,
): MockOsbizArgs {
  const plan = scenarioPbxPlan(new ScenarioCatalog().resolve(scenario));
  if (!plan) throw new Error(`--scenario ${scenario}: its seed has no PBX system`);
  const key = apiKey ?? plan.apiKey;
  if (!key) throw new Error(`--scenario ${scenario}: its seed sets no API key; give --api-key`);
  return { ...plan.options, ...options, apiKey: key, actions: plan.actions };
}

/** A parser's RangeError, named after the flag. */
function flagged<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new Error(`${flag}: ${(error as Error).message}`);
  }
}

function count(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`${flag} "${text}": want a whole number`);
  return Number(text);
}

function timestamp(): string {
  return new Date().toISOString().slice(11, 23);
}

/**
 * `unify-phone-emulator mock-osbiz …`: runs a MockOsbiz, logs each step to stdout, reads
 * console commands from stdin until `quit`, SIGINT or SIGTERM, then unregisters and returns.
 * Wrong flags exit 2, a failed start (provisioning, TLS, registration) exits 1.
 */
export async function mockOsbizCommand(argv: string[]): Promise<void> {
  let options: MockOsbizArgs | "help";
  try {
    options = parseMockOsbizArgs(argv);
  } catch (error) {
    process.stderr.write(`mock-osbiz: ${(error as Error).message}\n\n${MOCK_OSBIZ_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (options === "help") {
    process.stdout.write(`${MOCK_OSBIZ_USAGE}\n`);
    return;
  }
  const log = (line: string) => process.stdout.write(`${timestamp()} ${line}\n`);
  const { actions = [], ...mockOptions } = options;
  let mock: MockOsbiz;
  try {
    mock = await MockOsbiz.start({ ...mockOptions, log });
  } catch (error) {
    process.stderr.write(`mock-osbiz: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  await runPbxActions(mock, actions, log);
  const commands = new MockConsole(mock, log);
  await new Promise<void>((resolve) => {
    // The mock's timers are unref'd (a library must not hold a test process open): with stdin
    // closed, nothing else would keep the process alive while it waits to reconnect.
    const keepAlive = setInterval(() => {}, 2 ** 30);
    const input = createInterface({ input: process.stdin, terminal: false });
    let queue = Promise.resolve();
    let finished = false;
    const finish = (why: string) => {
      if (finished) return;
      finished = true;
      clearInterval(keepAlive);
      input.close();
      process.off("SIGINT", finish);
      process.off("SIGTERM", finish);
      log(`${why}: hanging up, unregistering`);
      void mock.stop().then(resolve, resolve);
    };
    input.on("line", (line) => {
      queue = queue.then(async () => {
        if (!finished && (await commands.execute(line)) === "quit") finish("quit");
      });
    });
    process.on("SIGINT", finish);
    process.on("SIGTERM", finish);
    // Announce readiness only once the signal handlers are in place: whoever waits for this
    // line may signal at once, and the write can complete before the next statement runs.
    log(`ready: ${mock.system.trunkId} registered; type "help" for the commands`);
  });
}
