import { EnvironmentConfig } from '../../stacks/config/load';
import { freshOrder, rolloutOrder } from '../../stacks/units/order';
import { PlannedResource } from './harness';
import { markdownTable } from '../lib/progress';

/** What the stacks section needs of one planned stack. */
export interface ReportStack {
  readonly stack: string;
  readonly unit: string;
  readonly resources: readonly PlannedResource[];
}

/**
 * The report's "Stacks" section: each stack with its resource count and the AWS regions its resources
 * land in, the deploy order of a fresh environment and of an update (with the gates), and a Mermaid
 * flowchart of the update's waves.
 */
export function renderStacksSection(
  config: Pick<EnvironmentConfig, 'environment' | 'regions' | 'activeRegion'>,
  stacks: readonly ReportStack[],
): string {
  const rows = stacks.map((s) => {
    const regions = [
      ...new Set(s.resources.filter((r) => r.type.startsWith('aws:') && r.region).map((r) => r.region)),
    ];
    return [
      `\`${s.stack}\``,
      s.unit,
      String(s.resources.length),
      regions.sort().join(', ') || '(global services only)',
    ];
  });
  const rollout = rolloutOrder(config);
  const id = (i: number) => `s${i}`;
  const label = (i: number) => {
    const s = rollout[i];
    return s.kind === 'gate'
      ? `gate ${s.region}`
      : `${s.stack}${s.unit === 'global' ? '' : s.serving ? ' (serving)' : ' (standby)'}`;
  };
  const mermaid = [
    'flowchart LR',
    ...rollout.map((s, i) => (s.kind === 'gate' ? `  ${id(i)}{"${label(i)}"}` : `  ${id(i)}["${label(i)}"]`)),
    `  ${rollout.map((_, i) => id(i)).join(' --> ')}`,
  ].join('\n');
  return [
    '## Stacks',
    '',
    markdownTable(['stack', 'unit', 'resources', 'AWS regions'], rows),
    '',
    `Fresh environment: ${freshOrder(config)
      .map((u) => `\`${config.environment}-${u}\``)
      .join(' → ')}.`,
    `Update (serving region \`${config.activeRegion}\`, from \`dr.activeRegion\`): global, the standby, its gate, the serving region, its gate. A gate (\`npm run dr -- gate\`) failing stops the rollout.`,
    '',
    '```mermaid',
    mermaid,
    '```',
    '',
  ].join('\n');
}
