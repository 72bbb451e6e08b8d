export { certsCommand } from "./certs-command.js";
/** `mock-osbiz`: loaded when that command runs, so starting the emulator does not import the mock. */
export async function mockOsbizCommand(argv: string[]): Promise<void> {
  const command = await import("./mock-osbiz-command.js");
  await command.mockOsbizCommand(argv);
}
export { parseCommandLine, usage } from "./parse-command-line.js";
export { startCommand } from "./start-command.js";
