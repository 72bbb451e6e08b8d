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

/** One series of a Tally, and the series below it (one label value further). */
interface TallyNode {
  readonly values: readonly string[];
  count: number;
  listed: boolean;
  children: Map<string, TallyNode> | undefined;
}

/**
 * Counts by label values, for hot paths: one Map lookup per label and no allocation once a
 * series exists (no key string built per event); read at scrape time, series in the order
 * they first counted. Every event of one Tally gives the same number of values (its labels).
 */
export class Tally {
  private readonly root: TallyNode = { values: [], count: 0, listed: false, children: undefined };
  private readonly series: TallyNode[] = [];

  add(first: string, second?: string, third?: string): void {
    let node = child(this.root, first);
    if (second !== undefined) node = child(node, second);
    if (third !== undefined) node = child(node, third);
    if (!node.listed) {
      node.listed = true;
      this.series.push(node);
    }
    node.count++;
  }

  *samples(): Iterable<Sample> {
    for (const node of this.series) yield [node.values, node.count];
  }
}

function child(node: TallyNode, value: string): TallyNode {
  node.children ??= new Map();
  let next = node.children.get(value);
  if (next === undefined) {
    next = { values: [...node.values, value], count: 0, listed: false, children: undefined };
    node.children.set(value, next);
  }
  return next;
}
