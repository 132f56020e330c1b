import { createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';
import { AwsCallBounds, awsClients, Clients } from '../../tools/dr/clients';
import { LocalEnvironment } from '../../tools/dr/local/harness';

/** A TCP server that accepts connections and never answers: a hanging regional endpoint. */
export interface HangingServer {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startHangingServer(): Promise<HangingServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * The local environment's clients with `region` hanging: its DynamoDB, Kinesis, SQS and CloudWatch
 * calls go to `server` (bounded as the CLI bounds them, unless `bounds` says otherwise), and its
 * Kubernetes API server stand-in accepts requests and never answers.
 */
export function withRegionHanging(
  env: LocalEnvironment,
  region: string,
  server: HangingServer,
  bounds?: AwsCallBounds,
): Clients {
  env.kube[region].hanging = true;
  const healthy = env.clients();
  const dead = awsClients({ endpoint: () => server.url, bounds });
  const pick =
    <K extends 'dynamodb' | 'kinesis' | 'sqs' | 'cloudwatch'>(k: K) =>
    (r: string) =>
      (r === region ? dead[k](r) : healthy[k](r)) as ReturnType<Clients[K]>;
  return {
    ...healthy,
    dynamodb: pick('dynamodb'),
    kinesis: pick('kinesis'),
    sqs: pick('sqs'),
    cloudwatch: pick('cloudwatch'),
  };
}
