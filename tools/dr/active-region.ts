import { PROJECT } from '../../stacks/config/load';

/** The stack config key that says which region serves (and so runs the full autoscaler minimums). */
export const ACTIVE_REGION_KEY = `${PROJECT}:dr.activeRegion`;

/** What the operator must do after traffic moved, so the next `pulumi up` keeps the serving region at full capacity. */
export interface ActiveRegionFollowUp {
  /** The region now serving. */
  readonly region: string;
  /** The exact command that makes the stack config say so. */
  readonly command: string;
  /** The file the command edits, to commit (CI deploys from main). */
  readonly stackFile: string;
  /** The stack config already names this region (e.g. after a whole drill): nothing to change. */
  readonly alreadyConfigured?: boolean;
}

/** Marks the follow-up as done already when the stack config's active region is the serving one. */
export function withConfiguredRegion<T extends { readonly activeRegionConfig?: ActiveRegionFollowUp }>(
  result: T,
  configuredActiveRegion: string | undefined,
): T {
  const f = result.activeRegionConfig;
  if (!f || configuredActiveRegion === undefined) return result;
  return { ...result, activeRegionConfig: { ...f, alreadyConfigured: f.region === configuredActiveRegion } };
}

/**
 * `pulumi config set --stack <env>-global --config-file environments/Pulumi.<env>.yaml --path
 * 'risk-platform:dr.activeRegion' <region>`: the key lives in the environment's shared file (one stack
 * per region; stacks/config/units.ts), which no stack owns, so the CLI edits it through the global stack
 * with `--config-file` (any stack of the environment would do; every stack reads the shared file).
 */
export function activeRegionCommand(env: string, region: string): string {
  return `pulumi config set --stack ${env}-global --config-file environments/Pulumi.${env}.yaml --path '${ACTIVE_REGION_KEY}' ${region}`;
}

export function activeRegionFollowUp(env: string, region: string): ActiveRegionFollowUp {
  return {
    region,
    command: activeRegionCommand(env, region),
    stackFile: `environments/Pulumi.${env}.yaml`,
  };
}
