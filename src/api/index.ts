export { buildHttpApp, type HttpDependencies } from "./http-server.js";
