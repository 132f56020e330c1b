import * as path from 'path';
import { ConfigError, PROJECT, StackUnit, unitStackName } from './load';
import {
  ENVIRONMENTS_DIR,
  readStackFile,
  StackFileConfig,
  stackFilePath,
  withSecretPlaceholders,
} from './stack-file';

/**
 * One stack per region (docs/ARCHITECTURE.md, "One stack per region"). An environment `<env>` is three
 * Pulumi stacks of the same program: `<env>-global`, `<env>-<primary>` and `<env>-<dr>`. The
 * environment's settings live once, in the shared `environments/Pulumi.<env>.yaml`; each stack's own
 * file (`Pulumi.<env>-<unit>.yaml`) holds `risk-platform:unit` and the stack's secrets. The loader
 * merges the two and refuses a key set in both (an override would make one file lie about the other).
 */

/** The key that names a stack's unit. */
export const UNIT_KEY = `${PROJECT}:unit`;

/** `<env>-global` or `<env>-<region>` (the region as AWS spells it). */
const UNIT_STACK = /^([a-z][\w]*)-(global|[a-z]{2}(?:-gov)?-[a-z]+-\d)$/;

/** Splits a unit stack name into its environment and unit; undefined for any other name. */
export function splitStackName(stack: string): { environment: string; unit: StackUnit } | undefined {
  const m = UNIT_STACK.exec(stack);
  return m ? { environment: m[1], unit: m[2] as StackUnit } : undefined;
}

/** Path of a unit stack's own config file. */
export function unitStackFilePath(env: string, unit: StackUnit, dir = ENVIRONMENTS_DIR): string {
  return stackFilePath(unitStackName(env, unit), dir);
}

/** A stack file's flattened config and where it came from. */
export interface SourcedConfig extends StackFileConfig {
  readonly file: string;
}

/**
 * The stack's config: the environment's shared settings plus the stack's own keys. A key in both is a
 * {@link ConfigError} naming the key and both files; nothing is overridden silently.
 */
export function mergeStackConfig(stack: string, shared: SourcedConfig, own: SourcedConfig): StackFileConfig {
  const twice = Object.keys(own.values).filter((k) => k in shared.values);
  if (twice.length > 0) {
    throw new ConfigError(
      stack,
      twice.map((key) => ({
        key,
        received: `a value in both ${path.basename(shared.file)} and ${path.basename(own.file)}`,
        expected: `one place: environment settings in ${path.basename(shared.file)}, the stack's unit and secrets in ${path.basename(own.file)}`,
      })),
    );
  }
  const misplaced = [UNIT_KEY].filter((k) => k in shared.values);
  if (misplaced.length > 0) {
    throw new ConfigError(stack, [
      {
        key: UNIT_KEY,
        received: `a value in the shared ${path.basename(shared.file)}`,
        expected: `the unit only in each stack's own file (Pulumi.<env>-<unit>.yaml)`,
      },
    ]);
  }
  return {
    values: { ...shared.values, ...own.values },
    secretKeys: [...new Set([...shared.secretKeys, ...own.secretKeys])],
  };
}

/** Reads a unit stack's two files (shared, then own) and merges them: what the offline plan hands Pulumi. */
export function readUnitStackConfig(env: string, unit: StackUnit, dir = ENVIRONMENTS_DIR): StackFileConfig {
  const sharedFile = stackFilePath(env, dir);
  const ownFile = unitStackFilePath(env, unit, dir);
  const own = { ...readStackFile(ownFile, { placeholders: false }), file: ownFile };
  const declared = own.values[UNIT_KEY];
  if (declared !== undefined && declared !== unit) {
    throw new ConfigError(unitStackName(env, unit), [
      {
        key: UNIT_KEY,
        received: JSON.stringify(declared),
        expected: `${JSON.stringify(unit)} (the file name's unit)`,
      },
    ]);
  }
  const shared = { ...readStackFile(sharedFile, { placeholders: false }), file: sharedFile };
  return withSecretPlaceholders(mergeStackConfig(unitStackName(env, unit), shared, own));
}

/**
 * The config a unit stack's program sees under `pulumi up` / `preview`: Pulumi hands it the stack's own
 * file only, so the environment's shared file is read from `environments/` and merged. A config that
 * already carries the environment (the offline plan merges before it runs the program) is complete.
 */
export function resolveProgramConfig(
  stack: string,
  own: Readonly<Record<string, string>>,
  isSecret: (key: string) => boolean,
  dir = ENVIRONMENTS_DIR,
): { values: Record<string, string>; isSecret: (key: string) => boolean } {
  if (`${PROJECT}:environment` in own) return { values: { ...own }, isSecret };
  const split = splitStackName(stack);
  if (!split) {
    throw new ConfigError(stack, [
      {
        key: 'stack name',
        received: JSON.stringify(stack),
        expected: '<env>-global or <env>-<region> (for example prod-global, prod-us-west-2)',
      },
    ]);
  }
  const sharedFile = stackFilePath(split.environment, dir);
  const shared = { ...readStackFile(sharedFile, { placeholders: false }), file: sharedFile };
  const merged = mergeStackConfig(stack, shared, {
    values: { ...own },
    secretKeys: Object.keys(own).filter(isSecret),
    file: `Pulumi.${stack}.yaml`,
  });
  return { values: merged.values, isSecret: (k) => merged.secretKeys.includes(k) };
}
