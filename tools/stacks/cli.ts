import { appendFileSync } from 'node:fs';
import { Command } from 'commander';
import { unitStackName } from '../../stacks/config/load';
import { freshOrder, RolloutStep, rolloutOrder } from '../../stacks/units/order';
import { readEnvironmentConfig } from '../dr/guard';
import { parseArgs } from '../lib/args';
import { ExitCode } from '../lib/exit-codes';
import { runMain } from '../lib/main';

/** What `npm run stacks -- order` prints with `--json`. */
export interface StackOrder {
  readonly env: string;
  /** A fresh environment's stacks in deploy order: global, primary, DR. */
  readonly fresh: readonly string[];
  /** An update: global, the standby, its gate, the serving region, its gate. */
  readonly rollout: readonly RolloutStep[];
  /** The region taking traffic by the config (`dr.activeRegion`), and the other. */
  readonly serving: string;
  readonly standby: string;
}

/** The deploy order of an environment's stacks, from its shared config. */
export function stackOrder(env: string, environmentsDir?: string): StackOrder {
  const { config } = readEnvironmentConfig(env, environmentsDir);
  const rollout = rolloutOrder(config);
  const serving = config.activeRegion;
  return {
    env,
    fresh: freshOrder(config).map((u) => unitStackName(env, u)),
    rollout,
    serving,
    standby: config.sites.map((s) => s.region).find((r) => r !== serving)!,
  };
}

/** The human form: one line per step, numbered. */
export function renderStackOrder(o: StackOrder): string {
  const line = (s: RolloutStep, i: number) =>
    s.kind === 'gate'
      ? `  ${i + 1}. gate    npm run dr -- gate --env ${o.env} --region ${s.region}`
      : `  ${i + 1}. deploy  ${s.stack}${s.unit === 'global' ? '' : s.serving ? ' (serving)' : ' (standby)'}`;
  return [
    `${o.env}: serving ${o.serving}, standby ${o.standby}`,
    `fresh environment: ${o.fresh.join(' -> ')}`,
    'update:',
    ...o.rollout.map(line),
  ].join('\n');
}

/**
 * `npm run stacks -- order --env <env> [--json] [--github-output <file>]`: the order in which CI deploys
 * the environment's stacks. `--github-output` appends `serving=`, `standby=`, `global=`,
 * `serving_stack=` and `standby_stack=` lines (GitHub's `$GITHUB_OUTPUT`), so the deploy workflow
 * orders its jobs by the config without a hand-kept copy of it.
 */
export async function main(argv: readonly string[], environmentsDir?: string): Promise<number> {
  const cmd = new Command('stacks').description("An environment's stacks and their deploy order.");
  cmd
    .command('order')
    .description('the deploy order of an environment: fresh, and the update waves with their gates')
    .requiredOption('--env <env>', 'the environment')
    .option('--json', 'print { env, fresh, rollout, serving, standby }')
    .option('--github-output <file>', 'append serving/standby and their stacks as key=value lines');
  parseArgs(cmd, argv);
  const sub = cmd.commands[0];
  const o = sub.opts<{ env: string; json?: boolean; githubOutput?: string }>();
  const order = stackOrder(o.env, environmentsDir);
  if (o.githubOutput) {
    appendFileSync(
      o.githubOutput,
      [
        `global=${unitStackName(o.env, 'global')}`,
        `serving=${order.serving}`,
        `standby=${order.standby}`,
        `serving_stack=${o.env}-${order.serving}`,
        `standby_stack=${o.env}-${order.standby}`,
        '',
      ].join('\n'),
    );
  }
  console.log(o.json ? JSON.stringify(order, null, 2) : renderStackOrder(order));
  return ExitCode.Ok;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
