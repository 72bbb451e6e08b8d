import type { EmulatorHandle, StartOptions } from "../../../src/index.js";
import { acmeSeed } from "../../support/acme-seed.js";
import { startTestEmulator } from "../../support/emulator.js";
import { until } from "../../support/until.js";
import { startBaresip } from "./baresip.js";
import { adminApi } from "./journal.js";
import { type KamailioPbx, startKamailio } from "./kamailio.js";
import { freePort } from "./ports.js";

export const EDGE_SEED = acmeSeed(
  '{ emailAddress: bo@acme.test, firstName: Bo, lastName: Bee, locale: de-DE, callno: "2132", system: osbiz-1 }',
);

/** The emulator, Kamailio registered to it as the PBX's edge, and a baresip phone behind Kamailio. */
export interface EdgeProxySetup {
  emulator: EmulatorHandle;
  kamailio: KamailioPbx;
  phone: ReturnType<typeof startBaresip>;
  api: ReturnType<typeof adminApi>;
  /** The URI the phone dials to reach `number` through Kamailio. */
  dialUri(number: string): string;
  /** Everything the peers printed, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Runs `start` again (at most 3 times) when the peer could not bind the port picked for it:
 * another process may take a free port between the check and the peer's bind.
 */
async function retryOnPortClash<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/.test(String(error))) throw error;
    }
  }
}

export async function startEdgeProxy(
  adminToken: string,
  options: StartOptions = {},
): Promise<EdgeProxySetup> {
  const emulator = await startTestEmulator({ seedText: EDGE_SEED, adminToken, ...options });
  let kamailio: KamailioPbx | undefined;
  let phone: ReturnType<typeof startBaresip> | undefined;
  const stop = async () => {
    await phone?.stop();
    await kamailio?.stop();
    await emulator.close();
  };
  try {
    // The phone registers nowhere (Kamailio routes to it statically) and answers by itself.
    // No outbound proxy (libre would preload a Route to Kamailio): its calls are addressed to
    // Kamailio, and its ACK, BYE, re-INVITE reach the emulator through Kamailio only if the
    // emulator's 2xx carries Kamailio's Record-Route.
    const p = await retryOnPortClash(async () => {
      await phone?.stop();
      const port = await freePort({ withNext: true });
      phone = startBaresip({
        port,
        account: "<sip:pbxphone@127.0.0.1>;regint=0;answermode=auto",
        name: "baresip (phone behind Kamailio)",
      });
      await phone.waitFor(/baresip is ready/, "start-up");
      return phone;
    });
    const k = await retryOnPortClash(async () => {
      await kamailio?.stop();
      const started = await startKamailio({
        emulatorSipPort: emulator.ports.sip,
        caPath: emulator.certificates.caCertPath!,
        phonePort: p.port,
      });
      kamailio = started;
      await until(
        () => emulator.bindings().length > 0 || started.peer.exited,
        () => `uac_reg registration through Kamailio\n${started.peer.tail()}`,
        20_000,
      );
      if (started.peer.exited) throw new Error(`kamailio exited:\n${started.peer.tail()}`);
      return started;
    });
    return {
      emulator,
      kamailio: k,
      phone: p,
      api: adminApi(emulator),
      dialUri: (number) => `sip:${number}@127.0.0.1:${k.udpPort}`,
      logs: () => `--- kamailio ---\n${k.peer.tail(5000)}\n--- phone ---\n${p.tail(5000)}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
