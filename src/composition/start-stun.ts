import type { Logger } from "pino";
import type { EmulatorConfig } from "../config/index.js";
import type { Readiness } from "../shared/readiness.js";
import { StunServer } from "../stun/index.js";
import type { Cleanup } from "./cleanup.js";

/** The STUN server the provisioning advertises (`--stun-port`); null when disabled. */
export async function startStun(
  config: EmulatorConfig,
  env: { log: Logger; readiness: Readiness; cleanup: Cleanup },
): Promise<number | null> {
  if (config.stunPort === null) {
    env.readiness.set("stun", "disabled");
    return null;
  }
  const stun = new StunServer({
    log: (event, detail) => env.log.debug({ ...detail }, `stun: ${event}`),
    rateLimit: { perSecond: config.stunRateLimit },
  });
  env.cleanup.add(() => stun.close());
  const port = (await stun.listen({ host: config.bind, port: config.stunPort })).port;
  env.readiness.set("stun", "up", `udp ${port}`);
  return port;
}
