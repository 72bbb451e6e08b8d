import type { Logger } from "pino";
import type { EmulatorConfig } from "../config/index.js";
import type { MockOsbiz, MockOsbizOptions } from "../mock-osbiz/index.js";
import { type Scenario, ScenarioCatalog, type ScenarioPbxAction } from "../scenarios/index.js";
import type { Store } from "../store/index.js";
import type { Cleanup } from "./cleanup.js";

/** What the PBX of a scenario is: the mock's options without where the emulator is, and its actions. */
export interface ScenarioPbxPlan {
  readonly tenant: string;
  /** `pbx.apiKey`, else the seed's; undefined when the seed lets the emulator generate the key. */
  readonly apiKey: string | undefined;
  readonly options: Omit<MockOsbizOptions, "url" | "apiKey" | "ca">;
  readonly actions: readonly ScenarioPbxAction[];
}

/** The embedded mock OSBiz as the banner and close() see it. */
export interface ScenarioPbx {
  /** One line: what runs (or why it does not). */
  readonly summary: string;
  readonly mock: MockOsbiz | undefined;
  stop(): Promise<void>;
}

/**
 * The PBX a scenario describes: the first seeded tenant with a system (its API key, system id
 * and name — numbering and lines stay as provisioned) and the scenario's `pbx:` section.
 * Undefined when the scenario seeds no PBX system.
 */
export function scenarioPbxPlan(scenario: Scenario): ScenarioPbxPlan | undefined {
  const tenant = scenario.seed?.tenants.find((t) => t.systems.length > 0);
  const system = tenant?.systems[0];
  if (!tenant || !system) return undefined;
  const pbx = scenario.pbx;
  const options: ScenarioPbxPlan["options"] = {
    systemId: system.systemId,
    ...(system.name === undefined ? {} : { name: system.name }),
    ...(pbx?.model === undefined ? {} : { model: pbx.model }),
    ...(pbx?.uplinkKbps === undefined ? {} : { uplinkKbps: pbx.uplinkKbps }),
    ...(pbx?.rtpChannels === undefined ? {} : { rtpChannels: { ...pbx.rtpChannels } }),
    ...(pbx?.users === undefined ? {} : { users: pbx.users.map((u) => ({ ...u })) }),
    ...(pbx?.expertMode === undefined ? {} : { expertMode: { ...pbx.expertMode } }),
  };
  return { tenant: tenant.name, apiKey: pbx?.apiKey ?? tenant.apiKey, options, actions: pbx?.actions ?? [] };
}

/** Runs a scenario's PBX actions on a registered mock, in order; a failing one is logged and the rest still run. */
export async function runPbxActions(
  mock: MockOsbiz,
  actions: readonly ScenarioPbxAction[],
  log: (line: string) => void,
): Promise<void> {
  for (const action of actions) {
    try {
      if ("expertModeChange" in action) {
        log(`scenario action: Expert Mode change ${JSON.stringify(action.expertModeChange)}`);
        await mock.applyExpertModeChange(action.expertModeChange);
      } else if ("publicAddressChange" in action) {
        log(`scenario action: public address change to ${action.publicAddressChange}`);
        await mock.changePublicAddress(action.publicAddressChange);
      } else {
        const { n, kind } = action.occupyRtpChannels;
        log(`scenario action: ${n} RTP proxy channels taken by ${kind} calls`);
        mock.occupyRtpChannels(n, kind);
      }
    } catch (error) {
      log(`scenario action failed: ${(error as Error).message}`);
    }
  }
}

/** RTP ports of the embedded mock: the block just above the emulator's own (at most 1000). */
export function mockRtpPorts(emulator: { min: number; max: number }): { min: number; max: number } {
  const min = Math.min(emulator.max + 1, 65_534);
  return { min, max: Math.min(min + Math.min(999, emulator.max - emulator.min), 65_535) };
}

/**
 * `--mock-osbiz`: a mock OSBiz in this process, provisioned and registered against this
 * emulator as the startup scenario describes it, then its `pbx.actions`. A mock that cannot
 * start (provisioning refused, TLS, REGISTER) is the scenario's symptom, not a failed start:
 * it is logged and named in the banner.
 */
export async function startScenarioPbx(
  config: EmulatorConfig,
  deps: {
    store: Store;
    url: string;
    ca: string | undefined;
    log: Logger;
    cleanup: Cleanup;
  },
): Promise<ScenarioPbx> {
  const none = (summary: string): ScenarioPbx => ({ summary, mock: undefined, stop: async () => {} });
  if (!config.scenario)
    return none("not started: --mock-osbiz takes its PBX from --scenario, and none is given");
  const scenario = new ScenarioCatalog().resolve(config.scenario);
  const plan = scenarioPbxPlan(scenario);
  if (!plan) return none(`not started: scenario ${scenario.name} seeds no PBX system`);
  // The key as stored: the seed may have let the emulator generate it.
  const apiKey = plan.apiKey ?? deps.store.tenants.list().find((t) => t.name === plan.tenant)?.apiKey;
  if (!apiKey) return none(`not started: tenant ${plan.tenant} has no API key`);
  const log = deps.log.child({ component: "mock-osbiz" });
  const line = (text: string) => log.info(text);
  const bind = config.bind === "0.0.0.0" || config.bind === "::" ? "127.0.0.1" : config.bind;
  let mock: MockOsbiz;
  try {
    // Loaded only with --mock-osbiz: every start would otherwise pay for importing the mock.
    const { MockOsbiz } = await import("../mock-osbiz/index.js");
    mock = await MockOsbiz.start({
      url: deps.url,
      apiKey,
      ...(deps.ca === undefined ? {} : { ca: deps.ca }),
      ...plan.options,
      rtp: { bind, portRange: mockRtpPorts(config.rtpPorts) },
      log: line,
    });
  } catch (error) {
    const why = (error as Error).message;
    log.warn(`mock OSBiz did not start: ${why}`);
    return none(`failed: ${why}`);
  }
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= mock.stop();
    return stopping;
  };
  deps.cleanup.add(stop);
  await runPbxActions(mock, plan.actions, line);
  const state = mock.registered ? `registered as ${mock.system.sip.username}` : "not registered";
  return {
    summary: `system ${plan.options.systemId} of ${plan.tenant}, ${state} (scenario ${scenario.name})`,
    mock,
    stop,
  };
}
