import { runDeskCommand } from "./desk-console.js";
import type { DeskPhone } from "./desk-phone.js";
import type { MockMailbox } from "./mailbox.js";
import type { DtmfVia, MockCall } from "./mock-call.js";
import type { MockOsbiz } from "./mock-osbiz.js";
import { runMwiCommand } from "./mwi-console.js";
import { parseDrift, parseUserFields, parseUserSpec } from "./pbx-spec.js";
import { describeUser } from "./pbx-users.js";
import { isRtpLoad, type RtpLoad } from "./rtp-channels.js";

/** What the console uses of a call (structural, so tests can script it). */
export type ConsoleCall = Pick<
  MockCall,
  | "id"
  | "direction"
  | "from"
  | "to"
  | "state"
  | "status"
  | "reason"
  | "endCause"
  | "onHold"
  | "active"
  | "media"
  | "dtmf"
  | "hangup"
  | "hold"
  | "retrieve"
  | "sendDtmf"
  | "transfer"
>;

/** What the console uses of the mock. */
export interface ConsoleMock
  extends Pick<
    MockOsbiz,
    | "users"
    | "addUser"
    | "updateUser"
    | "removeUser"
    | "occupyRtpChannels"
    | "releaseRtpChannels"
    | "rtpChannelsInUse"
    | "applyExpertModeChange"
    | "changePublicAddress"
  > {
  readonly calls: readonly ConsoleCall[];
  readonly registered: boolean;
  readonly system: Pick<MockOsbiz["system"], "trunkId" | "sip">;
  call(to: string): Promise<unknown>;
  /** The user's voicemail box (absent: the console has no `mwi` command). */
  mailbox?(callno: string): Pick<MockMailbox, "set" | "number">;
  /** The user's virtual desk phone (absent: the console has no `desk` command). */
  deskPhone?(callno: string): DeskPhone;
  /** Whether REFER on trunk calls is taken (absent: the console has no `refer` command). */
  referEnabled?: boolean;
}

export const CONSOLE_HELP = [
  "commands:",
  "  call <number>              call a number through the trunk",
  "  hangup [id]                hang up (the latest active call without id)",
  "  hold [id] / retrieve [id]  re-INVITE sendonly / sendrecv",
  "  dtmf <digits> [id] [info]  send DTMF (RFC 4733, or SIP INFO with 'info')",
  "  transfer <number> [id]     blind transfer (REFER)",
  "  calls                      list the calls",
  "  status                     registration and trunk",
  "  users                      the PBX's Unify Phone users and their flags",
  "  user add <callno> [k=v…]   add a user (licence=valid|none|expired trusted=… route=on|off)",
  "  user <callno> k=v…         change a user, e.g. user 2131 licence=expired",
  "  user remove <callno>       remove a user from the PBX",
  "  desk <callno> [ring <from>|answer|hangup|hold|retrieve|deflect <n>|transfer [<n>]|call <n>|consult <n>|alternate|dnd on|off|forward <n>|off]",
  "                             the user's desk phone (its state without an action; transfer without a number joins the held and active calls)",
  "  refer on|off               take REFER on trunk calls, or refuse it with 501",
  "  mwi <callno> <new>/<old>   set the user's voicemail counts: a message-summary NOTIFY, e.g. mwi 2131 2/5",
  "  rtp [occupy|release <n> itsp|device-at-home]  RTP proxy channels",
  "  expert port=… domain=… transport=tls|tcp  an Expert Mode change of the trunk",
  "  public-ip <local address>  reconnect from another address (e.g. 127.0.0.2)",
  "  quit                       unregister and exit",
];

/**
 * The mock's stdin control: one command per line. Calls are placed in the background
 * (their progress is logged), every other command finishes before `execute` resolves.
 */
export class MockConsole {
  constructor(
    private readonly mock: ConsoleMock,
    private readonly print: (line: string) => void,
  ) {}

  /** Runs one line; "quit" when the user wants to leave. */
  async execute(line: string): Promise<"quit" | undefined> {
    const [command = "", ...args] = line.trim().split(/\s+/);
    try {
      switch (command.toLowerCase()) {
        case "":
          return undefined;
        case "quit":
        case "exit":
          return "quit";
        case "help":
          for (const text of CONSOLE_HELP) this.print(text);
          return undefined;
        case "call":
          this.placeCall(this.required(args[0], "call <number>"));
          return undefined;
        case "hangup":
          await this.target(args[0]).hangup();
          return undefined;
        case "hold":
          await this.target(args[0]).hold();
          return undefined;
        case "retrieve":
          await this.target(args[0]).retrieve();
          return undefined;
        case "dtmf":
          await this.dtmf(args);
          return undefined;
        case "transfer": {
          const to = this.required(args[0], "transfer <number> [id]");
          const result = await this.target(args[1]).transfer(to);
          this.print(`transfer to ${to}: ${result.status} ${result.reason}`);
          return undefined;
        }
        case "calls":
          if (this.mock.calls.length === 0) this.print("no calls");
          for (const call of this.mock.calls) this.print(describeCall(call));
          return undefined;
        case "status":
          this.print(this.status());
          return undefined;
        case "users":
          if (this.mock.users().length === 0) this.print("no users");
          for (const user of this.mock.users()) this.print(describeUser(user));
          return undefined;
        case "user":
          this.user(args);
          return undefined;
        case "rtp":
          this.rtp(args);
          return undefined;
        case "desk": {
          const mock = this.mock;
          if (!mock.deskPhone) throw new Error("no desk phones on this PBX");
          runDeskCommand((callno) => mock.deskPhone!(callno), args, this.print);
          return undefined;
        }
        case "mwi": {
          const mock = this.mock;
          if (!mock.mailbox) throw new Error("no mailboxes on this PBX");
          await runMwiCommand((callno) => mock.mailbox!(callno), args, this.print);
          return undefined;
        }
        case "refer": {
          const on = args[0]?.toLowerCase();
          if ((on !== "on" && on !== "off") || this.mock.referEnabled === undefined)
            throw new Error("usage: refer on|off");
          this.mock.referEnabled = on === "on";
          this.print(`REFER on trunk calls ${on === "on" ? "taken" : "refused with 501"}`);
          return undefined;
        }
        case "expert":
          await this.mock.applyExpertModeChange(parseDrift(args));
          this.print(`Expert Mode change applied: ${this.mock.registered ? "registered" : "not registered"}`);
          return undefined;
        case "public-ip":
          await this.mock.changePublicAddress(this.required(args[0], "public-ip <local address>"));
          this.print(`registered from ${args[0]}`);
          return undefined;
        default:
          this.print(`unknown command "${command}" (help lists the commands)`);
          return undefined;
      }
    } catch (error) {
      this.print(`${command}: ${(error as Error).message}`);
      return undefined;
    }
  }

