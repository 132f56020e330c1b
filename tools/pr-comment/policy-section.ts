import { Violation } from '../policy/evaluate';
import { RANK } from './diff-section';
import { Block } from './fit';
import { EnvPolicy, violationKey } from './inputs';
import { byEnvOrder, code, shortName, table, tableBlock } from './markdown';

function rows(p: EnvPolicy, vs: readonly Violation[]): { isNew: boolean; cells: string[] }[] {
  return vs.map((v) => {
    const isNew = !p.onBase.has(violationKey(v));
    return {
      isNew,
      cells: [
        p.env,
        isNew ? '**new**' : 'on base',
        code(v.policy),
        v.urn ? code(shortName(v.urn)) : '(stack)',
        v.message,
      ],
    };
  });
}

/**
 * The policy section: per environment the head plan's mandatory and advisory verdicts, how many are
 * new against the base and how many the change resolves; then the verdicts, new ones first.
 */
export function policyBlocks(policy: readonly EnvPolicy[]): Block[] {
  const envs = [...policy].sort((a, b) => byEnvOrder(a.env, b.env));
  const count = (p: EnvPolicy, level: Violation['enforcementLevel']) =>
    p.head.filter((v) => v.enforcementLevel === level).length;
  const mandatory = envs.reduce((a, p) => a + count(p, 'mandatory'), 0);
  const verdict =
    mandatory > 0
      ? `**Policy verdict: FAIL.** ${mandatory} mandatory violation(s) on the head plan: \`npm run plan\` exits 1.`
      : '**Policy verdict: PASS.** No mandatory violation on the head plan.';
  const summary = table(
    ['env', 'mandatory', 'advisory', 'new in this change', 'resolved by this change'],
    envs.map((p) => [
      p.env,
      String(count(p, 'mandatory')),
      String(count(p, 'advisory')),
      String(p.head.filter((v) => !p.onBase.has(violationKey(v))).length),
      String(p.resolved.length),
    ]),
  );
  const blocks: Block[] = [{ kind: 'fixed', text: `### Policy findings\n\n${verdict}\n\n${summary}` }];
  const headers = ['env', 'against base', 'policy', 'resource', 'message'];
  for (const level of ['mandatory', 'advisory'] as const) {
    const all = envs
      .flatMap((p) =>
        rows(
          p,
          p.head.filter((v) => v.enforcementLevel === level),
        ),
      )
      .sort((a, b) => Number(b.isNew) - Number(a.isNew));
    if (all.length === 0) continue;
    blocks.push(
      tableBlock(
        headers,
        all.map((r) => r.cells),
        level === 'mandatory' ? RANK.mandatory : RANK.advisories,
        `the ${level} policy findings`,
        `**${level === 'mandatory' ? 'Mandatory' : 'Advisory'}** (${all.length}):`,
      ),
    );
  }
  return blocks;
}
