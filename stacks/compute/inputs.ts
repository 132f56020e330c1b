import * as pulumi from '@pulumi/pulumi';

/**
 * Carrying Pulumi Inputs through a plain-data generator (cdk8s) without creating resources inside
 * an `apply`.
 *
 * The charts need strings; some of the values (ARNs, queue URLs) are Outputs of other resources.
 * {@link InputTokens.token} hands the generator a unique placeholder string for each Output, and
 * {@link InputTokens.resolve} walks the generated manifests and turns every string that contains a
 * placeholder back into an Output. The set of objects, their kinds and names are therefore known
 * when the program runs (every object shows in `pulumi preview`); only the values that really are
 * unknown until apply are unknown.
 */
export class InputTokens {
  private readonly tokens = new Map<string, pulumi.Input<string>>();
  private readonly lists = new Map<string, pulumi.Input<readonly string[]>>();

  /**
   * A placeholder for `value`, or `value` itself when it is already a plain string.
   * @param key a stable, unique name for the value (`streamArn`)
   * @param shape wraps the placeholder so it passes the generator's validation, e.g. as an IAM role ARN
   */
  token(key: string, value: pulumi.Input<string>, shape: (placeholder: string) => string = (p) => p): string {
    if (typeof value === 'string') return value;
    if (!/^[A-Za-z0-9]+$/.test(key)) throw new Error(`'key' (${JSON.stringify(key)}) must be alphanumeric`);
    const placeholder = shape(`__pulumi_input_${key}__`);
    if (this.tokens.has(placeholder))
      throw new Error(`'key' (${JSON.stringify(key)}) is already used by another input`);
    this.tokens.set(placeholder, value);
    return placeholder;
  }

  /**
   * A one-element stand-in for a list whose length is unknown until apply (e.g. a prefix list's
   * CIDRs). The element is a sentinel IPv4 CIDR from 0.0.0.0/8 ("this network", RFC 1122: never a
   * real peer), so it passes the generator's CIDR validation. {@link resolve} replaces every array
   * element that holds the sentinel (the string itself, or an object such as `{ ipBlock: { cidr } }`)
   * with one copy of that element per value of the list.
   */
  list(key: string, value: pulumi.Input<readonly string[]>): string[] {
    if (!/^[A-Za-z0-9]+$/.test(key)) throw new Error(`'key' (${JSON.stringify(key)}) must be alphanumeric`);
    if (this.lists.size >= 255) throw new Error(`at most 255 list inputs are supported, got '${key}'`);
    const sentinel = `0.0.0.${this.lists.size + 1}/32`;
    this.lists.set(sentinel, value);
    return [sentinel];
  }

  /** Replaces every placeholder in `value` (deeply); strings without one are returned as they are. */
  resolve<T>(value: T): T {
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.resolveString(value);
    if (Array.isArray(value)) return this.walkArray(value);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, this.walk(v)]),
      );
    }
    return value;
  }

  /** An array; when an element holds a list sentinel, an Output of the array with that element expanded. */
  private walkArray(items: readonly unknown[]): unknown {
    const expanded = items.map((item): pulumi.Output<unknown[]> | undefined => {
      const sentinel = [...this.lists.keys()].find((k) => holds(item, k));
      if (sentinel === undefined) return undefined;
      const values = this.lists.get(sentinel) as pulumi.Input<readonly string[]>;
      return pulumi
        .output(values)
        .apply((vs) => pulumi.all(vs.map((v) => this.outputOf(replaceDeep(item, sentinel, v)))));
    });
    if (expanded.every((e) => e === undefined)) return items.map((v) => this.walk(v));
    const chunks = items.map((item, i) => expanded[i] ?? this.outputOf(item).apply((x) => [x]));
    return pulumi.all(chunks).apply((cs) => (cs as unknown[][]).flat());
  }

  /** `value` resolved, as one Output (its nested Outputs unwrapped). */
  private outputOf(value: unknown): pulumi.Output<unknown> {
    return pulumi.output(this.walk(value)) as pulumi.Output<unknown>;
  }

  private resolveString(s: string): pulumi.Input<string> {
    const found = [...this.tokens.keys()].filter((t) => s.includes(t));
    const leftover = found.reduce((acc, t) => acc.split(t).join(''), s);
    if (leftover.includes('__pulumi_input_')) {
      throw new Error(
        `a generated value (${JSON.stringify(s)}) holds a mangled input placeholder; expected each one whole`,
      );
    }
    if (found.length === 0) return s;
    return pulumi
      .all(found.map((t) => this.tokens.get(t) as pulumi.Input<string>))
      .apply((values) => found.reduce((acc, t, i) => acc.split(t).join(values[i]), s));
  }
}

/**
 * True when `value` is the string `s` or holds it in its fields, not inside a nested array: the
 * element to repeat is the one of the innermost array around the sentinel (`{ ipBlock: { cidr } }`
 * in `to: [...]`, not the whole egress rule).
 */
function holds(value: unknown, s: string): boolean {
  if (value === s) return true;
  if (value !== null && typeof value === 'object' && !Array.isArray(value))
    return Object.values(value).some((v) => holds(v, s));
  return false;
}

/** A deep copy of `value` with every string equal to `from` replaced by `to`. */
function replaceDeep(value: unknown, from: string, to: string): unknown {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]));
  }
  return value;
}
