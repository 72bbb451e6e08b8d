import { EmulatorClient, type SystemJson } from "../rest-client/index.js";
import type { MockOsbizOptions, ResolvedMockOptions } from "./mock-options.js";

/**
 * The connectivity wizard's "automatic configuration" (SPEC §1): POST the system with the
 * tenant's API key; the answer names the trunk, its SIP credentials and where to register.
 */
export async function provisionSystem(
  options: MockOsbizOptions,
  resolved: ResolvedMockOptions,
): Promise<SystemJson> {
  const client = new EmulatorClient({
    baseUrl: options.url,
    apiKey: options.apiKey,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
  try {
    const system = await client.connector.provision({
      systemId: resolved.systemId,
      name: resolved.name,
      version: "mock-osbiz",
      ...(resolved.simultaneousCalls === undefined ? {} : { simultaneousCalls: resolved.simultaneousCalls }),
      ...(options.numbering === undefined ? {} : { numbering: options.numbering }),
    });
    const { sip } = system;
    if (options.simultaneousCalls === undefined && resolved.simultaneousCalls !== undefined)
      resolved.log(
        `${options.uplinkKbps} kbps upstream: ${resolved.simultaneousCalls} simultaneous Unify Phone calls (${resolved.rtpChannels.total} RTP channels)`,
      );
    resolved.log(
      `provisioned ${system.trunkId} as ${sip.username} (SIP ${sip.host}:${sip.port} over TLS, domain ${sip.domain}, ${system.simultaneousCalls} lines)`,
    );
    return system;
  } finally {
    await client.close();
  }
}
