import { startEmulator } from "../app.js";
import { optionsFromSources } from "../config/index.js";
import { banner } from "./banner.js";
import type { CommandLine } from "./parse-command-line.js";

/** How long past --shutdown-grace the process may take to close the rest (HTTP, store). */
const SHUTDOWN_MARGIN_MS = 3000;

/** `unify-phone-emulator start`: run until SIGINT/SIGTERM, then shut down cleanly. */
export async function startCommand(commandLine: CommandLine): Promise<void> {
  const handle = await startEmulator(optionsFromSources(process.env, commandLine.flags));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`${signal}: shutting down (finishing transactions, closing connections)\n`);
    // close() ends within the grace by itself; this only guards against a bug keeping it open,
    // so that `docker stop` never has to SIGKILL.
    setTimeout(() => {
      process.stderr.write("shutdown did not finish: exiting\n");
      process.exit(1);
    }, handle.config.shutdownGraceMs + SHUTDOWN_MARGIN_MS).unref();
    handle.close().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  // The banner ends with the ready line: print it only once a signal would be handled.
  process.stdout.write(banner(handle));
}
