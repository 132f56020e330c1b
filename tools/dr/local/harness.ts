import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { Route53RecoveryClusterClient } from '@aws-sdk/client-route53-recovery-cluster';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { TABLE_KEYS } from '../../../stacks/naming';
import { RunbookOutputs } from '../../../stacks/outputs';
import { ArcEndpointPreference } from '../arc-endpoints';
import { Clients, memo } from '../clients';
import { HeartbeatWriter, readHeartbeat, writeHeartbeat } from '../control/heartbeat';
import { ControlTable } from '../control/table';
import { ClientNodeKubeGateway } from '../kube';
import { arnRegion } from '../steps/notify';
import { ArcStandIn } from './arc-stand-in';
import { AutoScalingStandIn } from './autoscaling-stand-in';
import { CloudWatchStandIn, MetricValues } from './cloudwatch-stand-in';
import { FauxqsServer, RunningServer, startDynalite, startFauxqs, startKinesalite } from './emulators';
import { KubeStandIn } from './kube-stand-in';
import { Snapshot } from './snapshot';
import { createTable, deleteItems, provisionedSeed, restoreSeed } from './tables';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * How often the stand-in heartbeat writers write, in ms. Each beat is 6 DynamoDB calls (both regions'
 * writes, reads and the replicated copies), client and emulator in the same process: at 100 ms that
 * was a fifth of the DR test suites' CPU; 250 ms keeps every RPO check meaningful (15 s in staging).
 */
export const LOCAL_HEARTBEAT_INTERVAL_MS = 250;

export interface LocalOptions {
  /** The plan's outputs; resource names are seeded from them. */
  readonly outputs: RunbookOutputs;
  /** Keep emulator and stand-in state here across runs. @default in memory */
  readonly stateDir?: string;
  /** How long new pods take to turn ready in the Kubernetes stand-in. @default 150 */
  readonly readyDelayMs?: number;
  readonly metrics?: Partial<MetricValues>;
  /**
   * How often the heartbeat stand-in (playing each region's `replication-heartbeat` Deployment) writes
   * each region's heartbeat; the outputs the runbook is given say so (`heartbeatIntervalSeconds`).
   * @default LOCAL_HEARTBEAT_INTERVAL_MS
   */
  readonly heartbeatIntervalMs?: number;
  /** Deadline of each Kubernetes API call of the runbook's clients. @default DEFAULT_KUBE_CALL_TIMEOUT_MS */
  readonly kubeCallTimeoutMs?: number;
}

export interface ServiceLabel {
  readonly service: string;
  readonly implementation: 'emulator' | 'stand-in';
  readonly detail: string;
}

export interface Notification {
  readonly messageId: string;
  readonly body: string;
  /** The topic it was published to (one per region). @default - unknown (ledgers written before) */
  readonly topicArn?: string;
}

/**
 * The whole platform of one environment on 127.0.0.1: emulators where they exist (dynalite per
 * region, kinesalite per region, fauxqs for SNS/SQS), stand-ins where they do not (ARC and
 * CloudWatch at the SDK boundary with aws-sdk-client-mock, an HTTP Kubernetes API per region, the
 * synthetic scoring endpoint). `clients()` gives the runbook a {@link Clients} wired to them.
 */
export class LocalEnvironment {
  private constructor(
    /** The outputs the runbook uses: as given, except each region's notification topic ARN is fauxqs'. */
    readonly outputs: RunbookOutputs,
    readonly arc: ArcStandIn,
    readonly cloudwatch: CloudWatchStandIn,
    readonly kube: Readonly<Record<string, KubeStandIn>>,
    private readonly dynamo: Readonly<Record<string, RunningServer>>,
    private readonly kinesis: Readonly<Record<string, RunningServer>>,
    private readonly fauxqs: FauxqsServer,
    /** The queue subscribed to each region's notification topic -> that topic's ARN. */
    private readonly inboxes: Readonly<Record<string, string>>,
    private readonly ledger: Snapshot<Notification[]>,
    private readonly persisted: boolean,
  ) {}

  /** See {@link LocalOptions.kubeCallTimeoutMs}. */
  private kubeCallTimeoutMs?: number;
  /** Application Auto Scaling at the SDK boundary (the tables of `tableCapacity`). */
  autoscaling!: AutoScalingStandIn;
  private heartbeatTimer?: NodeJS.Timeout;
  private heartbeatWrite?: Promise<void>;
  /** While true the heartbeat stand-in writes no heartbeats (tests of a stale heartbeat). */
  private heartbeatsPaused = false;

  /** Stops the heartbeat stand-in (until the next reset) once its write in flight has landed. */
  async pauseHeartbeats(): Promise<void> {
    this.heartbeatsPaused = true;
    await this.heartbeatWrite;
  }

