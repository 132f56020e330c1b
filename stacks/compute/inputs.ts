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

  /** Replaces every placeholder in `value` (deeply); strings without one are returned as they are. */
  resolve<T>(value: T): T {
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.resolveString(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, this.walk(v)]),
      );
    }
    return value;
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
