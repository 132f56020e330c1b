import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { policyConfigFor } from '../../policies/config';
import { PolicyPackConfig } from '../../policies/types';
import { parseEnvironmentConfig } from '../../stacks/config/load';
import { listEnvironments, readStackFile, stackFilePath } from '../../stacks/config/stack-file';
import { parseArgs } from '../lib/args';
import { ExitCode, UsageError } from '../lib/exit-codes';
import { runMain } from '../lib/main';
import { formatMs, textTable } from '../lib/progress';
import { PlannedResource } from '../plan/harness';
import { evaluatePolicies, hasMandatory } from './evaluate';

const resourceSchema = z.strictObject({
  urn: z.string().startsWith('urn:pulumi:'),
  type: z.string().min(1),
  name: z.string(),
  region: z.string().nullable(),
  parent: z.string().nullable(),
  props: z.record(z.string(), z.unknown()),
  /** Optional: the former URNs this resource answers to (Pulumi `aliases`); read by `npm run diff`. */
  aliases: z.array(z.string().startsWith('urn:pulumi:')).optional(),
});

/** Reads and checks a saved plan; anything malformed is a UsageError naming the element and field. */
export function readPlan(file: string): (PlannedResource & { aliases?: string[] })[] {
  if (!fs.existsSync(file))
    throw new UsageError('<resources.json>', file, 'an existing file written by npm run plan');
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError('<resources.json>', file, `valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(data)) {
    throw new UsageError(
      '<resources.json>',
      data,
      'a JSON array of planned resources, each { urn, type, name, region, parent, props }',
    );
  }
  const parsed = z.array(resourceSchema).safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
    throw new UsageError(
      `<resources.json>${where}`,
      issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], data),
      `${issue.message.replace(/^Invalid input: /, '')} (each element is { urn, type, name, region, parent, props[, aliases] })`,
    );
  }
  return parsed.data;
}

/**
 * The policy config for a saved plan: `--config`, else `policy-config.json` beside it, else derived
 * from the environment named in the URNs (`urn:pulumi:<stack>::...`) and its stack file.
 */
export function resolvePolicyConfig(
  file: string,
  resources: readonly PlannedResource[],
  explicit?: string,
): PolicyPackConfig {
  const sibling = path.join(path.dirname(file), 'policy-config.json');
  const configFile = explicit ?? (fs.existsSync(sibling) ? sibling : undefined);
  if (configFile) {
    if (!fs.existsSync(configFile))
      throw new UsageError('--config', configFile, 'an existing policy config file');
    try {
      return JSON.parse(fs.readFileSync(configFile, 'utf8')) as PolicyPackConfig;
    } catch (e) {
      throw new UsageError('--config', configFile, `valid JSON (${(e as Error).message})`);
    }
  }
  const stack = resources[0]?.urn.split('::')[0].slice('urn:pulumi:'.length);
  if (!stack || !listEnvironments().includes(stack)) return {};
  const sc = readStackFile(stackFilePath(stack));
  return policyConfigFor(
    parseEnvironmentConfig(sc.values, { stack, isSecret: (k) => sc.secretKeys.includes(k) }),
  );
}

/**
 * `npm run policy -- <resources.json> [--json] [--config <file>]`: evaluates the policy pack offline
 * against a saved plan. Exit 0 clean (advisories allowed), 1 on a mandatory violation, 2 on bad input.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const cmd = new Command('policy')
    .description('Evaluate the CrossGuard policy pack against a saved plan (dist/plan/<env>/resources.json).')
    .argument('<resources.json>', 'a plan file written by npm run plan (dist/plan/<env>/resources.json)')
    .option('--json', 'print [{ policy, enforcementLevel, urn, message }] on stdout')
    .option('--config <file>', 'policy pack config (default: policy-config.json beside the plan)');
  parseArgs(cmd, argv);
  const opts = cmd.opts<{ json?: boolean; config?: string }>();
  const file = cmd.args[0];
  const t0 = performance.now();
  const resources = readPlan(file);
  const config = resolvePolicyConfig(file, resources, opts.config);
  const violations = await evaluatePolicies(resources, config);
  const ms = performance.now() - t0;
  if (opts.json) {
    console.log(JSON.stringify(violations, null, 2));
  } else {
    const mandatory = violations.filter((v) => v.enforcementLevel === 'mandatory').length;
    console.log(`evaluated ${resources.length} resources from ${file} in ${formatMs(ms)}`);
    if (violations.length > 0) {
      console.log(
        textTable(
          ['level', 'policy', 'resource', 'message'],
          violations.map((v) => [v.enforcementLevel, v.policy, v.urn.split('::').pop() ?? v.urn, v.message]),
        ),
      );
    }
    console.log(
      `${mandatory} mandatory, ${violations.length - mandatory} advisory violation(s): ${mandatory > 0 ? 'FAIL' : 'PASS'}`,
    );
  }
  return hasMandatory(violations) ? ExitCode.Failed : ExitCode.Ok;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
