import { describe, expect, it } from "vitest";
import { addressBytes, sameFamily } from "../../../src/traces/ip-packets.js";

describe("addressBytes", () => {
  it("reads IPv4 and IPv6 (compressed, embedded IPv4, zone, brackets)", () => {
    expect([...addressBytes("10.1.2.3")]).toEqual([10, 1, 2, 3]);
    expect(addressBytes("::1").toString("hex")).toBe(`${"0".repeat(31)}1`);
    expect(addressBytes("2001:db8::8:800:200c:417a").toString("hex")).toBe(
      "20010db80000000000080800200c417a",
    );
    expect(addressBytes("::ffff:192.0.2.1").toString("hex")).toBe("00000000000000000000ffffc0000201");
    expect(addressBytes("[fe80::1%eth0]").toString("hex")).toBe("fe800000000000000000000000000001");
    expect(addressBytes("1:2:3:4:5:6:7:8").toString("hex")).toBe("00010002000300040005000600070008");
  });

  it("refuses what is not an address", () => {
    expect(() => addressBytes("example.test")).toThrow(RangeError);
  });

  it("maps an IPv4 end to ::ffff:a.b.c.d when the other end is IPv6", () => {
    const [a, b] = sameFamily(addressBytes("127.0.0.1"), addressBytes("::1"));
    expect(a.toString("hex")).toBe("00000000000000000000ffff7f000001");
    expect(b.length).toBe(16);
  });
});
