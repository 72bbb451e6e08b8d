import type { EmulatorHandle } from "../../../src/index.js";
import { httpClient } from "../../support/http.js";
import { until } from "../../support/until.js";

/** A call as `GET /api/admin/calls` shows it (the fields the interop tests read). */
export interface JournalCall {
  id: string;
  direction: string;
  state: string;
  onHold: boolean;
  finalStatus: number | null;
  hangupCause: string | null;
  endedBy: string | null;
  events: Array<{ type: string; detail?: string }>;
  dtmf: Array<{ digit: string; via: string }>;
  legs: Array<{ kind: string; callId: string }>;
  media: {
    stats: {
      packetsSent: number;
      packetsReceived: number;
      /** RTCP: `lastReport` is the peer's latest report block about the emulator's stream. */
      rtcp?: { received: number; lastReport: { fractionLost: number; cumulativeLost: number } | null };
    };
  } | null;
}

export interface TraceEntry {
  kind: string;
  event?: string;
  direction?: "in" | "out";
  connectionId?: string;
  local?: { address: string; port: number };
  peer?: { address: string; port: number };
  message?: string;
  summary?: { method?: string; status?: number; callId?: string; cseq?: string };
}

/** The admin REST API as the interop tests use it: the call journal and the SIP trace. */
export function adminApi(emulator: EmulatorHandle) {
  const http = httpClient(emulator);
  const calls = async (): Promise<JournalCall[]> => {
    const answer = await http.admin("GET", "/api/admin/calls");
    if (answer.status !== 200) throw new Error(`GET /api/admin/calls: ${answer.status} ${answer.text}`);
    return answer.body;
  };
  const describe = (call: JournalCall | undefined) =>
    call
      ? JSON.stringify({ ...call, events: call.events.map((e) => `${e.type} ${e.detail ?? ""}`) })
      : "no call";
  return {
    http,
    calls,
    call: async (id: string) => (await calls()).find((c) => c.id === id),
    /** Polls the journal until a call satisfies `ok`; returns it. */
    async waitForCall(
      ok: (call: JournalCall) => boolean,
      what: string,
      limitMs = 15_000,
      extra: () => string = () => "",
    ): Promise<JournalCall> {
      let found: JournalCall | undefined;
      let last: JournalCall | undefined;
      await until(
        async () => {
          const all = await calls();
          last = all[0];
          found = all.find(ok);
          return found !== undefined;
        },
        () => `${what}; newest call: ${describe(last)}\n${extra()}`,
        limitMs,
      );
      return found!;
    },
    async trace(query = ""): Promise<TraceEntry[]> {
      const answer = await http.admin("GET", `/api/admin/trace${query}`);
      if (answer.status !== 200) throw new Error(`GET /api/admin/trace: ${answer.status} ${answer.text}`);
      return answer.body.entries;
    },
    async pcap(query = ""): Promise<Buffer> {
      const { request, Agent } = await import("undici");
      const res = await request(`${emulator.urls.https}/api/admin/trace?format=pcap${query}`, {
        headers: { authorization: `Bearer ${emulator.adminToken}` },
        dispatcher: new Agent({ connect: { ca: emulator.certificates.caCertPem! } }),
      });
      if (res.statusCode !== 200) throw new Error(`pcap export: ${res.statusCode} ${await res.body.text()}`);
      return Buffer.from(await res.body.arrayBuffer());
    },
    describe,
  };
}
