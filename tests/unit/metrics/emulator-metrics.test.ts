import { register } from "prom-client";
import { describe, expect, it } from "vitest";
import { EmulatorMetrics } from "../../../src/metrics/index.js";

describe("EmulatorMetrics", () => {
  it("gives each emulator its own registry: two in one process count apart, the global one stays empty", async () => {
    const a = new EmulatorMetrics({ token: null, public: false });
    const b = new EmulatorMetrics({ token: null, public: false });
    a.httpRequest("GET", "/healthz", 200, 0.001);
    a.httpRequest("GET", "/healthz", 200, 0.001);
    b.httpRequest("GET", "/healthz", 200, 0.001);
    const line = /^upe_http_requests_total\{method="GET",route="\/healthz",status="200"\} (\d+)$/m;
    expect(line.exec(await a.scrape())?.[1]).toBe("2");
    expect(line.exec(await b.scrape())?.[1]).toBe("1");
    expect(register.getMetricsAsArray()).toEqual([]);
  });

  it("labels an unknown HTTP method other and a request that matched no route unmatched", async () => {
    const metrics = new EmulatorMetrics({ token: null, public: false });
    metrics.httpRequest("PROPFIND", undefined, 404, 0.001);
    expect(await metrics.scrape()).toMatch(
      /^upe_http_requests_total\{method="other",route="unmatched",status="404"\} 1$/m,
    );
  });

  it("accepts the metrics token only, and no token at all when none is set", () => {
    const withToken = new EmulatorMetrics({ token: "scrape-token", public: false });
    expect(withToken.tokenMatches("scrape-token")).toBe(true);
    expect(withToken.tokenMatches("scrape-token ")).toBe(false);
    expect(withToken.tokenMatches("")).toBe(false);
    expect(new EmulatorMetrics({ token: null, public: false }).tokenMatches("")).toBe(false);
  });

  it("appends the process metrics once, whatever the number of emulators", async () => {
    const text = await new EmulatorMetrics({ token: null, public: false }).scrape();
    expect(text.match(/^# TYPE process_cpu_user_seconds_total counter$/gm)).toHaveLength(1);
    expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
  });
});
