import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../tools/diff/cli';
import { Change, diffPlans } from '../../tools/diff/diff';
import { PlanRecord } from '../../tools/diff/load';
import { UsageError } from '../../tools/lib/exit-codes';
import { tempDir } from '../helpers/tmp';
import { runCli } from './cli-run';

const FIXTURES = path.join(__dirname, 'fixtures');
const BASE = path.join(FIXTURES, 'base');
const HEAD = path.join(FIXTURES, 'head');
const QUEUE =
  'urn:pulumi:prod::risk-platform::risk-platform:data:DecisionFanout$aws:sqs/queue:Queue::us-west-2-old-queue';

async function diffJson(...argv: string[]) {
  const { code, stdout } = await runCli(main, [...argv, '--json']);
  return {
    code,
    result: JSON.parse(stdout) as {
      changes: Change[];
      findings: { urn: string; level: string; acknowledged: boolean }[];
    },
  };
}

function opOf(changes: readonly Change[], name: string): string | undefined {
  return changes.find((c) => c.urn.endsWith(`::${name}`))?.op;
}

describe('npm run diff on the committed fixture pair', () => {
  test('reports each op: create, update, replace, delete', async () => {
    const { result } = await diffJson(BASE, HEAD, '--ack', path.join(FIXTURES, 'none.json'));
    expect(opOf(result.changes, 'keys-alias')).toBe('create');
    expect(opOf(result.changes, 'us-west-2-decisions')).toBe('update');
    expect(opOf(result.changes, 'us-west-2-nodes-a')).toBe('replace');
    expect(opOf(result.changes, 'us-west-2-old-queue')).toBe('delete');
    expect(opOf(result.changes, 'features-table')).toBeUndefined();
  });

  test('an update lists the changed input paths with old and new values', async () => {
    const { result } = await diffJson(BASE, HEAD);
    const nodes = result.changes.find((c) => c.urn.endsWith('::us-west-2-nodes-a'))!;
    expect(nodes.paths).toEqual(['instanceTypes[0]', 'scalingConfig.desiredSize']);
    expect(nodes.details).toEqual([
      { path: 'instanceTypes[0]', old: 'c7i.2xlarge', new: 'c8i.2xlarge', forcesReplace: true },
      { path: 'scalingConfig.desiredSize', old: 4, new: 6, forcesReplace: false },
    ]);
    const topic = result.changes.find((c) => c.urn.endsWith('::us-west-2-decisions'))!;
    expect(topic).toMatchObject({ op: 'update', stateful: false, paths: ['tags.owner'] });
  });

  test('secrets stay masked on both sides, even when the head holds a plaintext value', async () => {
    const { result } = await diffJson(BASE, HEAD);
    const provider = result.changes.find((c) => c.urn.endsWith('::datadog'))!;
    expect(provider.details).toEqual([
      { path: 'apiKey', old: '[secret]', new: '[secret]', forcesReplace: false },
    ]);
    const text = await runCli(main, [BASE, HEAD]);
    expect(text.stdout).not.toContain('plaintext-key-0123');
    expect(JSON.stringify(result)).not.toContain('plaintext-key-0123');
  });

  test('a stateful delete is a mandatory finding and exits 1', async () => {
    const { code, result } = await diffJson(BASE, HEAD);
    expect(code).toBe(1);
    expect(result.findings).toContainEqual(
      expect.objectContaining({ urn: QUEUE, level: 'mandatory', acknowledged: false }),
    );
  });

  test('acknowledging the stateful delete in the head passes with exit 0', async () => {
    const head = tempDir('diff-ack-');
    fs.copyFileSync(path.join(HEAD, 'resources.json'), path.join(head, 'resources.json'));
    fs.writeFileSync(
      path.join(head, 'acknowledged-replacements.json'),
      JSON.stringify([{ urn: QUEUE, reason: 'queue retired, drained in change 42' }]),
    );
    const { code, result } = await diffJson(BASE, head);
    expect(code).toBe(0);
    expect(result.findings).toContainEqual(
      expect.objectContaining({
        urn: QUEUE,
        acknowledged: true,
        reason: 'queue retired, drained in change 42',
      }),
    );
  });

  test('no change at all prints "changes": [] and exits 0', async () => {
    const { code, result } = await diffJson(BASE, BASE);
    expect(code).toBe(0);
    expect(result).toEqual({ changes: [], findings: [] });
  });

  test('bad input exits 2 naming the argument', async () => {
    await expect(main([BASE, path.join(FIXTURES, 'missing')])).rejects.toThrow(UsageError);
    await expect(main([BASE, path.join(FIXTURES, 'missing')])).rejects.toThrow(
      /^<head>: received ".*missing"/,
    );
    const head = tempDir('diff-badack-');
    fs.copyFileSync(path.join(HEAD, 'resources.json'), path.join(head, 'resources.json'));
    fs.writeFileSync(
      path.join(head, 'acknowledged-replacements.json'),
      JSON.stringify([{ urn: QUEUE, reason: '' }]),
    );
    await expect(main([BASE, head])).rejects.toThrow(/acknowledged-replacements.json\[0\]\.reason/);
  });
});

