import { writeHeartbeat } from '../../tools/dr/control/heartbeat';
import { keys } from '../../tools/dr/control/keys';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { renderStatus } from '../../tools/dr/report';
import { readStatus } from '../../tools/dr/status';
import { HangingServer, startHangingServer, withRegionHanging } from './faults';
import { journalIn, startLocal } from './helpers';

/** `dr status` shows each region's heartbeat age, as read through each region's own endpoint. */

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());
beforeEach(async () => {
  await env.reset();
  await env.pauseHeartbeats();
});

const NOW = new Date('2026-11-20T03:00:00.000Z');

test("shows every region's heartbeat age as held in each region's replica", async () => {
  // GIVEN us-west-2's heartbeat 1.2 s old in its own replica and 1.6 s old as replicated to us-east-1,
  // and us-east-1's 0.3 s old in its own replica only
  const west = journalIn(env, 'us-west-2').table;
  const east = journalIn(env, 'us-east-1').table;
  await writeHeartbeat(west, { region: 'us-west-2', writtenAt: NOW.getTime() - 1200, writer: 'hb-west' });
  await writeHeartbeat(east, { region: 'us-west-2', writtenAt: NOW.getTime() - 1600, writer: 'hb-west' });
  await writeHeartbeat(east, { region: 'us-east-1', writtenAt: NOW.getTime() - 300, writer: 'hb-east' });
  await west.delete(keys.heartbeat('us-east-1'));
  // WHEN
  const status = await readStatus(env.outputs, env.clients(), NOW);
  // THEN
  const heartbeats = Object.fromEntries(status.regions.map((r) => [r.region, r.heartbeats]));
  expect(heartbeats['us-west-2']).toEqual({
    ok: true,
    value: [
      { of: 'us-west-2', ageMs: 1200, writer: 'hb-west' },
      { of: 'us-east-1', ageMs: null },
    ],
  });
  expect(heartbeats['us-east-1']).toEqual({
    ok: true,
    value: [
      { of: 'us-west-2', ageMs: 1600, writer: 'hb-west' },
      { of: 'us-east-1', ageMs: 300, writer: 'hb-east' },
    ],
  });
  expect(renderStatus(status)).toContain('us-west-2 1600ms / us-east-1 300ms');
  expect(renderStatus(status)).toContain('us-west-2 1200ms / us-east-1 none');
});

test('writes exactly the attributes the replication-heartbeat Deployment may write', async () => {
  const west = journalIn(env, 'us-west-2').table;
  await west.delete(keys.heartbeat('us-west-2'));
  await writeHeartbeat(west, {
    region: 'us-west-2',
    writtenAt: NOW.getTime(),
    writer: 'hb-west',
    inboundLagMs: 420,
    inboundWrittenAt: NOW.getTime() - 420,
  });
  const item = await west.get<Record<string, unknown>>(keys.heartbeat('us-west-2'));
  expect(Object.keys(item ?? {}).sort()).toEqual([
    'inboundLagMs',
    'inboundWrittenAt',
    'pk',
    'sk',
    'writer',
    'writtenAt',
  ]);
});

test('lists the regions that did not answer (exit 1 in the CLI), and says so under the table', async () => {
  // GIVEN us-west-2's DynamoDB unreachable
  const healthy = env.clients();
  const clients = {
    ...healthy,
    dynamodb: (r: string) => {
      if (r === 'us-west-2') throw new Error('us-west-2 is unreachable');
      return healthy.dynamodb(r);
    },
  };
  // WHEN
  const status = await readStatus(env.outputs, clients, NOW);
  // THEN
  expect(status.unreachable).toEqual([
    { region: 'us-west-2', failed: ['active-region record', 'tables', 'heartbeats'] },
  ]);
  expect(renderStatus(status)).toContain(
    'UNREACHABLE: us-west-2 (active-region record, tables, heartbeats): the status above is incomplete (exit 1)',
  );
  // AND every region answering: none
  expect((await readStatus(env.outputs, healthy, NOW)).unreachable).toEqual([]);
});

describe('a region that hangs (accepts connections, never answers)', () => {
  let hanging: HangingServer;
  beforeAll(async () => {
    hanging = await startHangingServer();
  });
  afterAll(() => hanging.stop());

  test('costs status at most the per-region deadline, and every read of it is shown unreachable', async () => {
    // GIVEN us-east-1's AWS endpoints and Kubernetes API server hanging (the CLI's call bounds)
    const clients = withRegionHanging(env, 'us-east-1', hanging);
    // WHEN status runs with a 600 ms region deadline
    const t0 = performance.now();
    const status = await readStatus(env.outputs, clients, NOW, { regionDeadlineMs: 600 });
    const ms = performance.now() - t0;
    // THEN it returns within the deadline plus slack, with the healthy region read in full
    expect(ms).toBeLessThan(2500);
    expect(status.unreachable).toEqual([
      {
        region: 'us-east-1',
        failed: ['active-region record', 'tables', 'heartbeats', 'stream', 'queues', 'workloads'],
      },
    ]);
    const east = status.regions.find((r) => r.region === 'us-east-1');
    expect(east?.workloads).toEqual({
      ok: false,
      error: 'DeadlineExceeded: us-east-1 workloads: no answer within 0.6 s',
    });
    expect(status.regions.find((r) => r.region === 'us-west-2')?.workloads.ok).toBe(true);
  });
});
