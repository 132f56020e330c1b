import * as fs from 'fs';
import * as path from 'path';
import { estimateCost } from '../../tools/cost/estimate';
import { PRICE_FILE, readPriceTable } from '../../tools/cost/prices';
import { costDelta, usd } from '../../tools/cost/render';
import { diffPlans } from '../../tools/diff/diff';
import { loadPlan } from '../../tools/diff/load';
import { assembleComment, DEFAULT_BUDGET, GITHUB_COMMENT_LIMIT } from '../../tools/pr-comment/assemble';
import { main } from '../../tools/pr-comment/cli';
import { sizeOf } from '../../tools/pr-comment/fit';
import { gather, PrViewInput } from '../../tools/pr-comment/inputs';
import { runCli } from '../diff/cli-run';
import { tempDir } from '../helpers/tmp';
import { BASE, HEAD, hugePlans, PLAINTEXT_SECRETS, SIM, SIM_FILE_FIXTURE } from './samples';

const ARTIFACTS = 'the `pr-view` artifact of this run';

let withoutSim: PrViewInput;
let withSim: PrViewInput;

beforeAll(async () => {
  withoutSim = await gather(BASE, HEAD, {});
  withSim = { ...withoutSim, sim: SIM };
});

describe('the comment on the fixture pair', () => {
  test('puts the diff first, then the policy findings, the cost, the simulation and the reports', () => {
    const c = assembleComment(withSim, { artifacts: ARTIFACTS });
    expect(c.sections).toEqual([
      'Infrastructure change: needs attention',
      'Changes against the base branch',
      'Policy findings',
      'Monthly cost',
      'Capacity simulation (prod)',
      'Full plan reports (head)',
    ]);
    expect(c.cuts).toEqual([]);
  });

  test('omits the capacity simulation section when the simulator left no verdicts', () => {
    const c = assembleComment(withoutSim, { artifacts: ARTIFACTS });
    expect(c.sections).toEqual([
      'Infrastructure change: needs attention',
      'Changes against the base branch',
      'Policy findings',
      'Monthly cost',
      'Full plan reports (head)',
    ]);
    expect(c.text).not.toContain('Capacity simulation');
  });

  test('shows each trace with its verdict, RTO and breach, and each workload', () => {
    const c = assembleComment(withSim, { artifacts: ARTIFACTS, simFile: 'dist/sim/prod.json' });
    expect(c.text).toContain('| black-friday | **pass** | n/a | 0 of 1 | 0 s |');
    expect(c.text).toContain('| regional-failover | **breach** | 240 s | 1 of 2 | 30 s |');
    expect(c.text).toContain('| regional-failover | scoring-api | us-east-1 | 310 s | 30 s | 52 | 15 |');
    expect(c.text).toContain('_From `dist/sim/prod.json` (`npm run simulate -- --env prod --json`)._');
  });

  test('marks an advisory trace (issue 12 surprise-spike) next to its verdict', () => {
    const sim = {
      ...SIM,
      traces: [{ ...SIM.traces[0], trace: 'surprise-spike', verdict: 'fail', budget: 'advisory' }],
    };
    const c = assembleComment(
      { ...withoutSim, sim },
      { artifacts: ARTIFACTS, simFile: 'dist/sim/prod.json' },
    );
    expect(c.text).toContain('| surprise-spike | **fail** (advisory) | n/a | 0 of 1 | 0 s |');
  });

  test('highlights the stateful deletion with the guard verdict BLOCKED, above the changes', () => {
    const c = assembleComment(withoutSim, { artifacts: ARTIFACTS });
    expect(c.text).toContain('**Stateful guard: BLOCKED.** 1 resource(s) that hold data');
    const row =
      '| **BLOCKED** | delete | Queue | `us-west-2-old-queue` | deletes a resource that holds data: its data is lost unless acknowledged in acknowledged-replacements.json |';
    expect(c.text).toContain(row);
    expect(c.text.indexOf(row)).toBeLessThan(c.text.indexOf('#### dev'));
    expect(c.text).toContain('| **delete** (holds data) | prod | Queue | `us-west-2-old-queue` |');
    expect(c.text.indexOf('#### dev')).toBeLessThan(c.text.indexOf('#### prod'));
  });

  test('marks the policy findings the change introduces as new', () => {
    const c = assembleComment(withoutSim, { artifacts: ARTIFACTS });
    expect(c.text).toContain('**Policy verdict: FAIL.**');
    expect(c.text).toMatch(
      /\| prod \| \*\*new\*\* \| `no-secret-literals-in-env` \| `us-west-2-risk-scoring\/scoring-api` \|/,
    );
    const prod = withoutSim.policy.find((p) => p.env === 'prod')!;
    const fresh = prod.head.filter((v) => !prod.onBase.has(`${v.policy}|${v.urn}|${v.message}`));
    expect(fresh.map((v) => v.policy).sort()).toEqual(['no-secret-literals-in-env', 'required-tags']);
  });

  test('shows each environment cost with the same delta as npm run cost -- --base', () => {
    const prices = readPriceTable(PRICE_FILE);
    const c = assembleComment(withoutSim, { artifacts: ARTIFACTS });
    const delta = costDelta(withoutSim.cost.base, withoutSim.cost.head).find((d) => d.env === 'prod')!;
    expect(delta.delta).toBeLessThan(0);
    expect(c.text).toContain(
      `| prod | ${usd(delta.base)} | ${usd(delta.head)} | ${usd(delta.delta, true)} | 1 |`,
    );
    expect(withoutSim.cost.head).toEqual(estimateCost(loadPlan(HEAD).resources, prices));
  });

  test('never shows a plaintext secret the plans hold', () => {
    for (const input of [withoutSim, withSim]) {
      const c = assembleComment(input, { artifacts: ARTIFACTS });
      for (const s of PLAINTEXT_SECRETS) expect(c.text).not.toContain(s);
    }
    expect([...withoutSim.secrets].sort()).toEqual([...PLAINTEXT_SECRETS].sort());
  });

  test('scrubs a known secret from any text, a policy message included', () => {
    const leaky: PrViewInput = {
      ...withoutSim,
      policy: withoutSim.policy.map((p) => ({
        ...p,
        head: [
          ...p.head,
          {
            policy: 'leaky',
            enforcementLevel: 'advisory',
            urn: '',
            message: `value ${PLAINTEXT_SECRETS[1]} seen`,
          },
        ],
      })),
    };
    const c = assembleComment(leaky, { artifacts: ARTIFACTS });
    expect(c.text).toContain('value [secret] seen');
    expect(c.text).not.toContain(PLAINTEXT_SECRETS[1]);
  });
});

