#!/usr/bin/env node
import { certsCommand, mockOsbizCommand, parseCommandLine, startCommand, usage } from "./cli/index.js";
import { ConfigError } from "./config/index.js";

const COMMANDS: Record<
  string,
  { flags?: Record<string, { type: "string" | "boolean" }>; run: typeof startCommand }
> = {
  start: { run: startCommand },
  certs: { flags: { force: { type: "boolean" } }, run: certsCommand },
};

async function main(argv: string[]): Promise<void> {
  // The command, when given, comes first: `unify-phone-emulator certs --force`.
  const name = argv[0] !== undefined && !argv[0].startsWith("-") ? argv[0] : "start";
  const args = name === argv[0] ? argv.slice(1) : argv;
  // The mock OSBiz has flags of its own (--url, --api-key), not the emulator's settings.
  if (name === "mock-osbiz") {
    await mockOsbizCommand(args);
    // Done: its keep-alive HTTP and SIP sockets must not hold the process any longer.
    process.exit(process.exitCode ?? 0);
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${usage()}\n`);
    process.exit(2);
  }
  const commandLine = parseCommandLine(name, args, command.flags);
  if (commandLine.help) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  await command.run(commandLine);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // Errors the user can fix get one line; anything else is a bug and gets its stack.
  const code = err instanceof Error && "code" in err ? String(err.code) : "";
  const known =
    err instanceof ConfigError ||
    /^(ERR_PARSE_ARGS\w*|EADDRINUSE|EACCES|EADDRNOTAVAIL|ENOENT|seed_invalid|scenario_invalid|scenario_not_found|fault_invalid)$/.test(
      code,
    );
  process.stderr.write(
    `unify-phone-emulator: ${known ? (err as Error).message : String((err as Error)?.stack ?? err)}\n`,
  );
  process.exit(known ? 2 : 1);
});