  /** One heartbeat writer per region (the stand-in of its `replication-heartbeat` Deployment). */
  private heartbeatWriters?: HeartbeatWriter[];

  /**
   * The heartbeat stand-in (in a real cluster the `replication-heartbeat` Deployment of each region
   * writes its own region's item): each region's writer ({@link HeartbeatWriter}, the Deployment's
   * loop) reads the other region's heartbeat from its own control table, records the inbound lag when
   * it advanced, and writes its own heartbeat there (age 0); then, replication being not emulated, the
   * item is copied into the other regions' control tables aged by the configured replication lag
   * (`replicationLatencyMs`, the same value CloudWatch reports; undefined: the heartbeat does not
   * replicate).
   */
  async writeHeartbeats(): Promise<void> {
    if (this.heartbeatsPaused) return;
    const lag = this.cloudwatch.values.replicationLatencyMs;
    const regions = Object.values(this.outputs.regions);
    const table = (r: (typeof regions)[number]) =>
      new ControlTable(this.clients().dynamodb(r.region), r.tables.control.name, r.region);
    this.heartbeatWriters ??= regions.map(
      (r) =>
        new HeartbeatWriter(
          table(r),
          r.region,
          regions.find((o) => o.region !== r.region)?.region,
          `replication-heartbeat-stand-in@${r.region}`,
        ),
    );
    for (const writer of this.heartbeatWriters) {
      await writer.beat();
      if (lag === undefined) continue;
      const item = await readHeartbeat(writer.table, writer.region);
      if (!item) continue;
      for (const into of regions.filter((o) => o.region !== writer.region)) {
        await writeHeartbeat(table(into), { ...item, writtenAt: item.writtenAt - lag });
      }
    }
  }

  private startHeartbeats(intervalMs: number): void {
    this.heartbeatTimer = setInterval(() => {
      this.heartbeatWrite ??= this.writeHeartbeats()
        .catch(() => undefined)
        .finally(() => (this.heartbeatWrite = undefined));
    }, intervalMs);
    this.heartbeatTimer.unref();
  }

  static async start(opts: LocalOptions): Promise<LocalEnvironment> {
    const { outputs, stateDir } = opts;
    if (stateDir) mkdirSync(stateDir, { recursive: true });
    const at = (name: string) => (stateDir ? join(stateDir, name) : undefined);
    const regions = Object.values(outputs.regions);

    const dynamo: Record<string, RunningServer> = {};
    const kinesis: Record<string, RunningServer> = {};
    const kube: Record<string, KubeStandIn> = {};
    for (const r of regions) {
      dynamo[r.region] = await startDynalite(at(`dynamodb-${r.region}`));
      kinesis[r.region] = await startKinesalite();
      kube[r.region] = new KubeStandIn(r, opts.readyDelayMs ?? 150, at(`kubernetes-${r.region}.json`));
      await kube[r.region].start();
    }
    const fauxqs = await startFauxqs();

    const controls = regions.map((r) => r.routingControlArn);
    const arc = new ArcStandIn(controls, LocalEnvironment.initialRouting(outputs), at('arc.json'));
    const byHealthCheck = new Map(regions.map((r) => [r.healthCheckId, r.routingControlArn]));
    const cloudwatch = new CloudWatchStandIn((id) => {
      const arn = byHealthCheck.get(id);
      return arn === undefined ? undefined : arc.state.controls[arn] === 'On' ? 1 : 0;
    });
    cloudwatch.reset(opts.metrics);

    // Seed: tables, streams, queues and topics with the names from the outputs.
    for (const r of regions) {
      const db = new DynamoDBClient({ region: r.region, endpoint: dynamo[r.region].url, credentials });
      const existing = new Set((await db.send(new ListTablesCommand({}))).TableNames ?? []);
      for (const { name } of Object.values(r.tables)) {
        if (!existing.has(name)) await createTable(db, name, provisionedSeed(r, name));
      }
      const ks = kinesisClient(r.region, kinesis[r.region].url);
      const streams = new Set((await ks.send(new ListStreamsCommand({}))).StreamNames ?? []);
      if (!streams.has(r.stream.name))
        await ks.send(new CreateStreamCommand({ StreamName: r.stream.name, ShardCount: 2 }));
      fauxqs.createTopic(r.topic.name, { region: r.region });
      for (const q of Object.values(r.queues)) {
        fauxqs.createQueue(q.name, { region: r.region });
        fauxqs.createQueue(q.dlqArn.split(':').pop() ?? `${q.name}-dlq`, { region: r.region });
        fauxqs.subscribe({ topic: r.topic.name, queue: q.name, region: r.region });
      }
    }
    // One runbook topic per region, each with its own inbox (fauxqs names queues globally).
    const inboxes: Record<string, string> = {};
    const localRegions: Record<string, RunbookOutputs['regions'][string]> = {};
    for (const r of regions) {
      const topicName = r.notificationTopicArn.split(':').pop() ?? 'runbook-notifications';
      const topicRegion = arnRegion(r.notificationTopicArn);
      const inbox = `${topicName}-inbox-${topicRegion}`;
      const { topicArn } = fauxqs.createTopic(topicName, { region: topicRegion });
      fauxqs.createQueue(inbox, { region: topicRegion });
      fauxqs.subscribe({
        topic: topicName,
        queue: inbox,
        region: topicRegion,
        attributes: { RawMessageDelivery: 'true' },
      });
      inboxes[inbox] = topicArn;
      localRegions[r.region] = { ...r, notificationTopicArn: topicArn };
    }

    // The runbook subtracts the writers' interval from a heartbeat's age: tell it the stand-in's.
    const heartbeatIntervalMs = opts.heartbeatIntervalMs ?? LOCAL_HEARTBEAT_INTERVAL_MS;
    const local = new LocalEnvironment(
      { ...outputs, regions: localRegions, heartbeatIntervalSeconds: heartbeatIntervalMs / 1000 },
      arc,
      cloudwatch,
      kube,
      dynamo,
      kinesis,
      fauxqs,
      inboxes,
      new Snapshot<Notification[]>(at('notifications.json')),
      stateDir !== undefined,
    );
    local.kubeCallTimeoutMs = opts.kubeCallTimeoutMs;
    local.autoscaling = new AutoScalingStandIn(local.outputs, (region) => local.clients().dynamodb(region));
    await local.writeHeartbeats();
    local.startHeartbeats(heartbeatIntervalMs);
    return local;
  }

