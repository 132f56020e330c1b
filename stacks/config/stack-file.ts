import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { ConfigError, SECRET_KEYS } from './load';
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

/** The unit suffix of a stack file name (`-global`, `-us-west-2`). */
const UNIT_SUFFIX = /-(global|[a-z]{2}(?:-gov)?-[a-z]+-\d)$/;

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
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ConfigError('(all)', [
      {
        key: 'environments directory',
        received: JSON.stringify(dir),
        expected: 'an existing directory of Pulumi.<env>.yaml files',
      },
    ]);
  }
  return (
    fs
      .readdirSync(dir)
      .map((f) => /^Pulumi\.([\w-]+)\.yaml$/.exec(f)?.[1])
      // `Pulumi.<env>-<unit>.yaml` are the environment's stacks, not environments (stacks/config/units.ts).
      .filter((e): e is string => e !== undefined && !UNIT_SUFFIX.test(e))
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  );
}

/**
 * Reads `environments/Pulumi.<env>.yaml` for the offline plan.
 * `secure:` values cannot be decrypted without the Pulumi CLI, so they, and any missing
 * {@link SECRET_KEYS}, become secret placeholders: an offline plan never holds a real secret.
 */
export function readStackFile(file: string, opts: { placeholders?: boolean } = {}): StackFileConfig {
  const stack = /Pulumi\.([\w-]+)\.yaml$/.exec(file)?.[1] ?? file;
  const refuse = (received: string, expected: string) =>
    new ConfigError(stack, [{ key: path.basename(file), received, expected }]);
  if (!fs.existsSync(file))
    throw refuse('nothing (the file does not exist)', `a stack config file at ${file}`);
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw refuse(
      `invalid YAML (${(e as Error).message.split('\n')[0]})`,
      'a YAML document with a `config:` mapping',
    );
  }
  const raw = (doc as { config?: unknown } | null)?.config ?? {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw refuse(`config: ${JSON.stringify(raw)}`, 'a `config:` mapping of namespace:key to value');
  }
  const config = raw as Record<string, unknown>;
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
  return opts.placeholders === false
    ? { values, secretKeys }
    : withSecretPlaceholders({ values, secretKeys });
}

/** Adds a secret placeholder for every {@link SECRET_KEYS} entry the config lacks (offline plans only). */
export function withSecretPlaceholders(config: StackFileConfig): StackFileConfig {
  const values = { ...config.values };
  const secretKeys = [...config.secretKeys];
  for (const key of SECRET_KEYS) {
    if (values[key] === undefined) {
      values[key] = OFFLINE_SECRET_PLACEHOLDER;
      secretKeys.push(key);
    }
  }
  return { values, secretKeys };
}
