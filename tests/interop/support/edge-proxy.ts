import type { EmulatorHandle } from "../../../src/index.js";
import { startTestEmulator, TRUNK } from "../../support/emulator.js";
import { until } from "../../support/until.js";
import { startBaresip } from "./baresip.js";
import { adminApi } from "./journal.js";
import { type KamailioPbx, startKamailio } from "./kamailio.js";
import { freePort } from "./ports.js";

export const EDGE_SEED = `
tenants:
  - name: Acme
    systems:
      - systemId: osbiz-1
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
      - { emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", system: osbiz-1 }
      - { emailAddress: bo@acme.test, firstName: Bo, lastName: Bee, locale: de-DE, callno: "2132", system: osbiz-1 }
`;

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

export async function startEdgeProxy(adminToken: string): Promise<EdgeProxySetup> {
  const emulator = await startTestEmulator({ seedText: EDGE_SEED, adminToken });
  let kamailio: KamailioPbx | undefined;
  let phone: ReturnType<typeof startBaresip> | undefined;
  const stop = async () => {
    await phone?.stop();
    await kamailio?.stop();
    await emulator.close();
  };
  try {
    const phonePort = await freePort();
    kamailio = await startKamailio({
      emulatorSipPort: emulator.ports.sip,
      caPath: emulator.certificates.caCertPath!,
      phonePort,
    });
    // The phone registers nowhere (Kamailio routes to it statically) and answers by itself.
    // No outbound proxy (libre would preload a Route to Kamailio): its calls are addressed to
    // Kamailio, and its ACK, BYE, re-INVITE reach the emulator through Kamailio only if the
    // emulator's 2xx carries Kamailio's Record-Route.
    phone = startBaresip({
      port: phonePort,
      account: "<sip:pbxphone@127.0.0.1>;regint=0;answermode=auto",
      name: "baresip (phone behind Kamailio)",
    });
    const k = kamailio;
    const p = phone;
    await p.waitFor(/baresip is ready/, "start-up");
    await until(
      () => emulator.bindings().length > 0,
      () => `uac_reg registration through Kamailio\n${k.peer.tail()}`,
      20_000,
    );
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
