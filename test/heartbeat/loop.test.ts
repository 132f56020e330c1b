/**
 * The heartbeat writer's loop against a mocked DynamoDB client (aws-sdk-client-mock at the SDK
 * boundary), a fake clock and an instant sleep: no real time passes.
 */
import {
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { HeartbeatConfig, HeartbeatLoop, LoopSummary } from '../../tools/heartbeat/loop';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
});
afterAll(() => client.destroy());

const CONFIG: HeartbeatConfig = {
  region: 'us-east-1',
  peerRegion: 'us-west-2',
  tableName: 'prod-control',
  intervalMs: 1000,
  writer: 'replication-heartbeat-abc',
  env: 'prod',
};
const T0 = 1_700_000_000_000;

/** A fake clock (wall = T0 + monotonic), a sleep that advances it, and a stop after `beats` beats. */
function harness(beats: number) {
  let t = 0;
  const lines: string[] = [];
  const logs: string[] = [];
  const stamps: number[] = [];
  const stop = new AbortController();
  let started = 0;
  const loop = new HeartbeatLoop(CONFIG, {
    dynamodb: client,
    statsd: { send: (l) => void lines.push(...l), close: () => Promise.resolve() },
    wallClock: () => T0 + t,
    monotonic: () => t,
    sleep: (ms) => {
      if (started++ >= beats) stop.abort();
      t += Math.max(0, ms);
      return Promise.resolve();
    },
    touchStamp: (w) => {
      stamps.push(w);
      return Promise.resolve();
    },
    log: (l) => void logs.push(l),
  });
  return {
    lines,
    logs,
    stamps,
    advance: (ms: number) => (t += ms),
    run: (): Promise<LoopSummary> => loop.run(stop.signal),
  };
}
const updates = (): UpdateItemCommandInput[] =>
  ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
const peerAt = (...writtenAt: (number | Error | undefined)[]) => {
  let i = 0;
  ddb.on(GetItemCommand).callsFake(() => {
    const v = writtenAt[Math.min(i++, writtenAt.length - 1)];
    if (v instanceof Error) throw v;
    return v === undefined ? {} : { Item: { writtenAt: { N: String(v) } } };
  });
};
const TAGS = '#env:prod,region:us-east-1';

beforeEach(() => {
  ddb.reset();
  ddb.on(UpdateItemCommand).resolves({});
});

