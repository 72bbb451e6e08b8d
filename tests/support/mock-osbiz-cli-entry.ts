// Test-only entry: runs the mock-osbiz command as `unify-phone-emulator mock-osbiz` would.
import { mockOsbizCommand } from "../../src/cli/mock-osbiz-command.js";

await mockOsbizCommand(process.argv.slice(2));
// As src/main.ts does: a finished command ends the process.
process.exit(process.exitCode ?? 0);