  /** Traffic starts in the primary region. */
  static initialRouting(outputs: RunbookOutputs): Record<string, 'On' | 'Off'> {
    return Object.fromEntries(
      Object.values(outputs.regions).map((r) => [r.routingControlArn, r.role === 'primary' ? 'On' : 'Off']),
    );
  }

  /** True when `dir` holds state from an earlier run. */
  static hasState(dir: string): boolean {
    return existsSync(join(dir, 'arc.json'));
  }

  private shared?: Clients;

  /** The {@link Clients} wired to the emulators and stand-ins (one set per environment). */
  clients(): Clients {
    this.shared ??= this.makeClients();
    return this.shared;
  }

  private makeClients(): Clients {
    const endpointOf = (map: Readonly<Record<string, RunningServer>>, region: string) => {
      const s = map[region];
      if (!s) throw new Error(`no local emulator for region ${region}`);
      return s.url;
    };
    const arcClients = memo((key) => {
      const [endpoint, region] = key.split('|');
      const client = new Route53RecoveryClusterClient({ endpoint, region, credentials });
      this.arc.attach(client, endpoint);
      return client;
    });
    const cw = memo((region) => {
      const client = new CloudWatchClient({ region, credentials });
      this.cloudwatch.attach(client, region);
      return client;
    });
    const autoscaling = memo((region) => {
      const client = new ApplicationAutoScalingClient({ region, credentials });
      this.autoscaling.attach(client, region);
      return client;
    });
    const kube = memo(
      (region) =>
        new ClientNodeKubeGateway(
          this.outputs.regions[region],
          this.kube[region].kubeConfig(),
          this.kubeCallTimeoutMs,
        ),
    );
    return {
      dynamodb: memo(
        (region) => new DynamoDBClient({ region, endpoint: endpointOf(this.dynamo, region), credentials }),
      ),
      kinesis: memo((region) => kinesisClient(region, endpointOf(this.kinesis, region))),
      sqs: memo((region) => new SQSClient({ region, endpoint: this.fauxqs.address, credentials })),
      sns: memo((region) => new SNSClient({ region, endpoint: this.fauxqs.address, credentials })),
      cloudwatch: cw,
      autoscaling,
      arc: (endpoint, region) => arcClients(`${endpoint}|${region}`),
      arcEndpoints: new ArcEndpointPreference(),
      kube: (r) => kube(r.region),
      http: async (url) => ({ status: this.syntheticStatus(url) }),
    };
  }

  /** Synthetic scoring endpoint stand-in: 200 when that region takes traffic and has ready scoring pods. */
  private syntheticStatus(url: string): number {
    const r = Object.values(this.outputs.regions).find((x) => x.syntheticEndpoint === url);
    if (!r) return 404;
    const api = r.workloads.deployments.find((d) => d.name === 'scoring-api') ?? r.workloads.deployments[0];
    const serving = this.arc.state.controls[r.routingControlArn] === 'On';
    return serving && api && this.kube[r.region].ready(api.name) > 0 ? 200 : 503;
  }

