import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  heartbeatBeatSeconds,
  REPLICATION_HEARTBEAT_RESOURCES,
  HEARTBEAT_SCRIPT,
  REPLICATION_HEARTBEAT_DEFAULT_IMAGE,
  stampFresherThan,
} from '../../charts/replication-heartbeat';
import { heartbeatIntervalSeconds } from '../../stacks/capacity';
import { drProps, find, Manifest, primaryProps, synth } from './fixtures';
import { tempDir } from '../helpers/tmp';

type Container = {
  name: string;
  image: string;
  command: string[];
  args?: string[];
  env: { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
  startupProbe: { exec: { command: string[] }; periodSeconds: number; failureThreshold: number };
  readinessProbe: { exec: { command: string[] }; periodSeconds: number; failureThreshold: number };
  livenessProbe: { exec: { command: string[] }; periodSeconds: number; failureThreshold: number };
  volumeMounts: { mountPath: string; name: string }[];
};
type Deployment = Manifest & {
  metadata: { labels: Record<string, string> };
  spec: {
    replicas: number;
    strategy: { rollingUpdate: { maxSurge: number; maxUnavailable: number } };
    template: {
      spec: {
        serviceAccountName: string;
        automountServiceAccountToken: boolean;
        securityContext: Record<string, unknown>;
        containers: Container[];
        volumes: { name: string; emptyDir?: object }[];
        topologySpreadConstraints: { topologyKey: string; whenUnsatisfiable: string }[];
      };
    };
  };
};

const heartbeat = (objs: Manifest[]) => find<Deployment>(objs, 'Deployment', 'replication-heartbeat');
const container = (objs: Manifest[]) => heartbeat(objs).spec.template.spec.containers[0];
const env = (c: Container) => Object.fromEntries(c.env.map((e) => [e.name, e.value ?? e.valueFrom]));

describe('replication heartbeat writer', () => {
  test('runs one replica per region, labelled as not autoscaled, surging on rollout', () => {
    // GIVEN / WHEN
    const d = heartbeat(synth(drProps()));
    // THEN
    expect(d.spec.replicas).toBe(1);
    expect(d.metadata.labels['risk-platform/autoscaling']).toBe('none');
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  test("writes its own region's heartbeat at the interval from the props, observing the other region (DR region)", () => {
    // GIVEN the DR region's chart, with a 3 s interval
    const c = container(
      synth(drProps({ replicationHeartbeat: { intervalSeconds: 3, peerRegion: 'us-west-2' } })),
    );
    // THEN the loop is the shell script, with the region, peer, table and interval in its env
    expect(c.command).toEqual(['/bin/sh', '-c', HEARTBEAT_SCRIPT]);
    expect(env(c)).toMatchObject({
      AWS_REGION: 'us-east-1',
      PEER_REGION: 'us-west-2',
      CONTROL_TABLE_NAME: 'prod-control',
      HEARTBEAT_INTERVAL_SECONDS: '3',
      POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } },
    });
    expect(HEARTBEAT_SCRIPT).toContain(
      'aws dynamodb update-item --region "$AWS_REGION" --table-name "$CONTROL_TABLE_NAME" --key "$key"',
    );
  });

  test.each([
    [5, 1],
    [15, 3],
    [60, 5],
    [3, 1],
  ])('RPO %d s gives a %d s interval', (rpo, interval) => {
    expect(heartbeatIntervalSeconds(rpo)).toBe(interval);
  });

  test("refuses an interval outside 1-5 s or a peer that is the region itself, naming 'replicationHeartbeat'", () => {
    expect(() =>
      synth(drProps({ replicationHeartbeat: { intervalSeconds: 0.5, peerRegion: 'us-west-2' } })),
    ).toThrow("'replicationHeartbeat.intervalSeconds' (0.5) must be a whole number of seconds from 1 to 5");
    expect(() =>
      synth(drProps({ replicationHeartbeat: { intervalSeconds: 1, peerRegion: 'us-east-1' } })),
    ).toThrow(/'replicationHeartbeat\.peerRegion' \("us-east-1"\) must name the environment's other region/);
  });

  test('uses the same code path in the primary region, with that region', () => {
    expect(env(container(synth(primaryProps())))).toMatchObject({
      AWS_REGION: 'us-west-2',
      CONTROL_TABLE_NAME: 'prod-control',
    });
  });

  test('keeps HOME and the AWS CLI config on an emptyDir (read-only root filesystem)', () => {
    const objs = synth(primaryProps());
    const c = container(objs);
    expect(env(c)).toMatchObject({
      HOME: '/home/heartbeat',
      AWS_CONFIG_FILE: '/home/heartbeat/.aws/config',
      AWS_PAGER: '',
    });
    expect(c.volumeMounts).toEqual([
      { mountPath: '/tmp', name: 'tmp' },
      { mountPath: '/home/heartbeat', name: 'home' },
    ]);
    const volumes = heartbeat(objs).spec.template.spec.volumes;
    expect(volumes.map((v) => [v.name, v.emptyDir !== undefined])).toEqual([
      ['tmp', true],
      ['home', true],
    ]);
  });

  test('defaults to the pinned AWS CLI v2 image and takes the configured one', () => {
    expect(container(synth(primaryProps())).image).toBe(REPLICATION_HEARTBEAT_DEFAULT_IMAGE);
    expect(REPLICATION_HEARTBEAT_DEFAULT_IMAGE).toMatch(
      /^public\.ecr\.aws\/aws-cli\/aws-cli:2\.\d+\.\d+@sha256:[a-f0-9]{64}$/,
    );
    const image = 'public.ecr.aws/aws-cli/aws-cli:2.31.23';
    const props = primaryProps();
    expect(
      container(synth({ ...props, images: { ...props.images, replicationHeartbeat: image } })).image,
    ).toBe(image);
  });

  test("refuses an unpinned image, naming 'images.replicationHeartbeat'", () => {
    const props = primaryProps();
    expect(() =>
      synth({
        ...props,
        images: { ...props.images, replicationHeartbeat: 'public.ecr.aws/aws-cli/aws-cli' },
      }),
    ).toThrow(/'images\.replicationHeartbeat' \("public\.ecr\.aws\/aws-cli\/aws-cli"\) must be pinned/);
  });

  test('probes the age of the last successful put: startup, readiness (15 s) and liveness (30 s)', () => {
    const c = container(synth(primaryProps()));
    expect(c.startupProbe).toMatchObject({ exec: { command: stampFresherThan(30) }, failureThreshold: 12 });
    expect(c.readinessProbe).toMatchObject({ exec: { command: stampFresherThan(15) }, periodSeconds: 5 });
    expect(c.livenessProbe).toMatchObject({ exec: { command: stampFresherThan(30) }, periodSeconds: 10 });
  });

  test('sets requests and limits', () => {
    expect(container(synth(primaryProps())).resources).toEqual({
      requests: { cpu: '700m', memory: '128Mi' },
      limits: { cpu: '1000m', memory: '192Mi' },
    });
  });

  test.each([
    ['prod', 5],
    ['staging', 15],
    ['dev', 60],
  ])('%s: the gap between two writes at the CPU limit stays below the RPO (%i s)', (_env, rpo) => {
    const interval = heartbeatIntervalSeconds(rpo);
    const beat = heartbeatBeatSeconds(REPLICATION_HEARTBEAT_RESOURCES.cpuLimitMillis, interval);
    expect(beat).toBeLessThan(rpo);
    // The former 250m limit: 2 x 1.1 s at a quarter core, 9.8 s a beat in prod.
    if (rpo === 5) expect(heartbeatBeatSeconds(250, interval)).toBeGreaterThan(rpo);
  });

  test('runs under the restricted security context', () => {
    const d = heartbeat(synth(primaryProps()));
    expect(d.spec.template.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(synth(primaryProps())).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: 10001,
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('spreads across zones', () => {
    const spread = heartbeat(synth(primaryProps())).spec.template.spec.topologySpreadConstraints;
    expect(spread.map((t) => [t.topologyKey, t.whenUnsatisfiable])).toEqual([
      ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
      ['kubernetes.io/hostname', 'ScheduleAnyway'],
    ]);
  });

  test('runs under its own ServiceAccount, with no API token', () => {
    const objs = synth(primaryProps());
    const sa = find<Manifest & { automountServiceAccountToken: boolean }>(
      objs,
      'ServiceAccount',
      'replication-heartbeat',
    );
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(heartbeat(objs).spec.template.spec.serviceAccountName).toBe('replication-heartbeat');
    expect(heartbeat(objs).spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('has a PDB that lets a drain move its single pod', () => {
    const pdb = find<Manifest & { spec: Record<string, unknown> }>(
      synth(primaryProps()),
      'PodDisruptionBudget',
      'replication-heartbeat',
    );
    expect(pdb.spec).toEqual({
      // Rounded up by the disruption controller: 1 of 1 pod.
      maxUnavailable: '10%',
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'replication-heartbeat',
          'app.kubernetes.io/part-of': 'risk-platform',
        },
      },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });
});

describe('the heartbeat loop and probe, run by /bin/sh with a stand-in aws', () => {
  const dir = tempDir('heartbeat-');
  const bin = join(dir, 'bin');
  const stamp = join(dir, 'stamp', 'last-put');
  const calls = join(dir, 'calls');
  const probe = (maxAge: number) => {
    const [sh, flag, script] = stampFresherThan(maxAge);
    return spawnSync(sh, [flag, script.replace('/tmp/heartbeat/last-put', stamp)]).status;
  };

  beforeAll(() => {
    spawnSync('mkdir', ['-p', bin]);
    const aws = join(bin, 'aws');
    // Logs each call's arguments; `get-item` answers like `--query Item.writtenAt.N --output text`:
    // FAKE_PEER=alive: a writtenAt 250 ms old (advancing), a number: that fixed writtenAt, else None.
    writeFileSync(
      aws,
      [
        '#!/bin/sh',
        `printf '%s\\n' '--call--' "$@" >> ${calls}`,
        'if [ "$2" = get-item ]; then',
        '  case "${FAKE_PEER:-}" in',
        '    alive) now=$(date +%s%3N); echo $(( now - 250 ));;',
        "    '') echo None;;",
        '    *) echo "$FAKE_PEER";;',
        '  esac',
        'fi',
        'exit "${FAKE_AWS_EXIT:-0}"',
        '',
      ].join('\n'),
    );
    chmodSync(aws, 0o755);
  });

  const runLoop = (fakeExit: number, peer = '', ms = 600) =>
    new Promise<void>((resolve) => {
      writeFileSync(calls, '');
      const child = spawn('/bin/sh', ['-c', HEARTBEAT_SCRIPT], {
        env: {
          PATH: `${bin}:${process.env.PATH ?? ''}`,
          AWS_REGION: 'us-east-1',
          PEER_REGION: 'us-west-2',
          CONTROL_TABLE_NAME: 'prod-control',
          HEARTBEAT_INTERVAL_SECONDS: '1',
          HEARTBEAT_STAMP_FILE: stamp,
          POD_NAME: 'replication-heartbeat-abc',
          AWS_CONFIG_FILE: join(dir, 'home', '.aws', 'config'),
          FAKE_AWS_EXIT: String(fakeExit),
          FAKE_PEER: peer,
        },
      });
      setTimeout(() => child.kill('SIGTERM'), ms);
      child.on('exit', () => resolve());
    });

  /** Each `aws` call's arguments, in order. */
  const awsCalls = () =>
    readFileSync(calls, 'utf8')
      .split('--call--\n')
      .filter((c) => c.length > 0)
      .map((c) => c.replace(/\n$/, '').split('\n'));
  const arg = (call: string[], flag: string) => call[call.indexOf(flag) + 1];
  type Values = Record<string, Record<string, string>>;
  const updates = () =>
    awsCalls()
      .filter((c) => c[1] === 'update-item')
      .map((c) => ({
        expression: arg(c, '--update-expression'),
        values: JSON.parse(arg(c, '--expression-attribute-values')) as Values,
      }));

  test('a failed update leaves no stamp, so the probes fail', async () => {
    await runLoop(1);
    expect(existsSync(stamp)).toBe(false);
    expect(probe(30)).not.toBe(0);
  });

  test('updates {writtenAt, writer} of its own region and stamps the success the probes read', async () => {
    const before = Date.now();
    await runLoop(0);
    const [get, update] = awsCalls();
    // First the other region's heartbeat, from its own region's replica, then its own heartbeat
    expect(get.slice(0, 6)).toEqual([
      'dynamodb',
      'get-item',
      '--region',
      'us-east-1',
      '--table-name',
      'prod-control',
    ]);
    expect(JSON.parse(arg(get, '--key'))).toEqual({
      pk: { S: 'heartbeat#us-west-2' },
      sk: { S: 'heartbeat' },
    });
    expect(arg(get, '--query')).toBe('Item.writtenAt.N');
    expect(arg(get, '--output')).toBe('text');
    expect(update.slice(0, 6)).toEqual([
      'dynamodb',
      'update-item',
      '--region',
      'us-east-1',
      '--table-name',
      'prod-control',
    ]);
    expect(JSON.parse(arg(update, '--key'))).toEqual({
      pk: { S: 'heartbeat#us-east-1' },
      sk: { S: 'heartbeat' },
    });
    const [{ expression, values }] = updates();
    expect(expression).toBe('SET writtenAt = :w, writer = :p');
    expect(values[':p']).toEqual({ S: 'replication-heartbeat-abc' });
    expect(Number(values[':w'].N)).toBeGreaterThanOrEqual(before - 1000);
    expect(Number(values[':w'].N)).toBeLessThanOrEqual(Date.now());
    expect(probe(30)).toBe(0);
  });

  test("records the inbound lag once the other region's heartbeat advances", async () => {
    // GIVEN the other region alive, its heartbeat replicated 250 ms behind
    await runLoop(0, 'alive', 1600);
    const [first, second] = updates();
    // THEN the first loop only remembers it; the second records now - writtenAt and that writtenAt
    expect(first.expression).toBe('SET writtenAt = :w, writer = :p');
    expect(second.expression).toBe(
      'SET writtenAt = :w, writer = :p, inboundLagMs = :l, inboundWrittenAt = :a',
    );
    const lag = Number(second.values[':l'].N);
    expect(lag).toBeGreaterThanOrEqual(250);
    expect(lag).toBeLessThan(1250);
    expect(Number(second.values[':a'].N)).toBe(Number(second.values[':w'].N) - lag);
  });

  test.each([
    ['silent (its writtenAt does not advance)', '1700000000000'],
    ['absent (no item)', ''],
  ])('leaves the inbound record as it is while the other region is %s', async (_what, peer) => {
    await runLoop(0, peer, 1600);
    const all = updates();
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const u of all) expect(u.expression).toBe('SET writtenAt = :w, writer = :p');
  });

  test('the probe fails once the last successful update is older than its bound', () => {
    const old = new Date(Date.now() - 31_000);
    utimesSync(stamp, old, old);
    expect(probe(30)).not.toBe(0);
    expect(probe(60)).toBe(0);
  });
});
