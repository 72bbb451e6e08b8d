import { Counter, Gauge, type Registry } from "prom-client";

/** One series: its label values in the order of `labelNames`, and its value. */
export type Sample = readonly [values: readonly string[], value: number];

interface CollectedSpec<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
  /** Read on each scrape: the current value of every series. */
  readonly read: () => Iterable<Sample>;
}

/**
 * A counter whose values are kept elsewhere (plain numbers on a hot path, or a layer's own
 * running totals) and copied in when scraped; they only ever grow, so it is a true counter.
 */
export function collectedCounter<L extends string>(registry: Registry, spec: CollectedSpec<L>): Counter<L> {
  const counter: Counter<L> = new Counter<L>({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    collect() {
      counter.reset();
      for (const [values, value] of spec.read()) counter.inc(labelsOf(spec.labelNames, values), value);
    },
  });
  return counter;
}

/** A gauge read from the emulator's state on each scrape (bindings, active calls). */
export function collectedGauge<L extends string>(registry: Registry, spec: CollectedSpec<L>): Gauge<L> {
  const gauge: Gauge<L> = new Gauge<L>({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    collect() {
      gauge.reset();
      for (const [values, value] of spec.read()) gauge.set(labelsOf(spec.labelNames, values), value);
    },
  });
  return gauge;
}

function labelsOf<L extends string>(names: readonly L[] | undefined, values: readonly string[]) {
  const labels: Partial<Record<L, string>> = {};
  names?.forEach((name, i) => {
    labels[name] = values[i] ?? "";
  });
  return labels;
}

/** Counts by label values, for hot paths: one Map update per event, read at scrape time. */
export class Tally {
  private readonly counts = new Map<string, number>();

  add(values: readonly string[], n = 1): void {
    const key = values.join("\u0001");
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  *samples(): Iterable<Sample> {
    for (const [key, value] of this.counts) yield [key.split("\u0001"), value];
  }
}
