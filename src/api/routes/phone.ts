import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import type { FastifyInstance, FastifyRequest } from "fastify";

/** The `{{SIPJS}}` placeholder of phone.html: where the page imports sip.js from. */
const SIPJS_PLACEHOLDER = "{{SIPJS}}";
/** Host[:port] as a browser sends it, and nothing that could break out of a CSP source. */
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

interface Vendored {
  /** URL path prefix, versioned: `/phone/vendor/sip.js@0.21.2/`. */
  readonly prefix: string;
  /** Path below the prefix → file body: every .js file of sip.js's lib/, listed once at load. */
  readonly files: ReadonlyMap<string, Buffer>;
}

// Same depth from src/api/routes/ (tsx) and dist/api/routes/ (built): both reach the package root.
const WEB_UI_DIR = new URL("../../../web-ui/", import.meta.url);

let loaded: { page: string; sipjs: Vendored } | undefined;

/**
 * sip.js's own ESM build (its lib/ folder, relative imports only) as the browser loads it.
 * Only `.js` files are listed; the request picks one by its exact relative path, so no path
 * from a request reaches the disk and `..` can never match.
 */
function vendorSipJs(): Vendored {
  const require = createRequire(import.meta.url);
  const lib = dirname(require.resolve("sip.js"));
  const { version } = JSON.parse(readFileSync(join(lib, "..", "package.json"), "utf8")) as {
    version: string;
  };
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(lib, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".js")) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(lib, path).split(sep).join("/"), readFileSync(path));
  }
  return { prefix: `/phone/vendor/sip.js@${version}/`, files };
}

function load(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const sipjs = vendorSipJs();
  const html = readFileSync(new URL("phone.html", WEB_UI_DIR), "utf8");
  loaded = { page: html.replaceAll(SIPJS_PLACEHOLDER, `${sipjs.prefix}index.js`), sipjs };
  return loaded;
}

/**
 * The page's policy: everything from this origin only, plus the SIP WebSocket (`wss://<host>/ws`;
 * CSP 2 browsers do not count ws/wss as 'self'). The microphone is for this origin only.
 */
function pageCsp(request: FastifyRequest): string {
  const host = request.headers.host;
  const wss = host && HOST.test(host) ? ` wss://${host}` : "";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self'${wss}`,
    "img-src 'self' data:",
    "media-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

/**
 * The browser Unify Phone client (docs/web-ui.md "Browser phone") at `/phone`: phone.html here,
 * its scripts and styles from `/ui/` (web-ui.ts serves web-ui/phone*.js, base.css and phone.css), and
 * sip.js from the installed package under a versioned, immutable path.
 */
export function phoneRoutes(app: FastifyInstance): void {
  const { page, sipjs } = load();
  const hide = { schema: { hide: true } };

  app.get("/phone", hide, async (request, reply) =>
    reply
      .type("text/html; charset=utf-8")
      .header("content-security-policy", pageCsp(request))
      .header("referrer-policy", "no-referrer")
      .header("permissions-policy", "microphone=(self), camera=()")
      .header("cache-control", "no-cache")
      .header("x-content-type-options", "nosniff")
      .send(page),
  );

  app.get("/phone/vendor/*", hide, async (request, reply) => {
    const path = `/phone/vendor/${(request.params as { "*": string })["*"]}`;
    const body = path.startsWith(sipjs.prefix) ? sipjs.files.get(path.slice(sipjs.prefix.length)) : undefined;
    if (!body) {
      reply.callNotFound();
      return reply;
    }
    return reply
      .type("text/javascript; charset=utf-8")
      .header("cache-control", "public, max-age=31536000, immutable")
      .header("x-content-type-options", "nosniff")
      .send(body);
  });
}
