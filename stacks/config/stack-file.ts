import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { SECRET_KEYS } from './load';
import { ENVIRONMENTS } from './schema';

/** What a stack file holds, flattened the way `pulumi.runtime.allConfig()` returns it. */
export interface StackFileConfig {
  /** Every key as `namespace:key`; object values are JSON strings, as Pulumi hands them over. */
  readonly values: Record<string, string>;
  /** Keys that are secrets (declared `secure:` in the file, or substituted placeholders). */
  readonly secretKeys: string[];
}

/** The value the offline plan uses in place of secrets it cannot decrypt. */
export const OFFLINE_SECRET_PLACEHOLDER = 'offline-plan-placeholder';

/** Directory of the stack config files (`stackConfigDir` in Pulumi.yaml). */
export const ENVIRONMENTS_DIR = path.resolve(__dirname, '..', '..', 'environments');

/** Path of an environment's stack config file. */
export function stackFilePath(env: string, dir = ENVIRONMENTS_DIR): string {
  return path.join(dir, `Pulumi.${env}.yaml`);
}

/** Environments that have a stack file, in promotion order (dev, staging, prod), then any others. */
export function listEnvironments(dir = ENVIRONMENTS_DIR): string[] {
  const rank = (e: string) => {
    const i = (ENVIRONMENTS as readonly string[]).indexOf(e);
    return i < 0 ? ENVIRONMENTS.length : i;
  };
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.([\w-]+)\.yaml$/.exec(f)?.[1])
    .filter((e): e is string => e !== undefined)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Reads `environments/Pulumi.<env>.yaml` for the offline plan.
 * `secure:` values cannot be decrypted without the Pulumi CLI, so they, and any missing
 * {@link SECRET_KEYS}, become secret placeholders: an offline plan never holds a real secret.
 */
export function readStackFile(file: string): StackFileConfig {
  const doc: unknown = parse(fs.readFileSync(file, 'utf8'));
  const config = (doc as { config?: Record<string, unknown> } | null)?.config ?? {};
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (value !== null && typeof value === 'object' && 'secure' in value) {
      values[key] = OFFLINE_SECRET_PLACEHOLDER;
      secretKeys.push(key);
    } else {
      values[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  for (const key of SECRET_KEYS) {
    if (values[key] === undefined) {
      values[key] = OFFLINE_SECRET_PLACEHOLDER;
      secretKeys.push(key);
    }
  }
  return { values, secretKeys };
}
