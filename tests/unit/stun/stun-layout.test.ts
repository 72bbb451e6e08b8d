import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../../../src/cli/parse-command-line.js";
import { stunLayout } from "../../../src/composition/start-stun.js";
import { type EmulatorOptions, optionsFromSources, resolveConfig } from "../../../src/config/index.js";

/** The config the command line would give (flags only, no environment). */
function fromArgs(...argv: string[]) {
  return resolveConfig(optionsFromSources({}, parseCommandLine("start", argv).flags));
}

function layout(options: EmulatorOptions, port = 3478) {
  return stunLayout(resolveConfig(options), port);
}

describe("the STUN options on the command line", () => {
  it("--stun-tcp off turns TCP off (a default-on switch must be turnable off by a flag)", () => {
    expect(fromArgs().stunTcp).toBe("on");
    expect(fromArgs("--stun-tcp", "off").stunTcp).toBe("off");
    expect(stunLayout(fromArgs("--bind", "127.0.0.1", "--stun-tcp", "off"), 3478).tcp).toBe(false);
    expect(() => fromArgs("--stun-tcp", "maybe")).toThrow(/--stun-tcp: must be one of on, off/);
  });

  it("reads the NAT and alternate-address flags", () => {
    const config = fromArgs(
      "--stun-nat",
      "address-and-port-dependent",
      "--stun-nat-filtering",
      "endpoint-independent",
      "--stun-public-address",
      "192.0.2.50",
      "--stun-alternate-address",
      "off",
      "--stun-alternate-port",
      "3490",
    );
    expect(config).toMatchObject({
      stunNat: "address-and-port-dependent",
      stunNatFiltering: "endpoint-independent",
      stunPublicAddress: "192.0.2.50",
      stunAlternateAddress: "off",
      stunAlternatePort: "3490",
    });
    expect(() => fromArgs("--stun-nat", "symmetric")).toThrow(
      /--stun-nat: must be one of none, endpoint-independent/,
    );
  });
});

describe("stunLayout: where the STUN sockets go", () => {
  it("bound to a loopback address: 127.0.0.2 and port + 1 beside it, TCP on", () => {
    expect(layout({ bind: "127.0.0.1" })).toEqual({
      host: "127.0.0.1",
      port: 3478,
      advertisedAddress: "127.0.0.1",
      alternateAddress: "127.0.0.2",
      alternatePort: 3479,
      tcp: true,
    });
    expect(layout({ bind: "127.0.0.2" }).alternateAddress).toBe("127.0.0.3");
    expect(layout({ bind: "127.0.0.1" }, 0).alternatePort).toBe(0);
    expect(layout({ bind: "127.0.0.1" }, 65535).alternatePort).toBe(65534);
  });

  it("on a wildcard bind: the advertised host is the primary IP; no second IP unless it is loopback or given", () => {
    expect(layout({ bind: "0.0.0.0", host: "192.0.2.10" })).toMatchObject({
      host: "0.0.0.0",
      advertisedAddress: "192.0.2.10",
      alternateAddress: null,
      alternatePort: 3479,
    });
    // A second IP cannot be bound beside a wildcard: the primary binds the advertised IP.
    expect(layout({ bind: "0.0.0.0", host: "192.0.2.10", stunAlternateAddress: "192.0.2.11" })).toMatchObject(
      {
        host: "192.0.2.10",
        alternateAddress: "192.0.2.11",
      },
    );
    expect(layout({ bind: "0.0.0.0", host: "127.0.0.1" })).toMatchObject({
      host: "127.0.0.1",
      alternateAddress: "127.0.0.2",
    });
    expect(layout({ bind: "0.0.0.0", host: "pbx.example" })).toMatchObject({
      host: "0.0.0.0",
      alternateAddress: null,
    });
    expect(() =>
      layout({ bind: "0.0.0.0", host: "pbx.example", stunAlternateAddress: "192.0.2.11" }),
    ).toThrow(/needs a STUN IP/);
  });

  it("IPv6 loopback has no second address to take", () => {
    expect(layout({ bind: "::1" })).toMatchObject({
      host: "::1",
      alternateAddress: null,
      alternatePort: 3479,
    });
  });

  it("refuses an alternate port that is the STUN port itself", () => {
    expect(() => layout({ bind: "127.0.0.1", stunAlternatePort: "3478" })).toThrow(/is the STUN port itself/);
    expect(layout({ bind: "127.0.0.1", stunAlternatePort: "off" }).alternatePort).toBeNull();
  });
});
