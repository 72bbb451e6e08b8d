import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FAULT_LAYERS, parseFaultRule, parseFaultRules } from "../../../src/faults/index.js";

const doc = readFileSync(path.resolve(import.meta.dirname, "../../../docs/faults.md"), "utf8");
/** The YAML blocks that are lists of rules (comments aside). */
const examples = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .filter((text) =>
    text
      .replace(/^\s*#.*$/gm, "")
      .trimStart()
      .startsWith("- "),
  );

const ACTIONS = {
  sip: ["respond", "delay", "drop", "close", "reset", "corrupt", "modify", "alg-rewrite"],
  tls: [
    "refuse",
    "stall",
    "expired-certificate",
    "wrong-host-certificate",
    "untrusted-certificate",
    "limit-version",
  ],
  http: ["respond", "delay", "close"],
  rtp: ["drop", "delay", "stop", "ssrc"],
  stun: ["no-answer", "wrong-mapped-address", "delay", "nat"],
  csta: ["no-response", "error", "drop-event", "session-refuse"],
} as const;

describe("docs/faults.md", () => {
  it("has rule examples for every layer, and every one of them is a valid rule", () => {
    const rules = examples.flatMap((text, i) => parseFaultRules(parse(text), `example ${i + 1}`));
    expect(new Set(rules.map((r) => r.layer))).toEqual(new Set(FAULT_LAYERS));
  });

  it("documents every action of every layer, and the parser accepts exactly those", () => {
    for (const layer of FAULT_LAYERS) {
      for (const type of ACTIONS[layer]) expect(doc).toContain(`type: ${type}`);
      expect(() => parseFaultRule({ layer, action: { type: "explode" } })).toThrow(
        `must be one of ${ACTIONS[layer].join(", ")}`,
      );
    }
  });
});
