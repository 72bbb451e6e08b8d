import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { AttributeType, decodeErrorCode, decodeUnknownAttributes } from "../../src/stun/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { addressOf, attributeOf, mappedOf, StunUdpClient } from "../support/stun-client.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

async function emulator(options: Parameters<typeof startTestEmulator>[0] = {}): Promise<EmulatorHandle> {
  const started = await startTestEmulator(options);
  cleanup.push(() => started.close());
  return started;
}

async function client(): Promise<StunUdpClient> {
  const opened = await StunUdpClient.open();
  cleanup.push(() => opened.close());
  return opened;
}

const v4 = (address: string, port: number) => ({ family: "IPv4", address, port });

describe("RFC 5780 behaviour discovery on the emulator's STUN port (127.0.0.1 + 127.0.0.2, two ports)", () => {
  it("answers with RESPONSE-ORIGIN (where the answer came from) and OTHER-ADDRESS (the other IP and port)", async () => {
    const { ports } = await emulator();
    const udp = await client();
    const answer = await udp.request({ address: "127.0.0.1", port: ports.stun! });
    const other = addressOf(answer.message, AttributeType.OtherAddress)!;
    expect(mappedOf(answer.message)).toEqual(udp.local);
    expect(addressOf(answer.message, AttributeType.ResponseOrigin)).toEqual(v4("127.0.0.1", ports.stun!));
    expect(answer.from).toEqual({ address: "127.0.0.1", port: ports.stun! });
    expect(other.address).toBe("127.0.0.2");
    expect(other.port).not.toBe(ports.stun);
  });

  it("answers CHANGE-REQUEST from the other IP and/or port, and says so in RESPONSE-ORIGIN", async () => {
    const { ports } = await emulator();
    const udp = await client();
    const primary = { address: "127.0.0.1", port: ports.stun! };
    const other = addressOf((await udp.request(primary)).message, AttributeType.OtherAddress)!;
    const cases = [
      { change: { ip: true, port: true }, from: { address: "127.0.0.2", port: other.port } },
      { change: { ip: true, port: false }, from: { address: "127.0.0.2", port: ports.stun! } },
      { change: { ip: false, port: true }, from: { address: "127.0.0.1", port: other.port } },
      { change: { ip: false, port: false }, from: primary },
    ];
    for (const { change, from } of cases) {
      const answer = await udp.request(primary, { change });
      expect(answer.from, JSON.stringify(change)).toEqual(from);
      expect(addressOf(answer.message, AttributeType.ResponseOrigin)).toEqual(v4(from.address, from.port));
      expect(mappedOf(answer.message)).toEqual(udp.local);
    }
  });

  it("answers on every address of the grid; OTHER-ADDRESS is relative to where the request arrived", async () => {
    const { ports } = await emulator();
    const udp = await client();
    const other = addressOf(
      (await udp.request({ address: "127.0.0.1", port: ports.stun! })).message,
      AttributeType.OtherAddress,
    )!;
    const atOther = await udp.request({ address: "127.0.0.2", port: other.port });
    expect(atOther.from).toEqual({ address: "127.0.0.2", port: other.port });
    expect(addressOf(atOther.message, AttributeType.OtherAddress)).toEqual(v4("127.0.0.1", ports.stun!));
    const atAltIp = await udp.request({ address: "127.0.0.2", port: ports.stun! });
    expect(addressOf(atAltIp.message, AttributeType.OtherAddress)).toEqual(v4("127.0.0.1", other.port));
  });

  it("answers an RFC 3489 request with MAPPED-ADDRESS, SOURCE-ADDRESS and CHANGED-ADDRESS, also after a change", async () => {
    const { ports } = await emulator();
    const udp = await client();
    const primary = { address: "127.0.0.1", port: ports.stun! };
    const answer = await udp.request(primary, { classic: true });
    expect(answer.message.classic).toBe(true);
    expect(answer.message.class).toBe("success");
    expect(answer.message.transactionId).toHaveLength(16);
    expect(attributeOf(answer.message, AttributeType.XorMappedAddress)).toBeUndefined();
    expect(mappedOf(answer.message)).toEqual(udp.local);
    expect(addressOf(answer.message, AttributeType.SourceAddress)).toEqual(v4("127.0.0.1", ports.stun!));
    const changed = addressOf(answer.message, AttributeType.ChangedAddress)!;
    expect(changed.address).toBe("127.0.0.2");
    const afterChange = await udp.request(primary, { classic: true, change: { ip: true, port: true } });
    expect(afterChange.from).toEqual({ address: changed.address, port: changed.port });
    expect(addressOf(afterChange.message, AttributeType.SourceAddress)).toEqual(changed);
  });

  it("with --stun-alternate-address off: no OTHER-ADDRESS (RFC 5780 needs another IP), 420 to change IP, change port still served", async () => {
    const { ports } = await emulator({ stunAlternateAddress: "off" });
    const udp = await client();
    const primary = { address: "127.0.0.1", port: ports.stun! };
    const first = await udp.request(primary);
    expect(attributeOf(first.message, AttributeType.OtherAddress)).toBeUndefined();
    const classic = await udp.request(primary, { classic: true });
    expect(attributeOf(classic.message, AttributeType.ChangedAddress)).toBeUndefined();
    const refused = await udp.request(primary, { change: { ip: true, port: false } });
    expect(refused.message.class).toBe("error");
    expect(decodeErrorCode(attributeOf(refused.message, AttributeType.ErrorCode)!).code).toBe(420);
    expect(decodeUnknownAttributes(attributeOf(refused.message, AttributeType.UnknownAttributes)!)).toEqual([
      0x0003,
    ]);
    const portChanged = await udp.request(primary, { change: { ip: false, port: true } });
    expect(portChanged.from.address).toBe("127.0.0.1");
    expect(portChanged.from.port).not.toBe(ports.stun);
    expect(addressOf(portChanged.message, AttributeType.ResponseOrigin)).toEqual(
      v4("127.0.0.1", portChanged.from.port),
    );
  });

  it("with both alternates off: no OTHER-ADDRESS, a plain RFC 5389 server", async () => {
    const { ports } = await emulator({ stunAlternateAddress: "off", stunAlternatePort: "off" });
    const udp = await client();
    const answer = await udp.request({ address: "127.0.0.1", port: ports.stun! });
    expect(attributeOf(answer.message, AttributeType.OtherAddress)).toBeUndefined();
    expect(addressOf(answer.message, AttributeType.ResponseOrigin)).toEqual(v4("127.0.0.1", ports.stun!));
  });

  it("takes an explicit alternate address and port", async () => {
    const probe = await client();
    const freePort = probe.local.port;
    await probe.close();
    cleanup.pop();
    const { ports } = await emulator({
      stunAlternateAddress: "127.0.0.3",
      stunAlternatePort: String(freePort),
    });
    const udp = await client();
    const answer = await udp.request({ address: "127.0.0.1", port: ports.stun! });
    expect(addressOf(answer.message, AttributeType.OtherAddress)).toEqual(v4("127.0.0.3", freePort));
  });

  it("refuses to start on a malformed alternate address or port", async () => {
    await expect(startTestEmulator({ stunAlternateAddress: "not-an-ip" })).rejects.toThrow(
      /--stun-alternate-address: an IP, off or auto/,
    );
    await expect(startTestEmulator({ stunAlternatePort: "70000" })).rejects.toThrow(
      /--stun-alternate-port: a port, off or auto/,
    );
    await expect(startTestEmulator({ stunAlternateAddress: "127.0.0.1" })).rejects.toThrow(
      /is the STUN IP itself/,
    );
    // An address no interface has (TEST-NET-1): the bind fails, and the error says what to do.
    await expect(startTestEmulator({ stunAlternateAddress: "192.0.2.123" })).rejects.toThrow(
      /STUN alternate address 192\.0\.2\.123: .*EADDRNOTAVAIL.*--stun-alternate-address off/,
    );
  });
});
