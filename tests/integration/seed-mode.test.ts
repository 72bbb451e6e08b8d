import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { DEFAULT_SEED, startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";

// Issue 9.7: a restart with the same --seed must not roll back an API key rotated through
// the API, unless --seed-mode reset asks for it.

const SEED_KEY = /apiKey: (\S+)/.exec(DEFAULT_SEED)![1]!;
let emulator: EmulatorHandle | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** An emulator on a file-backed data dir that outlives it, seeded with DEFAULT_SEED. */
function start(dataDir: string, seedMode?: "create" | "reset") {
  return startTestEmulator({
    ephemeral: false,
    dataDir,
    adminToken: "seed-mode-admin",
    ...(seedMode ? { seedMode } : {}),
  });
}

/** The status a PBX gets with `apiKey` on the connector API. */
async function pbxStatus(e: EmulatorHandle, apiKey: string): Promise<number> {
  return (await httpClient(e).pbx(apiKey, "GET", "/api/connector/v1/systems/osbiz-1")).status;
}

async function rotate(e: EmulatorHandle): Promise<string> {
  const [tenant] = await e.client.tenants.list();
  return (await e.client.tenants.regenerateApiKey(tenant!.id)).apiKey;
}

describe("--seed-mode", () => {
  it("create (default): a key rotated through the API survives a restart with the same seed", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "upe-seed-mode-"));
    emulator = await start(dataDir);
    expect(await pbxStatus(emulator, SEED_KEY)).toBe(200);
    const rotated = await rotate(emulator);
    await emulator.close();

    emulator = await start(dataDir);
    expect(await pbxStatus(emulator, rotated)).toBe(200);
    expect(await pbxStatus(emulator, SEED_KEY)).toBe(401);
  });

  it("reset: the restart puts the seed's key back", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "upe-seed-mode-"));
    emulator = await start(dataDir, "create");
    const rotated = await rotate(emulator);
    await emulator.close();

    emulator = await start(dataDir, "reset");
    expect(await pbxStatus(emulator, SEED_KEY)).toBe(200);
    expect(await pbxStatus(emulator, rotated)).toBe(401);
  });
});
