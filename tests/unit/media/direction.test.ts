import { describe, expect, it } from "vitest";
import { intersectDirections, isDirection, reverseDirection } from "../../../src/media/direction.js";

describe("directions", () => {
  it("reverses sendonly and recvonly, keeps sendrecv and inactive", () => {
    expect(reverseDirection("sendonly")).toBe("recvonly");
    expect(reverseDirection("recvonly")).toBe("sendonly");
    expect(reverseDirection("sendrecv")).toBe("sendrecv");
    expect(reverseDirection("inactive")).toBe("inactive");
  });

  it("intersects", () => {
    expect(intersectDirections("sendrecv", "recvonly")).toBe("recvonly");
    expect(intersectDirections("sendonly", "recvonly")).toBe("inactive");
  });

  it("recognises the four attribute names only", () => {
    expect(["sendrecv", "sendonly", "recvonly", "inactive"].every(isDirection)).toBe(true);
    expect(isDirection("ptime")).toBe(false);
  });
});
