import { startEmulator } from "../app.js";
import { optionsFromSources } from "../config/index.js";
import { banner } from "./banner.js";
import type { CommandLine } from "./parse-command-line.js";

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