  services(): ServiceLabel[] {
    const regions = Object.keys(this.outputs.regions).join(', ');
    return [
      {
        service: 'DynamoDB',
        implementation: 'emulator',
        detail: `dynalite, one server per region (${regions})${this.persisted ? ', LevelDB on disk' : ''}`,
      },
      {
        service: 'Kinesis',
        implementation: 'emulator',
        detail: `kinesalite, one server per region (${regions})`,
      },
      { service: 'SNS + SQS', implementation: 'emulator', detail: 'fauxqs (regions from SigV4)' },
      {
        service: 'Route 53 ARC',
        implementation: 'stand-in',
        detail: 'aws-sdk-client-mock; stateful, enforces the safety rule',
      },
      {
        service: 'CloudWatch (incl. Route 53 health)',
        implementation: 'stand-in',
        detail:
          "aws-sdk-client-mock; health follows routing controls; the canary's probes score in every region",
      },
      {
        service: 'Application Auto Scaling',
        implementation: 'stand-in',
        detail:
          'aws-sdk-client-mock; a raised MinCapacity updates the dynalite table, as the service-linked role does',
      },
      {
        service: 'Kubernetes API',
        implementation: 'stand-in',
        detail: 'HTTP server per region, driven by @kubernetes/client-node',
      },
      {
        service: 'synthetic scoring endpoint',
        implementation: 'stand-in',
        detail: 'answers 200 when the region is On with ready pods',
      },
      {
        service: 'DynamoDB global-table replication',
        implementation: 'stand-in',
        detail: 'not emulated: each region keeps its own copy',
      },
      {
        service: 'replication heartbeat',
        implementation: 'stand-in',
        detail:
          `each region's writer every ${this.outputs.heartbeatIntervalSeconds ?? 0.1} s: its heartbeat, with the inbound lag it observed, copied into the other region aged by the replication lag ` +
          '(in a real cluster: the replication-heartbeat Deployment, every 1-5 s from the RPO, own region only)',
      },
    ];
  }

  /** Every runbook item of a region's control table (the heartbeats left out). */
  async controlItems(region: string): Promise<Record<string, unknown>[]> {
    const doc = DynamoDBDocumentClient.from(this.clients().dynamodb(region));
    const out = await doc.send(
      new ScanCommand({ TableName: this.outputs.regions[region].tables.control.name, ConsistentRead: true }),
    );
    return (out.Items ?? []).filter((i) => !String(i[TABLE_KEYS.partition]).startsWith('heartbeat#'));
  }

  /** Notifications received on the regions' topics (this run's and, when persisted, earlier runs'). */
  notifications(): Notification[] {
    const seen = this.ledger.load(() => []);
    const now = Object.entries(this.inboxes).flatMap(([inbox, topicArn]) =>
      (this.fauxqs.inspectQueue(inbox)?.messages.ready ?? []).map((m) => ({
        messageId: m.messageId,
        body: m.body,
        topicArn,
      })),
    );
    const ids = new Set(seen.map((n) => n.messageId));
    return [...seen, ...now.filter((n) => !ids.has(n.messageId))];
  }

  /** Writes the fauxqs notifications to disk (the other emulators and stand-ins persist as they go). */
  persistSync(): void {
    this.ledger.save(this.notifications());
  }

  /** Back to the seeded state (tests): empty control tables, traffic in primary, standby DR. */
  async reset(metrics: Partial<MetricValues> = {}): Promise<void> {
    for (const r of Object.values(this.outputs.regions)) {
      const db = this.clients().dynamodb(r.region);
      await deleteItems(db, r.tables.control.name, await this.controlItems(r.region));
      this.kube[r.region].reset();
      // Provisioned tables back to their seeded capacity (a test may have raised them).
      for (const { name } of Object.values(r.tables)) await restoreSeed(db, name, provisionedSeed(r, name));
    }
    this.autoscaling.reset();
    this.arc.reset(LocalEnvironment.initialRouting(this.outputs));
    this.clients().arcEndpoints.reset();
    this.cloudwatch.reset(metrics);
    this.fauxqs.reset();
    this.ledger.save([]);
    this.heartbeatsPaused = false;
    await this.heartbeatWrite;
    await this.writeHeartbeats();
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    this.heartbeatsPaused = true;
    await this.heartbeatWrite;
    this.persistSync();
    await this.fauxqs.stop();
    for (const s of [...Object.values(this.dynamo), ...Object.values(this.kinesis)]) await s.stop();
    for (const k of Object.values(this.kube)) await k.stop();
  }
}

function kinesisClient(region: string, endpoint: string): KinesisClient {
  // kinesalite speaks HTTP/1.1 only.
  return new KinesisClient({ region, endpoint, credentials, requestHandler: new NodeHttpHandler() });
}
