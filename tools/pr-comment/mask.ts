import { PlanRecord } from '../diff/load';
import { SECRET_MARKER } from '../plan/harness';

/**
 * Names that read as secrets, compared without `_` and `-` (`apiKey`, `DD_API_KEY`, `db-password`).
 * The same endings the diff masks leaf inputs by (tools/diff/props-diff.ts).
 */
const SECRET_NAME = /(password|secret|token|apikey|appkey|privatekey)$/i;

/** Shorter values are not collected for scrubbing (they would match ordinary words); a secret-named input is masked whatever its length. */
const MIN_SECRET_LENGTH = 8;

export const isSecretName = (name: string): boolean => SECRET_NAME.test(name.replace(/[-_]/g, ''));

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const plaintext = (v: unknown): v is string =>
  typeof v === 'string' && v !== SECRET_MARKER && v.length >= MIN_SECRET_LENGTH;

/**
 * Every plaintext value a plan holds where a secret belongs: an input whose name reads as a secret,
 * or a `{ name, value }` pair (a container's environment variable) whose name does. A correct plan
 * holds none (secrets are written as `[secret]`); this is the net for one that does.
 */
export function secretValues(resources: readonly PlanRecord[]): Set<string> {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) {
      if (typeof v.name === 'string' && isSecretName(v.name) && plaintext(v.value)) found.add(v.value);
      for (const [k, x] of Object.entries(v)) {
        if (isSecretName(k) && plaintext(x)) found.add(x);
        else walk(x);
      }
    }
  };
  for (const r of resources) walk(r.props);
  return found;
}

/** A value with every secret masked: secret-named inputs, and any string containing a known secret. */
export function maskValue(v: unknown, secrets: ReadonlySet<string>): unknown {
  if (typeof v === 'string') return [...secrets].some((s) => v.includes(s)) ? SECRET_MARKER : v;
  if (Array.isArray(v)) return v.map((x) => maskValue(x, secrets));
  if (!isObject(v)) return v;
  const secretPair = typeof v.name === 'string' && isSecretName(v.name);
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [
      k,
      (isSecretName(k) || (secretPair && k === 'value')) && typeof x === 'string'
        ? SECRET_MARKER
        : maskValue(x, secrets),
    ]),
  );
}

/** The text with every occurrence of a known secret replaced by `[secret]` (longest first). */
export function scrub(text: string, secrets: ReadonlySet<string>): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(SECRET_MARKER);
  return out;
}
