import { createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { awsClients, DEFAULT_AWS_CALL_BOUNDS } from '../../tools/dr/clients';

/** A server that accepts connections and never answers: an impaired regional endpoint. */
let server: Server;
let url: string;
const sockets: Socket[] = [];
beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

test('every AWS client makes at most 2 attempts', async () => {
  const c = awsClients();
  for (const client of [
    c.dynamodb('us-east-1'),
    c.kinesis('us-east-1'),
    c.sqs('us-east-1'),
    c.sns('us-east-1'),
    c.cloudwatch('us-east-1'),
    c.arc('https://host-aaaaaa.us-east-1.example', 'us-east-1'),
  ]) {
    expect(await client.config.maxAttempts()).toBe(2);
  }
});

test('the default bounds: 2 s to connect, 5 s to a response, 2 attempts', () => {
  expect(DEFAULT_AWS_CALL_BOUNDS).toEqual({
    connectionTimeoutMs: 2000,
    requestTimeoutMs: 5000,
    maxAttempts: 2,
  });
});

test('a region that accepts connections but never answers costs at most attempts x request timeout', async () => {
  // GIVEN bounds of the defaults' shape with a 1 s request timeout (the defaults would pay 10 s of
  // test time for the same code path: awsClientConfig builds every client from the bounds)
  const bounds = { ...DEFAULT_AWS_CALL_BOUNDS, requestTimeoutMs: 1000 };
  const db = awsClients({ endpoint: () => url, bounds }).dynamodb('us-west-2');
  const t0 = performance.now();
  // WHEN
  const error = await db.send(new DescribeTableCommand({ TableName: 'x' })).catch((e: Error) => e);
  // THEN it fails (no hang) after both attempts timed out, within the bound
  const ms = performance.now() - t0;
  expect(error).toBeInstanceOf(Error);
  expect(ms).toBeGreaterThanOrEqual(bounds.maxAttempts * bounds.requestTimeoutMs - 50);
  expect(ms).toBeLessThan(bounds.maxAttempts * bounds.requestTimeoutMs + 3000);
  expect(sockets.length).toBe(2);
}, 20_000);
