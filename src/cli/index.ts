export { certsCommand } from "./certs-command.js";
export { mockOsbizCommand } from "./mock-osbiz-command.js";
export { parseCommandLine, usage } from "./parse-command-line.js";
export { startCommand } from "./start-command.js";