describe('HeartbeatLoop', () => {
  test('reads the other region heartbeat from its own replica, then updates {writtenAt, writer} of its own', async () => {
    // GIVEN no heartbeat of the other region yet
    peerAt(undefined);
    const h = harness(1);
    // WHEN one beat runs
    await h.run();
    // THEN one projected GetItem of heartbeat#us-west-2, one UpdateItem of heartbeat#us-east-1
    expect(ddb.commandCalls(GetItemCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: 'prod-control',
        Key: { pk: { S: 'heartbeat#us-west-2' }, sk: { S: 'heartbeat' } },
        ProjectionExpression: 'writtenAt',
      },
    ]);
    expect(updates()).toEqual([
      {
        TableName: 'prod-control',
        Key: { pk: { S: 'heartbeat#us-east-1' }, sk: { S: 'heartbeat' } },
        UpdateExpression: 'SET writtenAt = :w, writer = :p',
        ExpressionAttributeValues: { ':w': { N: String(T0) }, ':p': { S: 'replication-heartbeat-abc' } },
      },
    ]);
    expect(h.stamps).toEqual([T0]);
  });

  test("records the inbound lag once the other region's heartbeat advances", async () => {
    // GIVEN the other region alive: its writtenAt 250 ms behind this writer's clock at each beat
    peerAt(T0 - 250, T0 + 1000 - 250, T0 + 2000 - 250);
    const h = harness(3);
    await h.run();
    const [first, second, third] = updates();
    // THEN the first beat only remembers; the next ones record now - writtenAt and that writtenAt
    expect(first.UpdateExpression).toBe('SET writtenAt = :w, writer = :p');
    expect(second.UpdateExpression).toBe(
      'SET writtenAt = :w, writer = :p, inboundLagMs = :l, inboundWrittenAt = :a',
    );
    expect(second.ExpressionAttributeValues).toEqual({
      ':w': { N: String(T0 + 1000) },
      ':p': { S: 'replication-heartbeat-abc' },
      ':l': { N: '250' },
      ':a': { N: String(T0 + 750) },
    });
    expect(third.ExpressionAttributeValues?.[':l']).toEqual({ N: '250' });
    expect(h.lines).toContain(`risk_platform.heartbeat.inbound_lag_ms:250|d|${TAGS},peer_region:us-west-2`);
  });

  test.each([
    ['silent (its writtenAt does not advance)', [T0 - 5000]],
    ['absent (no item)', [undefined]],
    ['unreadable (GetItem fails)', [new Error('socket hang up')]],
  ])('leaves the inbound record as it is while the other region is %s', async (_what, peer) => {
    peerAt(...peer);
    const h = harness(3);
    await h.run();
    expect(updates().map((u) => u.UpdateExpression)).toEqual(
      Array(3).fill('SET writtenAt = :w, writer = :p'),
    );
    expect(h.stamps).toHaveLength(3);
  });

  test('a failed read keeps the last writtenAt seen, so the next advance is recorded', async () => {
    peerAt(T0 - 100, new Error('timeout'), T0 + 1500);
    const h = harness(3);
    await h.run();
    expect(h.logs).toContain(
      'replication-heartbeat: get-item of heartbeat#us-west-2 failed (Error: timeout)',
    );
    expect(updates()[2].ExpressionAttributeValues?.[':a']).toEqual({ N: String(T0 + 1500) });
    expect(updates()[2].ExpressionAttributeValues?.[':l']).toEqual({ N: '500' });
  });

  test('beats on a drift-free schedule and emits the measured interval and the write latency, exactly', async () => {
    // GIVEN each UpdateItem takes 40 ms
    peerAt(undefined);
    const h = harness(3);
    ddb.on(UpdateItemCommand).callsFake(() => {
      h.advance(40);
      return {};
    });
    await h.run();
    // THEN writes at 0, 1000, 2000 ms: the 40 ms of each beat does not push the next one
    expect(h.stamps).toEqual([T0, T0 + 1000, T0 + 2000]);
    expect(h.lines).toEqual([
      `risk_platform.heartbeat.write_latency_ms:40|d|${TAGS}`,
      `risk_platform.heartbeat.write_latency_ms:40|d|${TAGS}`,
      `risk_platform.heartbeat.interval_ms:1000|d|${TAGS}`,
      `risk_platform.heartbeat.write_latency_ms:40|d|${TAGS}`,
      `risk_platform.heartbeat.interval_ms:1000|d|${TAGS}`,
    ]);
  });

  test('a beat that overruns skips the slots it ran past, and the interval shows the gap', async () => {
    // GIVEN the second write takes 2.5 s (slots 2 and 3 pass while it runs)
    peerAt(undefined);
    const h = harness(3);
    let n = 0;
    ddb.on(UpdateItemCommand).callsFake(() => {
      if (n++ === 1) h.advance(2500);
      return {};
    });
    const summary = await h.run();
    // THEN the third write is at slot 4 (4000 ms), not at once after the slow one
    expect(h.stamps).toEqual([T0, T0 + 1000, T0 + 4000]);
    expect(summary).toEqual({ beats: 3, writes: 3, failures: 0, skipped: 2 });
    expect(h.lines).toContain(`risk_platform.heartbeat.skipped_beats:2|c|${TAGS}`);
    expect(h.lines).toContain(`risk_platform.heartbeat.interval_ms:3000|d|${TAGS}`);
    expect(h.logs).toEqual(['replication-heartbeat: beat 1 overran the 1000 ms interval; skipped 2 beat(s)']);
  });

  test('a failed write touches no stamp, is counted by reason, and the next success measures from the last one', async () => {
    peerAt(undefined);
    const h = harness(3);
    let n = 0;
    ddb.on(UpdateItemCommand).callsFake(() => {
      if (n++ === 1) {
        const err = new Error('Rate of requests exceeds the allowed throughput.');
        err.name = 'ProvisionedThroughputExceededException';
        throw err;
      }
      return {};
    });
    const summary = await h.run();
    expect(h.stamps).toEqual([T0, T0 + 2000]);
    expect(summary).toEqual({ beats: 3, writes: 2, failures: 1, skipped: 0 });
    expect(h.lines).toContain(
      `risk_platform.heartbeat.write_failures:1|c|${TAGS},reason:ProvisionedThroughputExceededException`,
    );
    expect(h.lines).toContain(`risk_platform.heartbeat.interval_ms:2000|d|${TAGS}`);
    expect(h.logs).toEqual([
      'replication-heartbeat: update-item failed (ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput.); retrying in 1000 ms',
    ]);
  });
});
