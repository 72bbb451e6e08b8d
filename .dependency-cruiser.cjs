// Layering rule for src/ (run by `npm run depcheck`, part of `npm run lint` and so of CI).
// The picture is ARCHITECTURE.md's: layers only talk downward, each folder is reached through
// its index.ts, and the composition root (app.ts) is the only place that knows every module.
// tools/ and bench/ are cruised too, and use src/ through the same index.ts files; tests/
// drive internals on purpose (unit tests of one file) and are not.

// Tiers from the bottom up. A folder may import its own tier and the tiers below it, never a
// tier above (checked per tier below); cycles are ruled out separately.
const TIERS = [
  // Helpers with no domain logic: Clock, Listeners, ids, logger, untrusted-input reader.
  { name: "shared", folders: ["shared"] },
  // Leaf libraries: problem+json errors, the domain model, TLS certificates, the options
  // table, admin token / lockout. Today they import shared/ at most (domain/ not even that).
  { name: "leaves", folders: ["errors", "domain", "certs", "config", "auth"] },
  // Persistence of the domain (SQLite) and the seed file that fills it.
  { name: "store", folders: ["store", "seed"] },
  // The SIP stack, RFC 3261 bottom-up: one tier per layer.
  { name: "sip/message", folders: ["sip/message"] },
  { name: "sip/transport", folders: ["sip/transport"] },
  { name: "sip/transaction", folders: ["sip/transaction"] },
  { name: "sip/dialog", folders: ["sip/dialog"] },
  { name: "sip/core", folders: ["sip/core"] },
  // What sits on the SIP stack beside the calls: registrations, RTP, STUN, traces, faults.
  { name: "sip users", folders: ["registrar", "media", "stun", "traces", "faults"] },
  // Calls: PBX leg + user leg.
  { name: "b2bua", folders: ["b2bua"] },
  // Use cases over store, registrar and b2bua; webhooks listen to calls and connectors; cti is
  // the CSTA link to the PBX (its csta/ codec is pure and imports no SIP).
  { name: "services", folders: ["services", "webhooks", "cti"] },
  { name: "scenarios", folders: ["scenarios"] },
  // User-defined stubs (WireMock-style mappings) answering what no route or SIP handler takes.
  { name: "stubs", folders: ["stubs"] },
  { name: "api", folders: ["api"] },
  // Prometheus metrics: fed by the events and taps of the layers below (SIP, registrar, calls,
  // media, faults, webhooks, services); the API serves them through its own MetricsEndpoint type.
  { name: "metrics", folders: ["metrics"] },
  // Programs that talk to the emulator from outside (package exports): they may use its
  // SIP layers and the API's types, but nothing inside the emulator depends on them...
  { name: "clients", folders: ["rest-client", "phone-client", "mock-osbiz"] },
  // ...except the composition root (app.ts and its steps) and the command line, which know everything.
  { name: "composition", folders: ["composition", "cli"], files: ["app.ts", "index.ts", "main.ts"] },
];

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const tierPath = (tier) =>
  [
    ...tier.folders.map((folder) => `^src/${escapeRegExp(folder)}/`),
    ...(tier.files ?? []).map((file) => `^src/${escapeRegExp(file)}$`),
  ].join("|");

const layerRules = TIERS.slice(0, -1).map((tier, index) => ({
  name: `layer-${tier.name.replace(/[^a-z]+/g, "-")}`,
  comment: `${tier.folders.join(", ")} must not import a higher layer (${TIERS.slice(index + 1)
    .map((higher) => higher.name)
    .join(", ")})`,
  severity: "error",
  from: { path: tierPath(tier) },
  to: {
    path: TIERS.slice(index + 1)
      .map(tierPath)
      .join("|"),
  },
}));

// A folder's public surface: its index.ts. shared/ is a set of independent one-file helpers
// (each file is its own entry); a folder inside shared/ is again reached through its index.ts.
const PUBLIC_ENTRY =
  "^src/(?:sip/[^/]+|[^/]+)/index\\.ts$|^src/shared/[^/]+\\.ts$|^src/shared/[^/]+/index\\.ts$";

module.exports = {
  forbidden: [
    {
      name: "folder-has-a-tier",
      comment:
        "every file of src/ belongs to a tier of TIERS: a new folder gets its place in the layering first",
      severity: "error",
      from: { path: "^src/", pathNot: TIERS.map(tierPath).join("|") },
      to: {},
    },
    {
      name: "domain-is-pure",
      comment:
        "domain/ imports nothing outside itself (node builtins are fine): no SIP, HTTP, SQL, npm packages",
      severity: "error",
      from: { path: "^src/domain/" },
      to: { pathNot: "^src/domain/", dependencyTypesNot: ["core"] },
    },
    {
      name: "sip-knows-no-application",
      comment:
        "sip/* knows nothing of tenants, HTTP, store, calls or registrations: it is a generic RFC 3261 stack",
      severity: "error",
      from: { path: "^src/sip/" },
      to: {
        path: "^src/(domain|store|seed|registrar|b2bua|services|api|webhooks|scenarios|faults|auth|errors)/|^(fastify|@fastify/.*|undici|better-sqlite3)$",
      },
    },
    {
      name: "api-through-services",
      comment:
        "api/ (routes, schemas) reaches the emulator through services/: no store, B2BUA, registrar, media or SIP types",
      severity: "error",
      from: { path: "^src/api/" },
      to: { path: "^src/(store|b2bua|registrar|media|sip)/" },
    },
    ...layerRules,
    {
      name: "no-deep-import",
      comment: "another folder is reached through its index.ts, not through its files",
      severity: "error",
      from: { path: "^src/((?:sip/)?[^/]+)/" },
      to: { path: "^src/(?:sip/)?[^/]+/", pathNot: `^src/$1/|${PUBLIC_ENTRY}` },
    },
    {
      name: "no-deep-import-from-root",
      comment: "app.ts, index.ts and main.ts reach folders through their index.ts too",
      severity: "error",
      from: { path: "^src/[^/]+\\.ts$" },
      to: { path: "^src/(?:sip/)?[^/]+/", pathNot: PUBLIC_ENTRY },
    },
    {
      name: "harness-through-index",
      comment:
        "tools/ and bench/ use src/ through its folders' index.ts (or the package's own entry, src/index.ts), like any other user of the layers",
      severity: "error",
      from: { path: "^(tools|bench)/" },
      to: { path: "^src/", pathNot: `${PUBLIC_ENTRY}|^src/index\\.ts$` },
    },
    {
      name: "no-circular",
      comment:
        "no import cycles at run time (type-only cycles inside a folder, e.g. a message and its parse error, are harmless)",
      severity: "error",
      from: { path: "^(src|tools|bench)/" },
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "no-unresolvable",
      comment: "every import resolves (a typo or a missing dependency fails here, not at run time)",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports count: a layer that takes a type from a higher one depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
};
