/**
 * The writer process in-process: its environment checks, SIGTERM, the UDP sink, and the item it
 * writes against dynalite (127.0.0.1), read back by the runbook's own reader.
 */
import * as dgram from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeartbeatRecord, readHeartbeat, writeHeartbeat } from '../../tools/dr/control/heartbeat';
import { ControlTable } from '../../tools/dr/control/table';
import { RunningServer, startDynalite } from '../../tools/dr/local/emulators';
import { abortableSleep } from '../../tools/heartbeat/loop';
import { createDynamoClient, main, MainDeps, parseSettings } from '../../tools/heartbeat/main';
import { UdpStatsd } from '../../tools/heartbeat/statsd';
import { tempDir } from '../helpers/tmp';

const dir = tempDir('heartbeat-main-');
const ENV = {
  AWS_REGION: 'us-east-1',
  PEER_REGION: 'us-west-2',
  CONTROL_TABLE_NAME: 'prod-control',
  HEARTBEAT_INTERVAL_SECONDS: '1',
  HEARTBEAT_STAMP_FILE: join(dir, 'stamp', 'last-put'),
  POD_NAME: 'replication-heartbeat-abc',
  DD_ENV: 'prod',
};

describe('parseSettings', () => {
  test('reads the chart environment; no DD_AGENT_HOST means no metrics', () => {
    expect(parseSettings({ ...ENV, DD_AGENT_HOST: '10.0.1.7' })).toEqual({
      region: 'us-east-1',
      peerRegion: 'us-west-2',
      tableName: 'prod-control',
      intervalMs: 1000,
      writer: 'replication-heartbeat-abc',
      env: 'prod',
      stampFile: ENV.HEARTBEAT_STAMP_FILE,
      statsd: { host: '10.0.1.7', port: 8125 },
    });
    expect(parseSettings(ENV).statsd).toBeUndefined();
  });

  test.each([
    [
      { HEARTBEAT_INTERVAL_SECONDS: '0.5' },
      'HEARTBEAT_INTERVAL_SECONDS: received "0.5", expected a whole number of seconds from 1 to 5',
    ],
    [
      { PEER_REGION: 'us-east-1' },
      'PEER_REGION: received "us-east-1", expected a region other than AWS_REGION (us-east-1)',
    ],
    [
      { CONTROL_TABLE_NAME: '' },
      `CONTROL_TABLE_NAME: received "", expected the control table's name, such as prod-control`,
    ],
    [
      { DD_DOGSTATSD_PORT: '99999' },
      'DD_DOGSTATSD_PORT: received "99999", expected a UDP port from 1 to 65535',
    ],
  ])('refuses %p', (change, message) => {
    expect(() => parseSettings({ ...ENV, ...change })).toThrow(message);
  });
});

/** main() with a fake DynamoDB client and a sleep that raises SIGTERM after `beats` beats. */
function fakeProcess(beats: number) {
  const handlers: Record<string, () => void> = {};
  const logs: string[] = [];
  const sent: string[] = [];
  let closed = false;
  let destroyed = false;
  let calls = 0;
  let sleeps = 0;
  const deps: MainDeps = {
    dynamodb: {
      send: () => {
        calls++;
        return Promise.resolve({});
      },
      destroy: () => void (destroyed = true),
    },
    statsd: { send: (l) => void sent.push(...l), close: () => Promise.resolve(void (closed = true)) },
    onSignal: (s, h) => void (handlers[s] = h),
    log: (l) => void logs.push(l),
    loop: {
      sleep: () => {
        if (sleeps++ === beats) handlers.SIGTERM();
        return Promise.resolve();
      },
    },
  };
  return { deps, logs, sent, calls: () => calls, closed: () => closed, destroyed: () => destroyed, handlers };
}

