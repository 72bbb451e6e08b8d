// Test-only entry: runs the mock-osbiz command as `unify-phone-emulator mock-osbiz` would.
import { mockOsbizCommand } from "../../src/cli/mock-osbiz-command.js";

await mockOsbizCommand(process.argv.slice(2));
