import { randomBytes, X509Certificate } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect, type TLSSocket } from "node:tls";
import type { StartedTestContainer } from "testcontainers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorClient } from "../../src/rest-client/index.js";
import { acmeSeed } from "../support/acme-seed.js";
import { TRUNK } from "../support/emulator.js";
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
const STUN_COOKIE = 0x2112a442;

/** An RFC 5389 Binding request without attributes. */
function bindingRequest(transactionId: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(0x0001, 0);
  header.writeUInt16BE(0, 2);
  header.writeUInt32BE(STUN_COOKIE, 4);
  return Buffer.concat([header, transactionId]);
}

/** The class+method of a STUN answer for `transactionId`, or null when it is not one. */
function answerType(answer: Buffer, transactionId: Buffer): number | null {
  if (answer.length < 20 || answer.readUInt32BE(4) !== STUN_COOKIE) return null;
  return answer.subarray(8, 20).equals(transactionId) ? answer.readUInt16BE(0) : null;
}

/** Sends a Binding request over UDP, resent every 500 ms, at most 10 times. */
function stunBinding(host: string, port: number): Promise<number | null> {
  const id = randomBytes(12);
  const request = bindingRequest(id);
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    let sent = 0;
    const send = () => {
      if (sent++ === 10) {
        clearInterval(timer);
        socket.close();
        reject(new Error("no STUN answer over UDP after 10 requests"));
      } else socket.send(request, port, host);
    };
    const timer = setInterval(send, 500);
    socket.on("message", (answer) => {
      const type = answerType(answer, id);
      if (type === null) return;
      clearInterval(timer);
      socket.close();
      resolve(type);
    });
    send();
  });
}
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

  it("answers a STUN Binding request on the mapped STUN port", async () => {
    const container = emulator as StartedTestContainer;
    expect(await stunBinding(container.getHost(), container.getMappedPort("3478/udp"))).toBe(0x0101);
  });

  it("applies a suite's own seed copied into the container (the documented variant)", async () => {
    const { GenericContainer, Wait } = await import("testcontainers");
    const dir = mkdtempSync(join(tmpdir(), "upe-seed-"));
    writeFileSync(join(dir, "seed.yaml"), acmeSeed());
    const own = await new GenericContainer(IMAGE)
      .withEnvironment({ UPE_ADMIN_TOKEN: ADMIN_TOKEN, UPE_SEED: "/app/seed.yaml" })
      .withCopyFilesToContainer([{ source: join(dir, "seed.yaml"), target: "/app/seed.yaml" }])
      .withExposedPorts(8443, 65061, "3478/udp")
      .withWaitStrategy(Wait.forHttp("/readyz", 8443).usingTls().allowInsecure())
      .start();
    try {
      const ownCa = (await own.exec(["cat", "/certs/ca.pem"])).output;
      const client = new EmulatorClient({
        baseUrl: `https://${own.getHost()}:${own.getMappedPort(8443)}`,
        ca: ownCa,
        adminToken: ADMIN_TOKEN,
      });
      const [acme] = await client.tenants.list();
      const connectors = await client.tenants.connectors(acme?.id ?? "");
      expect(connectors.map((c) => [c.systemId, c.username])).toEqual([["osbiz-1", TRUNK.username]]);
    } finally {
      await own.stop({ timeout: 10_000 });
      rmSync(dir, { recursive: true, force: true });
    }
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