describe('main', () => {
  test('SIGTERM stops the loop cleanly: exit 0, a summary line, the socket and the client closed', async () => {
    const p = fakeProcess(2);
    const code = await main(ENV, p.deps);
    expect(code).toBe(0);
    expect(Object.keys(p.handlers).sort()).toEqual(['SIGINT', 'SIGTERM']);
    expect(p.logs.slice(-2)).toEqual([
      'replication-heartbeat: SIGTERM: stopping',
      'replication-heartbeat: stopped after 2 beats: 2 writes, 0 failed, 0 skipped',
    ]);
    expect(p.logs[0]).toBe(
      'replication-heartbeat: heartbeat#us-east-1 into prod-control (us-east-1) every 1000 ms as replication-heartbeat-abc, observing heartbeat#us-west-2; metrics off (no DD_AGENT_HOST)',
    );
    expect(p.calls()).toBe(4); // two beats of GetItem + UpdateItem
    expect(p.closed()).toBe(true);
    expect(p.destroyed()).toBe(true);
    // The stamp the probes read holds the last writtenAt
    expect(Number(readFileSync(ENV.HEARTBEAT_STAMP_FILE, 'utf8'))).toBeGreaterThan(1.7e12);
  });

  test('bad environment: exit 2 naming the variable, before anything is written', async () => {
    const p = fakeProcess(1);
    const stamp = join(dir, 'never', 'last-put');
    const code = await main(
      { ...ENV, HEARTBEAT_STAMP_FILE: stamp, HEARTBEAT_INTERVAL_SECONDS: '10' },
      p.deps,
    );
    expect(code).toBe(2);
    expect(p.logs).toEqual([
      'replication-heartbeat: error: HEARTBEAT_INTERVAL_SECONDS: received "10", expected a whole number of seconds from 1 to 5',
    ]);
    expect(p.calls()).toBe(0);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});

describe('abortableSleep', () => {
  test('resolves at once when aborted, leaving no timer', async () => {
    const stop = new AbortController();
    const started = performance.now();
    const sleeping = abortableSleep(60_000, stop.signal);
    stop.abort();
    await sleeping;
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('UdpStatsd', () => {
  test('sends each line as one datagram to host:port', async () => {
    const server = dgram.createSocket('udp4');
    const got: string[] = [];
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const two = new Promise<void>((r) =>
      server.on('message', (m) => {
        got.push(m.toString());
        if (got.length === 2) r();
      }),
    );
    const sink = new UdpStatsd('127.0.0.1', port);
    sink.send(['a.b:1|c|#env:prod', 'a.c:2|d|#env:prod']);
    await two;
    await sink.close();
    await new Promise<void>((r) => server.close(() => r()));
    expect(got.sort()).toEqual(['a.b:1|c|#env:prod', 'a.c:2|d|#env:prod']);
    expect(sink.dropped).toBe(0);
  });
});

describe('against dynalite: the item the runbook reads', () => {
  let db: RunningServer;
  let client: DynamoDBClient;

  beforeAll(async () => {
    db = await startDynalite();
    client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: db.url,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    await client.send(
      new CreateTableCommand({
        TableName: 'prod-control',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  });
  afterAll(async () => {
    client.destroy();
    await db.stop();
  });

  test("writes heartbeat#<region> with the inbound pair, as tools/dr's readHeartbeat reads it", async () => {
    // GIVEN the other region's heartbeat replicated here, advancing between the beats
    const table = new ControlTable(client, 'prod-control', 'us-east-1');
    const peer = (writtenAt: number): HeartbeatRecord => ({ region: 'us-west-2', writtenAt, writer: 'peer' });
    await writeHeartbeat(table, peer(Date.now() - 300));
    let sleeps = 0;
    const handlers: Record<string, () => void> = {};
    const writerClient = createDynamoClient('us-east-1', {
      endpoint: db.url,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const logs: string[] = [];
    const code = await main(ENV, {
      dynamodb: writerClient,
      onSignal: (s, h) => void (handlers[s] = h),
      log: (l) => void logs.push(l),
      loop: {
        sleep: async () => {
          if (sleeps === 1) await writeHeartbeat(table, peer(Date.now() - 200));
          if (sleeps++ === 2) handlers.SIGTERM();
        },
      },
    });
    expect(code).toBe(0);
    expect(logs.at(-1)).toBe('replication-heartbeat: stopped after 2 beats: 2 writes, 0 failed, 0 skipped');
    // THEN the runbook's reader sees the writer, a fresh writtenAt and the lag of the advanced read
    const hb = await readHeartbeat(table, 'us-east-1');
    expect(hb?.writer).toBe('replication-heartbeat-abc');
    expect(Date.now() - (hb?.writtenAt ?? 0)).toBeLessThan(10_000);
    expect(hb?.inboundLagMs).toBeGreaterThanOrEqual(200);
    expect(hb?.inboundLagMs).toBeLessThan(5000);
    expect(hb?.inboundWrittenAt).toBe((await readHeartbeat(table, 'us-west-2'))?.writtenAt);
  });
});