  private user(args: string[]): void {
    const [first = "", second, ...rest] = args;
    const usage = "user add <callno> [k=v…] | user <callno> k=v… | user remove <callno>";
    let callno = first;
    if (first === "add") {
      const user = parseUserSpec(this.required(second, usage));
      callno = user.callno;
      this.mock.addUser({ ...user, ...parseUserFields(rest) });
    } else if (first === "remove") {
      callno = this.required(second, usage);
      this.mock.removeUser(callno);
    } else {
      const fields = [second, ...rest].filter((a) => a !== undefined);
      if (!first || fields.length === 0) throw new Error(`usage: ${usage}`);
      this.mock.updateUser(first, parseUserFields(fields));
    }
    const user = this.mock.users().find((u) => u.callno === callno);
    this.print(user ? describeUser(user) : `user ${callno} removed`);
  }

  private rtp(args: string[]): void {
    const [action, count, kind = "itsp"] = args;
    if (action === "occupy" || action === "release") {
      const usage = `rtp ${action} <n> itsp|device-at-home`;
      const n = Number(this.required(count, usage));
      if (!isRtpLoad(kind)) throw new Error(`usage: ${usage}`);
      if (action === "occupy") this.mock.occupyRtpChannels(n, kind as RtpLoad);
      else this.mock.releaseRtpChannels(n, kind as RtpLoad);
    } else if (action !== undefined) {
      throw new Error("usage: rtp [occupy|release <n> itsp|device-at-home]");
    }
    const u = this.mock.rtpChannelsInUse();
    this.print(
      `RTP channels: ${u.itsp + u.deviceAtHome + u.unifyPhone}/${u.total} in use (ITSP ${u.itsp}, Device@Home ${u.deviceAtHome}, Unify Phone ${u.unifyPhone})`,
    );
  }

  private placeCall(to: string): void {
    this.mock.call(to).catch((error: Error) => this.print(`call to ${to}: ${error.message}`));
  }

  private async dtmf(args: string[]): Promise<void> {
    const digits = this.required(args[0], "dtmf <digits> [id] [info]");
    const rest = args.slice(1);
    const via: DtmfVia = rest.some((a) => a.toLowerCase() === "info") ? "info" : "rfc4733";
    const id = rest.find((a) => !/^(info|rfc4733)$/i.test(a));
    await this.target(id).sendDtmf(digits, via);
  }

  /** The call named by id, or the latest active one. */
  private target(id: string | undefined): ConsoleCall {
    const calls = this.mock.calls;
    if (id !== undefined) {
      const call = calls.find((c) => c.id === id);
      if (!call) throw new Error(`no call ${id}`);
      return call;
    }
    const latest = [...calls].reverse().find((c) => c.active);
    if (!latest) throw new Error("no active call");
    return latest;
  }

  private required(value: string | undefined, usage: string): string {
    if (value === undefined) throw new Error(`usage: ${usage}`);
    return value;
  }

  private status(): string {
    const { trunkId, sip } = this.mock.system;
    const active = this.mock.calls.filter((c) => c.active).length;
    const state = this.mock.registered ? "registered" : "not registered";
    return `${trunkId} (${sip.username}@${sip.domain}) ${state} at ${sip.host}:${sip.port}; ${active} active call(s)`;
  }
}

/** One line per call: id, direction, numbers, state, status, media counters, DTMF heard. */
export function describeCall(call: ConsoleCall): string {
  const parts = [`#${call.id} ${call.direction} ${call.from} -> ${call.to} ${call.state}`];
  if (call.status !== null) parts.push(`(${call.status}${call.reason ? ` ${call.reason}` : ""})`);
  if (call.onHold) parts.push("on hold");
  if (call.media) {
    const { packetsSent, packetsReceived } = call.media.stats;
    parts.push(`RTP sent ${packetsSent} received ${packetsReceived}`);
  }
  if (call.dtmf.length > 0) parts.push(`DTMF ${call.dtmf.map((d) => d.digit).join("")}`);
  if (!call.active && call.endCause) parts.push(`- ${call.endCause}`);
  return parts.join(" ");
}