describe('plan layouts', () => {
  test('an environment folder with stacks/ beside its union is read once, not twice', async () => {
    const dir = tempDir('diff-stacks-');
    const env = path.join(dir, 'prod');
    const records = JSON.parse(fs.readFileSync(path.join(HEAD, 'resources.json'), 'utf8')) as PlanRecord[];
    const regional = records.map((r) => ({
      ...r,
      urn: r.urn.replace('urn:pulumi:prod::', 'urn:pulumi:prod-us-west-2::'),
    }));
    fs.mkdirSync(path.join(env, 'stacks', 'prod-us-west-2'), { recursive: true });
    fs.writeFileSync(path.join(env, 'resources.json'), JSON.stringify(regional));
    fs.writeFileSync(path.join(env, 'stacks', 'prod-us-west-2', 'resources.json'), JSON.stringify(regional));
    const { result } = await diffJson(dir, env);
    expect(result.changes).toEqual([]);
    const moved = await diffJson(HEAD, dir);
    // Every resource changed stack: each is matched to its old URN, with an advisory, not created twice.
    expect(moved.result.changes.filter((c) => c.op === 'create')).toEqual([]);
    expect(moved.result.findings.every((f) => f.level === 'advisory')).toBe(true);
    expect(moved.result.findings).toHaveLength(records.length);
  });
});

describe('renames', () => {
  const table = (urn: string, aliases?: string[]): PlanRecord => ({
    urn,
    type: 'aws:dynamodb/table:Table',
    name: urn.split('::').pop()!,
    region: 'us-west-2',
    parent: null,
    props: { name: 'prod-features', hashKey: 'pk' },
    ...(aliases ? { aliases } : {}),
  });
  const OLD = 'urn:pulumi:prod::risk-platform::aws:dynamodb/table:Table::features-table';
  const NEW = 'urn:pulumi:prod::risk-platform::aws:dynamodb/table:Table::features';

  test('a rename without an alias is a replace of a stateful resource, a mandatory finding', () => {
    const r = diffPlans([table(OLD)], [table(NEW)]);
    expect(r.changes).toEqual([
      expect.objectContaining({ urn: NEW, op: 'replace', from: OLD, matchedBy: 'rename', stateful: true }),
    ]);
    expect(r.findings).toEqual([
      expect.objectContaining({ urn: NEW, level: 'mandatory', acknowledged: false }),
    ]);
  });

  test('a rename with an alias to the old URN is no change', () => {
    const r = diffPlans([table(OLD)], [table(NEW, [OLD])]);
    expect(r).toEqual({ changes: [], findings: [] });
  });
});
