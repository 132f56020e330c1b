import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import kinesalite from 'kinesalite';
import { importEsm } from '../esm';

/** A running in-process emulator on 127.0.0.1. */
export interface RunningServer {
  readonly url: string;
  stop(): Promise<void>;
}

async function listen(server: Server): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** dynalite (DynamoDB): one server per region. `path` keeps its LevelDB on disk across runs. */
export function startDynalite(path?: string): Promise<RunningServer> {
  return listen(dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }));
}

/** kinesalite (Kinesis): one server per region, in memory (the runbook only reads streams). */
export function startKinesalite(): Promise<RunningServer> {
  return listen(kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 }));
}

/** The parts of fauxqs' server object the harness uses. */
export interface FauxqsServer {
  readonly address: string;
  stop(): Promise<void>;
  createQueue(name: string, options?: { region?: string }): { queueUrl: string; queueArn: string };
  createTopic(name: string, options?: { region?: string }): { topicArn: string };
  subscribe(options: {
    topic: string;
    queue: string;
    region?: string;
    attributes?: Record<string, string>;
  }): void;
  inspectQueue(name: string): { messages: { ready: { messageId: string; body: string }[] } } | undefined;
  reset(): void;
}

/** fauxqs (SNS + SQS), ESM-only: loaded with {@link importEsm}. */
export async function startFauxqs(): Promise<FauxqsServer> {
  const mod = await importEsm<{ startFauxqs(o: { port: number; logger: boolean }): Promise<FauxqsServer> }>(
    'fauxqs',
  );
  return mod.startFauxqs({ port: 0, logger: false });
}
