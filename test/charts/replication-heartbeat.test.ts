import { spawnSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  heartbeatBeatSeconds,
  HEARTBEAT_WRITER_CPU,
  REPLICATION_HEARTBEAT_RESOURCES,
  REPLICATION_HEARTBEAT_DEFAULT_IMAGE,
  stampFresherThan,
} from '../../charts/replication-heartbeat';
import { bundleHeartbeatWriter } from '../../tools/heartbeat/bundle';
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
  volumeMounts: { mountPath: string; name: string; readOnly?: boolean }[];
};
type Deployment = Manifest & {
  metadata: { labels: Record<string, string> };
  spec: {
    replicas: number;
    strategy: { rollingUpdate: { maxSurge: number; maxUnavailable: number } };
    template: {
      metadata: { annotations: Record<string, string> };
      spec: {
        serviceAccountName: string;
        automountServiceAccountToken: boolean;
        securityContext: Record<string, unknown>;
        containers: Container[];
        volumes: { name: string; emptyDir?: object; configMap?: { name: string } }[];
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
    // THEN it runs the bundled writer with node, with the region, peer, table and interval in its env
    expect(c.command).toEqual(['node', '/opt/heartbeat/writer.js']);
    expect(c.args).toBeUndefined();
    expect(env(c)).toMatchObject({
      AWS_REGION: 'us-east-1',
      PEER_REGION: 'us-west-2',
      CONTROL_TABLE_NAME: 'prod-control',
      HEARTBEAT_INTERVAL_SECONDS: '3',
      HEARTBEAT_STAMP_FILE: '/tmp/heartbeat/last-put',
      POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } },
    });
  });

  test('sends its metrics to the node agent by DogStatsD, tagged with the env label', () => {
    const c = container(synth(primaryProps()));
    expect(env(c)).toMatchObject({
      DD_AGENT_HOST: { fieldRef: { fieldPath: 'status.hostIP' } },
      DD_DOGSTATSD_PORT: '8125',
      DD_ENV: { fieldRef: { fieldPath: "metadata.labels['tags.datadoghq.com/env']" } },
      AWS_EC2_METADATA_DISABLED: 'true',
      NODE_OPTIONS: '--max-old-space-size=64',
    });
  });

  test('mounts the bundled writer from its ConfigMap, read-only, and rolls when the bundle changes', () => {
    const objs = synth(primaryProps());
    const bundle = bundleHeartbeatWriter();
    const cm = find<Manifest & { data: Record<string, string> }>(
      objs,
      'ConfigMap',
      'replication-heartbeat-writer',
    );
    expect(Object.keys(cm.data)).toEqual(['writer.js']);
    expect(cm.data['writer.js']).toBe(bundle.code);
    // A ConfigMap holds at most 1 MiB
    expect(Buffer.byteLength(cm.data['writer.js'])).toBeLessThan(1024 * 1024);
    const d = heartbeat(objs);
    expect(d.spec.template.spec.volumes.find((v) => v.name === 'writer')?.configMap?.name).toBe(
      'replication-heartbeat-writer',
    );
    expect(container(objs).volumeMounts).toContainEqual({
      mountPath: '/opt/heartbeat',
      name: 'writer',
      readOnly: true,
    });
    expect(d.spec.template.metadata.annotations['risk-platform/writer-sha256']).toBe(bundle.sha256);
  });

  test("refuses pod labels without the Datadog env tag, naming 'replicationHeartbeat.podLabels'", () => {
    const { ReplicationHeartbeat } = jest.requireActual<typeof import('../../charts/replication-heartbeat')>(
      '../../charts/replication-heartbeat',
    );
    const { Chart, Testing } = jest.requireActual<typeof import('cdk8s')>('cdk8s');
    const chart = new Chart(Testing.app({ outdir: tempDir('cdk8s-') }), 'test');
    expect(
      () =>
        new ReplicationHeartbeat(chart, 'hb', {
          namespace: 'risk-scoring',
          image: REPLICATION_HEARTBEAT_DEFAULT_IMAGE,
          region: 'us-east-1',
          controlTable: 'prod-control',
          intervalSeconds: 1,
          peerRegion: 'us-west-2',
          podLabels: {},
        }),
    ).toThrow("'replicationHeartbeat.podLabels' ({}) must carry 'tags.datadoghq.com/env'");
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

  test('keeps HOME and the stamp on an emptyDir (read-only root filesystem)', () => {
    const objs = synth(primaryProps());
    const c = container(objs);
    expect(env(c)).toMatchObject({ HOME: '/tmp' });
    expect(c.volumeMounts).toEqual([
      { mountPath: '/tmp', name: 'tmp' },
      { mountPath: '/opt/heartbeat', name: 'writer', readOnly: true },
    ]);
    const volumes = heartbeat(objs).spec.template.spec.volumes;
    expect(volumes.map((v) => [v.name, v.emptyDir !== undefined])).toEqual([
      ['tmp', true],
      ['writer', false],
    ]);
    expect(
      heartbeat(objs).spec.template.metadata.annotations[
        'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes'
      ],
    ).toBe('tmp');
  });

  test('defaults to the pinned Node.js 22 image and takes the configured one', () => {
    expect(container(synth(primaryProps())).image).toBe(REPLICATION_HEARTBEAT_DEFAULT_IMAGE);
    expect(REPLICATION_HEARTBEAT_DEFAULT_IMAGE).toMatch(
      /^public\.ecr\.aws\/docker\/library\/node:22\.\d+\.\d+-bookworm-slim@sha256:[a-f0-9]{64}$/,
    );
    const image = 'public.ecr.aws/docker/library/node:22.23.3-bookworm-slim';
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
        images: { ...props.images, replicationHeartbeat: 'public.ecr.aws/docker/library/node' },
      }),
    ).toThrow(/'images\.replicationHeartbeat' \("public\.ecr\.aws\/docker\/library\/node"\) must be pinned/);
  });

  test('probes the age of the last successful put: startup, readiness (15 s) and liveness (30 s)', () => {
    const c = container(synth(primaryProps()));
    expect(c.startupProbe).toMatchObject({ exec: { command: stampFresherThan(30) }, failureThreshold: 12 });
    expect(c.readinessProbe).toMatchObject({ exec: { command: stampFresherThan(15) }, periodSeconds: 5 });
    expect(c.livenessProbe).toMatchObject({ exec: { command: stampFresherThan(30) }, periodSeconds: 10 });
  });

  test('sets requests and limits', () => {
    expect(container(synth(primaryProps())).resources).toEqual({
      requests: { cpu: '50m', memory: '96Mi' },
      limits: { cpu: '200m', memory: '128Mi' },
    });
  });

  test.each([
    ['prod', 5],
    ['staging', 15],
    ['dev', 60],
  ])('%s: a beat at the CPU limit takes a small share of the interval (RPO %i s)', (_env, rpo) => {
    const interval = heartbeatIntervalSeconds(rpo);
    const beat = heartbeatBeatSeconds(REPLICATION_HEARTBEAT_RESOURCES.cpuLimitMillis);
    // 9 ms of CPU at a fifth of a core: 45 ms, under a tenth of the 1-5 s interval
    expect(beat).toBeCloseTo(0.045, 6);
    expect(beat).toBeLessThan(interval / 10);
    // The start (190 ms of CPU) fits the startup probe's first period (5 s) many times over
    expect(HEARTBEAT_WRITER_CPU.startupMs / REPLICATION_HEARTBEAT_RESOURCES.cpuLimitMillis).toBeLessThan(5);
  });

  test("refuses a non-positive CPU limit, naming 'cpuLimitMillis'", () => {
    expect(() => heartbeatBeatSeconds(0)).toThrow(
      "'cpuLimitMillis' (0) must be a positive number of millicores",
    );
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

describe('the probe, run by /bin/sh on a stamp file', () => {
  const dir = tempDir('heartbeat-probe-');
  const stamp = join(dir, 'stamp', 'last-put');
  const probe = (maxAge: number) => {
    const [sh, flag, script] = stampFresherThan(maxAge);
    return spawnSync(sh, [flag, script.replace('/tmp/heartbeat/last-put', stamp)]).status;
  };

  test('fails while the writer has written no stamp', () => {
    expect(probe(30)).not.toBe(0);
  });

  test('passes on a fresh stamp, as the writer writes it (its writtenAt)', () => {
    mkdirSync(join(dir, 'stamp'), { recursive: true });
    writeFileSync(stamp, `${Date.now()}\n`);
    expect(probe(15)).toBe(0);
  });

  test('fails once the last successful update is older than its bound', () => {
    const old = new Date(Date.now() - 31_000);
    utimesSync(stamp, old, old);
    expect(probe(30)).not.toBe(0);
    expect(probe(60)).toBe(0);
  });
});
