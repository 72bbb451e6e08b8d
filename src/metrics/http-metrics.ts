import { Counter, Histogram, type Registry } from "prom-client";
import { known } from "./label-cap.js";

const HTTP_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
]);

/** REST requests by route pattern (never the path: ids stay out of labels) and status, with durations. */
export function httpMetrics(
  registry: Registry,
): (method: string, route: string | undefined, status: number, seconds: number) => void {
  const requests = new Counter({
    name: "upe_http_requests_total",
    help: "HTTP requests answered (REST API, web UI, probes), by method, route pattern and status code",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "upe_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method and route pattern",
    labelNames: ["method", "route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return (method, route, status, seconds) => {
    const labels = { method: known(HTTP_METHODS, method), route: route ?? "unmatched" };
    requests.inc({ ...labels, status: String(status) });
    duration.observe(labels, seconds);
  };
}
