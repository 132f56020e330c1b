import { SECRET_MARKER } from '../plan/harness';

/** One changed input: its path (dot-separated, `[i]` for list elements), old and new value. */
export interface PathChange {
  readonly path: string;
  readonly old: unknown;
  readonly new: unknown;
}

/** Input names whose values are shown masked even if the plan ever held them in plaintext. */
const SECRET_KEY = /(password|secret|token|apikey|appkey|privatekey)$/i;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function join(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

/**
 * The leaf inputs that differ between two resources' props. Objects are compared key by key, lists
 * of the same length element by element; a list whose length changed is one change. A value that is
 * a secret on either side (the plan writes secrets as `[secret]`), or whose input name reads as a
 * secret, is shown as `[secret]` on both sides. A secret whose ciphertext changed is invisible to
 * an offline diff: both plans hold the marker.
 */
export function diffProps(oldProps: unknown, newProps: unknown, base = ''): PathChange[] {
  if (same(oldProps, newProps)) return [];
  if ((isObject(oldProps) || oldProps === undefined) && (isObject(newProps) || newProps === undefined)) {
    const o = oldProps ?? {};
    const n = newProps ?? {};
    const keys = [...new Set([...Object.keys(o), ...Object.keys(n)])].sort();
    return keys.flatMap((k) => diffProps(o[k], n[k], join(base, k)));
  }
  if (Array.isArray(oldProps) && Array.isArray(newProps) && oldProps.length === newProps.length) {
    return oldProps.flatMap((v, i) => diffProps(v, newProps[i], `${base}[${i}]`));
  }
  const secret =
    oldProps === SECRET_MARKER || newProps === SECRET_MARKER || SECRET_KEY.test(base.split('.').pop() ?? '');
  return [
    secret
      ? {
          path: base,
          old: oldProps === undefined ? undefined : SECRET_MARKER,
          new: newProps === undefined ? undefined : SECRET_MARKER,
        }
      : { path: base, old: oldProps, new: newProps },
  ];
}
