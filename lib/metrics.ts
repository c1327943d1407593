/**
 * Prometheus text exposition (format 0.0.4) without dependencies: counters and gauges with
 * labels, and collect callbacks for gauges computed at scrape time. The relay caches bound
 * children (`counter.labels({...})`) so that counting a frame is one addition.
 */

/** The Content-Type of {@link Metrics.render}'s output. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Record<string, string>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeHelp(s: string): string {
  return s.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

function escapeLabelValue(s: string): string {
  return s.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function formatValue(v: number): string {
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v); // NaN prints as "NaN", as the format wants
}

// Length-prefixed, so no label value can make two series share a key.
function keyOf(values: string[]): string {
  let key = "";
  for (const v of values) key += `${v.length}:${v};`;
  return key;
}

/** One labelled series of a counter. */
export class CounterChild {
  value = 0;
  constructor(readonly labelText: string) {}

  /** Adds `n` (default 1); a counter never goes down. */
  inc(n = 1): void {
    if (!(n >= 0)) throw new RangeError(`Counter can only increase: ${n}`);
    this.value += n;
  }
}

/** One labelled series of a gauge. */
export class GaugeChild {
  value = 0;
  constructor(readonly labelText: string) {}

  set(v: number): void {
    this.value = v;
  }

  inc(n = 1): void {
    this.value += n;
  }

  dec(n = 1): void {
    this.value -= n;
  }
}

abstract class Metric<C extends { value: number; labelText: string }> {
  #children = new Map<string, C>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly type: "counter" | "gauge",
  ) {
    if (!METRIC_NAME.test(name)) {
      throw new TypeError(`Invalid metric name: ${JSON.stringify(name)}`);
    }
    const seen = new Set<string>();
    for (const l of labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith("__")) {
        throw new TypeError(`Invalid label name for ${name}: ${JSON.stringify(l)}`);
      }
      if (seen.has(l)) {
        throw new TypeError(`Duplicate label name for ${name}: ${JSON.stringify(l)}`);
      }
      seen.add(l);
    }
    // An unlabelled metric always has its one series, so it reads 0 before anything happens.
    if (labelNames.length === 0) this.#children.set("", this.newChild(""));
  }

  protected abstract newChild(labelText: string): C;

  /** The series for these label values, created on first use. Cache it on hot paths. */
  labels(labels: Labels = {}): C {
    const values = this.#values(labels);
    const key = keyOf(values);
    let child = this.#children.get(key);
    if (!child) {
      const text = values.length === 0
        ? ""
        : `{${values.map((v, i) => `${this.labelNames[i]}="${escapeLabelValue(v)}"`).join(",")}}`;
      child = this.newChild(text);
      this.#children.set(key, child);
    }
    return child;
  }

  /** The current value of a series, 0 when it does not exist yet. */
  get(labels: Labels = {}): number {
    return this.#children.get(keyOf(this.#values(labels)))?.value ?? 0;
  }

  /** Drops one series (a camera that is gone), so it stops being exported. */
  remove(labels: Labels): void {
    const key = keyOf(this.#values(labels));
    if (this.labelNames.length > 0) this.#children.delete(key);
  }

  /** Drops every labelled series; collect callbacks call it before setting current values. */
  reset(): void {
    if (this.labelNames.length > 0) this.#children.clear();
    else this.#children.get("")!.value = 0;
  }

  /** @internal */
  renderTo(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`);
    for (const c of this.#children.values()) {
      out.push(`${this.name}${c.labelText} ${formatValue(c.value)}\n`);
    }
  }

  #values(labels: Labels): string[] {
    const keys = Object.keys(labels);
    if (keys.length !== this.labelNames.length || !keys.every((k) => this.labelNames.includes(k))) {
      throw new TypeError(
        `Labels for ${this.name} must be exactly [${this.labelNames.join(", ")}]: ` +
          JSON.stringify(keys),
      );
    }
    return this.labelNames.map((n) => String(labels[n]));
  }
}

export class Counter extends Metric<CounterChild> {
  protected newChild(labelText: string): CounterChild {
    return new CounterChild(labelText);
  }

  /** `inc()`, `inc(5)`, `inc({ code: "TC_ERR_BAD_FRAME" })` or `inc({ ... }, 5)`. */
  inc(labels?: Labels | number, n = 1): void {
    if (typeof labels === "number") this.labels().inc(labels);
    else this.labels(labels).inc(n);
  }
}

export class Gauge extends Metric<GaugeChild> {
  protected newChild(labelText: string): GaugeChild {
    return new GaugeChild(labelText);
  }

  /** `set(3)` for an unlabelled gauge, `set({ serial }, 3)` for a labelled one. */
  set(labels: Labels | number, v?: number): void {
    if (typeof labels === "number") this.labels().set(labels);
    else this.labels(labels).set(v ?? 0);
  }

  inc(labels?: Labels | number, n = 1): void {
    if (typeof labels === "number") this.labels().inc(labels);
    else this.labels(labels).inc(n);
  }

  dec(labels?: Labels | number, n = 1): void {
    if (typeof labels === "number") this.labels().dec(labels);
    else this.labels(labels).dec(n);
  }
}

/** A set of metrics rendered together, in registration order. */
export class Metrics {
  #metrics = new Map<string, Counter | Gauge>();
  #collectors = new Set<() => void>();

  counter(name: string, help: string, labelNames: string[] = []): Counter {
    return this.#add(new Counter(name, help, labelNames, "counter"));
  }

  gauge(name: string, help: string, labelNames: string[] = []): Gauge {
    return this.#add(new Gauge(name, help, labelNames, "gauge"));
  }

  /** Runs `fn` before every render (to set gauges from current state); returns the remover. */
  collect(fn: () => void): () => void {
    this.#collectors.add(fn);
    return () => this.#collectors.delete(fn);
  }

  /** The exposition text; runs the collect callbacks first. */
  render(): string {
    for (const fn of this.#collectors) fn();
    const out: string[] = [];
    for (const m of this.#metrics.values()) m.renderTo(out);
    return out.join("");
  }

  #add<M extends Counter | Gauge>(m: M): M {
    if (this.#metrics.has(m.name)) {
      throw new TypeError(`Metric already registered: ${JSON.stringify(m.name)}`);
    }
    this.#metrics.set(m.name, m);
    return m;
  }
}
