import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { acmeSeed } from "../support/acme-seed.js";
import { startTestEmulator } from "../support/emulator.js";
import { startMockCli } from "../support/mock-osbiz-cli-process.js";
import { until } from "../support/until.js";

const SEED = acmeSeed();

let emulator: EmulatorHandle;
let child: ChildProcessWithoutNullStreams | undefined;

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: "cti-cli-admin", seedText: SEED });
});

afterEach(async () => {
  child?.kill("SIGKILL");
  child = undefined;
  await emulator.close();
});

/** The command in a child process (killed after the test). */
function run(args: string[]) {
  const cli = startMockCli(args);
  child = cli.proc;
  return cli;
}

/** Waits until `count` lines match (the same state printed again after a later command). */
function lines(cli: { out: string[] }, pattern: RegExp, count: number): Promise<void> {
  return until(
    () => cli.out.filter((l) => pattern.test(l)).length >= count,
    `${count} lines like ${pattern}`,
  );
}

function mockArgs(): string[] {
  return [
    "--url",
    emulator.urls.https,
    "--api-key",
    "acme-key-0001-t7m7w6ToB8iPQCFUNQuX",
    "--ca",
    emulator.certificates.caCertPath!,
    "--system-id",
    "osbiz-1",
    "--user",
    "2131",
    "--user",
    "2132",
    "--rtp-bind",
    "127.0.0.1",
    "--rtp-ports",
    "44000-44999",
  ];
}

describe("unify-phone-emulator mock-osbiz: the desk command", () => {
  it("rings, answers, holds and hangs up a desk phone, sets DND and forwarding, and says what it cannot do", async () => {
    const cli = run(mockArgs());
    await cli.line(/ready: .* registered/);
    cli.send("desk 2131");
    await cli.line(/desk 2131 idle; DND off; forwarding off$/);
    cli.send("desk 2131 ring +4930123456");
    await cli.line(/desk 2131 ringing with \+4930123456 \(call dc1\)/);
    cli.send("desk 2131 answer");
    await cli.line(/desk 2131 connected with \+4930123456/);
    cli.send("desk 2131 hold");
    await cli.line(/desk 2131 held with/);
    cli.send("desk 2131 retrieve");
    cli.send("desk 2131 hangup");
    await lines(cli, /desk 2131 idle; DND off; forwarding off$/, 2);
    cli.send("desk 2131 dnd on");
    await cli.line(/desk 2131 idle; DND on;/);
    cli.send("desk 2131 ring 2132");
    await cli.line(/desk: 2131 is busy \(do not disturb\)/);
    cli.send("desk 2131 forward 2132");
    await cli.line(/forwarding forwardImmediate to 2132$/);
    cli.send("desk 2131 forward off");
    await lines(cli, /desk 2131 idle; DND on; forwarding off$/, 2);
    cli.send("desk 9999");
    await cli.line(/desk: no user with callno 9999/);
    cli.send("desk 2131 answer");
    await cli.line(/desk: 2131 cannot answer while idle/);
    cli.send("desk 2131 dnd maybe");
    await cli.line(/desk: usage: desk 2131 dnd on\|off/);
    cli.send("quit");
    expect(await cli.exited).toBe(0);
  }, 40_000);
});
