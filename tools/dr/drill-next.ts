import type { DrillResult } from './drill';

/**
 * Drills stay drills (issue 16 finding 12): a drill's runs are `<drillId>.failover` and
 * `<drillId>.failback`. Pure helpers for recognising them and saying what to do next.
 */

/** The drill a run belongs to, and which half it is; undefined for a plain run. */
export function drillOfRun(
  runId: string,
): { readonly drillId: string; readonly half: 'failover' | 'failback' } | undefined {
  const m = /^(drill-[^.]+)\.(failover|failback)$/.exec(runId);
  return m ? { drillId: m[1], half: m[2] as 'failover' | 'failback' } : undefined;
}

/** The `--to` of the command that resumes a drill: its failover's target. */
export function drillTarget(run: {
  readonly runId: string;
  readonly from: string;
  readonly to: string;
}): string {
  return drillOfRun(run.runId)?.half === 'failback' ? run.from : run.to;
}

/** Why a plain `failover` / `failback` must not take over a drill's run (undefined for a plain run). */
export function drillRunRefusal(
  environment: string,
  kind: string,
  run: {
    readonly runId: string;
    readonly from: string;
    readonly to: string;
    readonly startedAt: string;
    readonly owner: string;
  },
): string | undefined {
  const d = drillOfRun(run.runId);
  if (!d) return undefined;
  return (
    `run ${run.runId} (${run.from} -> ${run.to}, started ${run.startedAt} by ${run.owner}) is the ${d.half} half of drill ${d.drillId}; ` +
    `a plain \`dr ${kind}\` does not take over a drill: resume the drill with \`npm run dr -- drill --env ${environment} --to ${drillTarget(run)}\`, ` +
    `or, if its flip has not happened, close it with \`npm run dr -- abort --env ${environment}\``
  );
}

/**
 * What the operator must do after a drill that did not complete, or undefined (completed, planned,
 * or refused before anything moved). Never "commit the DR region as active": a drill's traffic in
 * the DR region is the drill's, and the way out is to resume it.
 */
export function drillNextAction(d: DrillResult): string | undefined {
  if (!d.drillId || d.status === 'completed' || d.status === 'planned') return undefined;
  const { from, to } = d.failover;
  const resume = `\`npm run dr -- drill --env ${d.environment} --to ${to}\``;
  if (d.failover.status !== 'completed') {
    if (d.failover.status === 'refused') return undefined;
    return (
      `drill ${d.drillId} is unfinished: its failover stopped (${d.failover.error ?? 'failed'}). Resume the drill with ${resume}, ` +
      `or, if its flip has not happened, close it with \`npm run dr -- abort --env ${d.environment}\` (traffic stays in ${from})`
    );
  }
  const why = d.failback?.error ?? 'not run';
  const override =
    d.failback?.status === 'refused'
      ? ` (add \`--force --reason "..."\` only to override the refused preflight deliberately)`
      : '';
  return (
    `drill ${d.drillId} is unfinished: traffic is in ${to} because of the drill's failover, and its failback ` +
    `${d.failback?.status === 'refused' ? 'was refused' : 'stopped'} (${why}). This is a drill: do not set ${to} as the ` +
    `active region in the stack config. Fix the cause and resume the drill with ${resume}${override}: it runs the failback only.`
  );
}
