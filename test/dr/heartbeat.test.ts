import { HeartbeatWriter, readHeartbeat, writeHeartbeat } from '../../tools/dr/control/heartbeat';
import { keys } from '../../tools/dr/control/keys';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { journalIn, startLocal } from './helpers';

/** The heartbeat writer's inbound record (the TypeScript twin of the Deployment's loop), on dynalite. */

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());
beforeEach(async () => {
  await env.reset();
  await env.pauseHeartbeats();
  await journalIn(env, 'us-east-1').table.delete(keys.heartbeat('us-east-1'));
});

test("records the inbound lag when the other region's heartbeat advances, and keeps it once it goes silent", async () => {
  const east = journalIn(env, 'us-east-1').table;
  const writer = new HeartbeatWriter(east, 'us-east-1', 'us-west-2', 'hb-east');
  let now = 1_000_000;
  const at = () => now;
  // GIVEN us-west-2's heartbeat replicated into us-east-1
  await writeHeartbeat(east, { region: 'us-west-2', writtenAt: now - 300 });
  // WHEN the first beat only remembers it (it cannot know whether it advanced)
  await writer.beat(at);
  expect(await readHeartbeat(east, 'us-east-1')).toEqual({
    region: 'us-east-1',
    writtenAt: now,
    writer: 'hb-east',
  });
  // WHEN it advanced: recorded (now - writtenAt)
  now += 1000;
  await writeHeartbeat(east, { region: 'us-west-2', writtenAt: now - 450 });
  await writer.beat(at);
  const alive = await readHeartbeat(east, 'us-east-1');
  expect(alive).toMatchObject({ writtenAt: now, inboundLagMs: 450, inboundWrittenAt: now - 450 });
  // WHEN us-west-2 goes silent: the own heartbeat still advances, the inbound record does not
  const silentSince = now - 450;
  for (let i = 0; i < 3; i++) {
    now += 1000;
    await writer.beat(at);
  }
  expect(await readHeartbeat(east, 'us-east-1')).toMatchObject({
    writtenAt: now,
    inboundLagMs: 450,
    inboundWrittenAt: silentSince,
  });
  // AND a restarted writer (new process) does not erase it
  now += 1000;
  await new HeartbeatWriter(east, 'us-east-1', 'us-west-2', 'hb-east-2').beat(at);
  expect(await readHeartbeat(east, 'us-east-1')).toEqual({
    region: 'us-east-1',
    writtenAt: now,
    writer: 'hb-east-2',
    inboundLagMs: 450,
    inboundWrittenAt: silentSince,
  });
});

test('the local heartbeat player writes both inbound fields, aged by the simulated replication lag', async () => {
  // GIVEN the stand-in running with its 420 ms lag
  await env.reset();
  await new Promise((r) => setTimeout(r, 350));
  await env.pauseHeartbeats();
  // THEN each region's own item carries the lag its writer observed on the other's heartbeat
  for (const region of ['us-east-1', 'us-west-2']) {
    const own = await readHeartbeat(journalIn(env, region).table, region);
    expect(own?.inboundLagMs).toBeGreaterThanOrEqual(420);
    expect(own?.inboundLagMs).toBeLessThan(420 + 300);
    expect(own?.inboundWrittenAt).toBeLessThan(own?.writtenAt ?? 0);
  }
});