describe('a huge diff', () => {
  const { base, head } = hugePlans(4000);
  const prices = readPriceTable(PRICE_FILE);
  const [b, h] = [estimateCost(base, prices), estimateCost(head, prices)];
  const input: PrViewInput = {
    diff: diffPlans(base, head),
    policy: [{ env: 'prod', head: [], onBase: new Set(), resolved: [] }],
    cost: { base: b, head: h, delta: costDelta(b, h) },
    reports: [{ env: 'prod', markdown: `# Plan: prod\n\n${'| row |\n'.repeat(3000)}` }],
    secrets: new Set(),
  };
  const c = assembleComment(input, { artifacts: ARTIFACTS });

  test('is trimmed under the budget, itself under GitHub limit', () => {
    expect(c.size).toBeLessThanOrEqual(DEFAULT_BUDGET);
    expect(c.text.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(sizeOf(c.text)).toBe(c.size);
  });

  test('says what was cut, in order, and where the full artifacts are, under the heading', () => {
    const [title, notice] = c.text.split('\n\n');
    expect(title).toBe('## Infrastructure change: needs attention');
    expect(c.cuts[0]).toEqual({ label: 'the plan report of prod' });
    const changes = c.cuts.find((x) => x.label === 'the changes in prod');
    expect(changes).toMatchObject({ of: 4003 });
    expect(changes!.rows).toBeGreaterThan(3000);
    expect(notice).toContain('> **Trimmed** to fit GitHub');
    expect(notice).toContain(`${changes!.rows} of 4003 rows of the changes in prod`);
    expect(notice).toContain(`The full diff, policy verdicts, cost and plan reports: ${ARTIFACTS}.`);
    expect(c.text).toContain(
      `_✂ Cut to fit the comment size limit: ${changes!.rows} of 4003 rows of the changes in prod. Full content: ${ARTIFACTS}._`,
    );
  });

  test('keeps the sections, every stateful finding, and the deletions first', () => {
    expect(c.sections).toEqual([
      'Infrastructure change: needs attention',
      'Changes against the base branch',
      'Policy findings',
      'Monthly cost',
      'Full plan reports (head)',
    ]);
    expect(c.text.match(/\| \*\*BLOCKED\*\* \| delete \| Table \|/g)).toHaveLength(3);
    const rows = c.text.split('\n').filter((l) => l.startsWith('| **delete** (holds data) | prod | Table |'));
    expect(rows).toHaveLength(3);
    expect(c.text).toContain('`us-west-2-param-00000`');
    expect(c.text).not.toContain('`us-west-2-param-03999`');
  });

  test('is deterministic', () => {
    expect(assembleComment(input, { artifacts: ARTIFACTS })).toEqual(c);
  });

  test('across environments, cuts dev rows before prod rows', () => {
    const [dev, prod] = [hugePlans(2000, 'dev'), hugePlans(2000, 'prod')];
    const both = assembleComment(
      { ...input, diff: diffPlans([...dev.base, ...prod.base], [...dev.head, ...prod.head]), reports: [] },
      { artifacts: ARTIFACTS },
    );
    const rowsCut = (env: string) => both.cuts.find((x) => x.label === `the changes in ${env}`);
    expect(rowsCut('dev')).toEqual({ label: 'the changes in dev', rows: 2003, of: 2003 });
    expect(rowsCut('prod')!.rows).toBeLessThan(2003);
    expect(both.cuts.map((x) => x.label).indexOf('the changes in dev')).toBeLessThan(
      both.cuts.map((x) => x.label).indexOf('the changes in prod'),
    );
    expect(both.text).toContain('#### dev: 0 to create, 2000 to update, 0 to replace, 3 to delete');
    expect(both.text.match(/\| \*\*BLOCKED\*\* \| delete \| Table \|/g)).toHaveLength(6);
  });
});

describe('npm run pr-comment', () => {
  test('--out writes the comment and prints one summary line; exit 0 even when the guard blocks', async () => {
    const out = path.join(tempDir('pr-comment-out-'), 'nested', 'comment.md');
    const { code, stdout } = await runCli(main, [
      '--base',
      BASE,
      '--head',
      HEAD,
      '--out',
      out,
      '--sim',
      SIM_FILE_FIXTURE,
    ]);
    expect(code).toBe(0);
    const text = fs.readFileSync(out, 'utf8');
    expect(
      text.startsWith('## Infrastructure change: needs attention\n\n### Changes against the base branch'),
    ).toBe(true);
    expect(text).toContain('### Capacity simulation (prod)');
    expect(stdout).toMatch(new RegExp(`^wrote ${out}: 6 section\\(s\\), \\d+ bytes of 65000 in `));
    for (const s of PLAINTEXT_SECRETS) expect(text).not.toContain(s);
  });

  test('--json prints the comment, its size and what was cut, and no secret', async () => {
    const { code, stdout } = await runCli(main, [
      '--base',
      BASE,
      '--head',
      HEAD,
      '--json',
      '--artifacts',
      ARTIFACTS,
    ]);
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(r)).toEqual(['out', 'size', 'limit', 'trimmed', 'cuts', 'sections', 'markdown']);
    expect(r).toMatchObject({ out: null, limit: 65000, trimmed: false, cuts: [] });
    expect(r.size).toBe(sizeOf(r.markdown as string));
    expect(r.markdown).toContain(`_Full artifacts: ${ARTIFACTS}.`);
    for (const s of PLAINTEXT_SECRETS) expect(stdout).not.toContain(s);
  });

  test('includes the capacity simulation when dist/sim/prod.json exists in the working directory', async () => {
    const dir = tempDir('pr-comment-cwd-');
    const cwd = process.cwd();
    const run = () => runCli(main, ['--base', path.resolve(BASE), '--head', path.resolve(HEAD), '--json']);
    try {
      process.chdir(dir);
      const before = JSON.parse((await run()).stdout) as { sections: string[] };
      expect(before.sections).not.toContain('Capacity simulation (prod)');
      fs.mkdirSync(path.join(dir, 'dist', 'sim'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'dist', 'sim', 'prod.json'), JSON.stringify(SIM));
      const after = JSON.parse((await run()).stdout) as { sections: string[]; markdown: string };
      expect(after.sections).toContain('Capacity simulation (prod)');
      expect(after.markdown).toContain('| regional-failover | **breach** | 240 s | 1 of 2 | 30 s |');
    } finally {
      process.chdir(cwd);
    }
  });
});
