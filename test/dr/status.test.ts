import { writeHeartbeat } from '../../tools/dr/control/heartbeat';
import { keys } from '../../tools/dr/control/keys';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { renderStatus } from '../../tools/dr/report';
import { readStatus } from '../../tools/dr/status';
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

test('writes exactly the attributes the replication-heartbeat Deployment may put', async () => {
  const west = journalIn(env, 'us-west-2').table;
  await writeHeartbeat(west, { region: 'us-west-2', writtenAt: NOW.getTime(), writer: 'hb-west' });
  const item = await west.get<Record<string, unknown>>(keys.heartbeat('us-west-2'));
  expect(Object.keys(item ?? {}).sort()).toEqual(['pk', 'sk', 'writer', 'writtenAt']);
});
