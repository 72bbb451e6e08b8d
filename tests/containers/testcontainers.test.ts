import { X509Certificate } from "node:crypto";
import { resolve } from "node:path";
import { connect, type TLSSocket } from "node:tls";
import type { StartedTestContainer } from "testcontainers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorClient } from "../../src/rest-client/index.js";
import {
  type ContainerEngine,
  containerSkipReason,
  IMAGE,
  startContainerEngine,
} from "../support/podman-service.js";

/**
 * The README's Testcontainers recipe, run as a Node suite would run it, against podman's
 * Docker-compatible socket (or DOCKER_HOST). The image is built from this checkout first,
 * unless UPE_CONTAINER_IMAGE names one.
 */
const skip = containerSkipReason();
if (skip) console.warn(`skipping the Testcontainers test: ${skip}`);

const ADMIN_TOKEN = "testcontainers-admin-token";
const BUILD_LIMIT_MS = 15 * 60_000;

let engine: ContainerEngine | undefined;
let emulator: StartedTestContainer | undefined;
let ca = "";
let admin: EmulatorClient;

describe.skipIf(skip !== null)("the emulator image under Testcontainers", () => {
  beforeAll(async () => {
    engine = await startContainerEngine();
    // Testcontainers reads these on first use (given values win).
    for (const [name, value] of Object.entries(engine.env)) process.env[name] ??= value;
    if (!process.env.UPE_CONTAINER_IMAGE) {
      const ms = await engine.buildImage(resolve(import.meta.dirname, "../.."), BUILD_LIMIT_MS);
      console.info(`built ${IMAGE} from the Dockerfile in ${(ms / 1000).toFixed(1)} s`);
    }
    const { GenericContainer, Wait } = await import("testcontainers");
    const started = Date.now();

    // --- the recipe (README "Testcontainers") ---
    emulator = await new GenericContainer(IMAGE)
      .withEnvironment({ UPE_ADMIN_TOKEN: ADMIN_TOKEN, UPE_SEED: "/app/examples/call-flows.yaml" })
      .withExposedPorts(8443, 65061, "3478/udp")
      .withWaitStrategy(Wait.forHttp("/readyz", 8443).usingTls().allowInsecure())
      .start();
    ca = (await emulator.exec(["cat", "/certs/ca.pem"])).output;
    admin = new EmulatorClient({
      baseUrl: `https://${emulator.getHost()}:${emulator.getMappedPort(8443)}`,
      ca,
      adminToken: ADMIN_TOKEN,
    });
    // --- end of the recipe ---

    console.info(`container started and ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, BUILD_LIMIT_MS + 120_000);

  afterAll(async () => {
    await emulator?.stop({ timeout: 10_000 });
    await engine?.close();
  }, 60_000);

  it("answers /readyz with 200 through the mapped HTTPS port, verified against the container's CA", async () => {
    const ready = await admin.health.ready();
    expect(ready.status).toBe("ready");
  });

  it("applied the seed given by UPE_SEED and takes the admin token given by UPE_ADMIN_TOKEN", async () => {
    const tenants = await admin.tenants.list();
    expect(tenants.map((t) => t.name)).toContain("Acme");
    const created = await admin.tenants.create({ name: "Containers Ltd", flavour: "openscape" });
    expect(created.apiKey).toMatch(/\S{32,}/);
    const system = await admin.asPbx(created.apiKey).connector.provision({ systemId: "osbiz-tc" });
    expect(system.trunkId).toBe("gtc-001");
    const connectors = await admin.tenants.connectors(created.id);
    expect(connectors.map((c) => [c.name, c.systemId, c.status])).toEqual([
      ["gtc-001", "osbiz-tc", "unavailable"],
    ]);
  });

  it("presents the emulator's certificate, issued by the container's CA, on the mapped SIP port", async () => {
    const container = emulator as StartedTestContainer;
    const socket = await new Promise<TLSSocket>((ok, fail) => {
      const s = connect(
        {
          host: container.getHost(),
          port: container.getMappedPort(65061),
          ca,
          servername: "phoneapp.unify.com",
        },
        () => ok(s),
      );
      s.once("error", fail);
    });
    try {
      expect(socket.authorized).toBe(true);
      const peer = socket.getPeerX509Certificate();
      expect(peer?.checkIssued(new X509Certificate(ca))).toBe(true);
      expect(peer?.subjectAltName).toContain("DNS:phoneapp.unify.com");
    } finally {
      socket.destroy();
    }
  });
});
