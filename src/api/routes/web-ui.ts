import { readdirSync, readFileSync } from "node:fs";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

/**
 * The page's files: every top-level file of `web-ui/` whose name matches this pattern, listed once at
 * load. The request only picks one of those by name, so no path from a request ever reaches the disk.
 */
const ASSET_NAME = /^[a-z0-9-]+\.(js|css|svg|png)$/;
const ASSET_TYPES: Readonly<Record<string, string>> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
};

const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

// Same depth from src/api/routes/ (tsx) and dist/api/routes/ (built): both reach the package root.
const WEB_UI_DIR = new URL("../../../web-ui/", import.meta.url);

let loaded: { page: Asset; assets: ReadonlyMap<string, Asset> } | undefined;

/** Read once per process, at the first app built; a missing file stops the start with its path. */
function load(): NonNullable<typeof loaded> {
  loaded ??= {
    page: { type: "text/html; charset=utf-8", body: readFileSync(new URL("index.html", WEB_UI_DIR)) },
    assets: new Map(
      readdirSync(WEB_UI_DIR)
        .filter((name) => ASSET_NAME.test(name))
        .map((name) => [
          name,
          {
            type: ASSET_TYPES[name.slice(name.lastIndexOf(".") + 1)]!,
            body: readFileSync(new URL(name, WEB_UI_DIR)),
          },
        ]),
    ),
  };
  return loaded;
}

function send(reply: FastifyReply, asset: Asset): FastifyReply {
  return reply
    .type(asset.type)
    .header("cache-control", "no-cache")
    .header("x-content-type-options", "nosniff")
    .send(asset.body);
}

/**
 * The operator page (SPEC §3.1 "web UI") at `/`, its scripts and styles under `/ui/`. No auth here:
 * the page asks for the admin token and sends it with every admin API call it makes.
 */
export function webUiRoutes(app: FastifyInstance): void {
  const { page, assets } = load();
  const hide = { schema: { hide: true } };

  app.get("/", hide, async (_request, reply) =>
    send(reply.header("content-security-policy", PAGE_CSP).header("referrer-policy", "no-referrer"), page),
  );

  const file = { type: "object", properties: { file: { type: "string" } }, required: ["file"] } as const;
  app
    .withTypeProvider<ApiTypeProvider>()
    .get("/ui/:file", { schema: { hide: true, params: file } }, async (request, reply) => {
      const asset = assets.get(request.params.file);
      if (asset) return send(reply, asset);
      reply.callNotFound();
      return reply;
    });
}
