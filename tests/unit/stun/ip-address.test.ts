import { describe, expect, it } from "vitest";
import { bytesToIp, ipToBytes, unmapIPv4 } from "../../../src/stun/ip-address.js";

describe("ipToBytes / bytesToIp", () => {
  it("converts IPv4", () => {
    expect(ipToBytes("192.0.2.1").toString("hex")).toBe("c0000201");
    expect(bytesToIp(Buffer.from("c0000201", "hex"))).toBe("192.0.2.1");
  });

  it("converts IPv6 in any notation and prints the canonical form", () => {
    expect(ipToBytes("::1").toString("hex")).toBe(`${"0".repeat(30)}01`);
    expect(ipToBytes("::").toString("hex")).toBe("0".repeat(32));
    expect(ipToBytes("2001:DB8::1:0:0:1").toString("hex")).toBe("20010db8000000000001000000000001");
    expect(ipToBytes("::ffff:192.0.2.1").toString("hex")).toBe("00000000000000000000ffffc0000201");
    expect(ipToBytes("fe80::1%eth0").toString("hex")).toBe("fe800000000000000000000000000001");
    expect(bytesToIp(ipToBytes("2001:0db8:0000:0000:0000:0000:0000:0001"))).toBe("2001:db8::1");
  });

  it("refuses what is not an IP address", () => {
    expect(() => ipToBytes("localhost")).toThrow(/not an IP address/);
    expect(() => bytesToIp(Buffer.alloc(5))).toThrow(/4 or 16 bytes/);
  });
});

describe("unmapIPv4", () => {
  it("turns an IPv4-mapped IPv6 peer into IPv4 and leaves others alone", () => {
    expect(unmapIPv4({ family: "IPv6", address: "::ffff:127.0.0.1", port: 5 })).toEqual({
      family: "IPv4",
      address: "127.0.0.1",
      port: 5,
    });
    const v6 = { family: "IPv6", address: "::1", port: 5 } as const;
    expect(unmapIPv4(v6)).toBe(v6);
    const v4 = { family: "IPv4", address: "10.0.0.1", port: 5 } as const;
    expect(unmapIPv4(v4)).toBe(v4);
  });
});
