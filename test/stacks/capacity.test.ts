import fc from 'fast-check';
import {
  capacityPlan,
  ceilUnits,
  nodeCount,
  nodeGroupSize,
  regionBounds,
  replicaBounds,
  shardRequirement,
  SHARD_BYTES_PER_SEC,
  SHARD_RECORDS_PER_SEC,
  standbyMinimum,
  tableCapacity,
  visibilityTimeoutSeconds,
} from '../../stacks/capacity';
import { EnvironmentConfig } from '../../stacks/config/load';

type Targets = EnvironmentConfig['targets'];

/** prod's targets (environments/Pulumi.prod.yaml). */
const PROD: Targets = {
  peakScoringRps: 40000,
  peakStreamRecordsPerSec: 50000,
  meanRecordBytes: 1500,
  scoringPodRps: 400,
  streamPodRecordsPerSec: 1000,
  peakFeedbackMessagesPerSec: 800,
  feedbackPodMessagesPerSec: 100,
  featureReadsPerScore: 3,
  headroom: 1.5,
  p99LatencyMs: 30,
};

const planFor = (targets: Targets, standbyFraction = 0.25) =>
  capacityPlan({
    targets,
    dr: { rpoSeconds: 5, rtoSeconds: 300, standbyFraction },
    streams: { mode: 'PROVISIONED', retentionHours: 24 },
    messaging: { maxReceiveCount: 5, consumerProcessingSeconds: 20, retentionDays: 14 },
  });

const targetsArb: fc.Arbitrary<Targets> = fc.record({
  peakScoringRps: fc.integer({ min: 1, max: 200000 }),
  peakStreamRecordsPerSec: fc.integer({ min: 1, max: 500000 }),
  meanRecordBytes: fc.integer({ min: 1, max: 1048576 }),
  scoringPodRps: fc.integer({ min: 1, max: 5000 }),
  streamPodRecordsPerSec: fc.integer({ min: 1, max: 20000 }),
  peakFeedbackMessagesPerSec: fc.integer({ min: 1, max: 50000 }),
  feedbackPodMessagesPerSec: fc.integer({ min: 1, max: 2000 }),
  featureReadsPerScore: fc.integer({ min: 1, max: 20 }),
  headroom: fc.double({ min: 1, max: 10, noNaN: true }),
  p99LatencyMs: fc.integer({ min: 1, max: 1000 }),
});
const fractionArb = fc.double({ min: 0.01, max: 1, noNaN: true });

describe('shardRequirement', () => {
  test.each([
    // records/s, bytes, headroom -> byRecords, byBytes, shards
    [1000, 100, 1, 1, 1, 1],
    [1001, 100, 1, 2, 1, 2],
    [1000, 1048576, 1, 1, 1000, 1000],
    [50000, 1500, 1.5, 75, 108, 108], // prod: the byte rate dominates
    [5000, 1500, 1.5, 8, 11, 11], // staging
    [500, 1500, 1.5, 1, 2, 2], // dev
    [10, 10, 1, 1, 1, 1],
  ])(
    '%d records/s of %d bytes with headroom %d needs %d/%d -> %d shards',
    (records, bytes, headroom, byRecords, byBytes, shards) => {
      const r = shardRequirement({
        ...PROD,
        peakStreamRecordsPerSec: records,
        meanRecordBytes: bytes,
        headroom,
      });
      expect(r).toEqual({ byRecords, byBytes, shardCount: shards });
    },
  );

  test('forgives floating-point noise: 0.1 * 3 * 10000 records/s is exactly 3 shards, not 4', () => {
    expect(
      shardRequirement({
        ...PROD,
        peakStreamRecordsPerSec: 10000,
        headroom: 0.1 * 3 * 10,
        meanRecordBytes: 1,
      }).byRecords,
    ).toBe(3 * 10);
    expect(ceilUnits(0.1 + 0.2 - 0.3 + 3)).toBe(3);
  });

  test('never falls below the peak requirement (records and bytes, with headroom)', () => {
    fc.assert(
      fc.property(targetsArb, (t) => {
        const { shardCount } = shardRequirement(t);
        const records = t.peakStreamRecordsPerSec * t.headroom;
        expect(shardCount * SHARD_RECORDS_PER_SEC).toBeGreaterThanOrEqual(records * (1 - 1e-12));
        expect(shardCount * SHARD_BYTES_PER_SEC).toBeGreaterThanOrEqual(
          records * t.meanRecordBytes * (1 - 1e-12),
        );
        expect(Number.isInteger(shardCount) && shardCount >= 1).toBe(true);
      }),
    );
  });

  test('is not more than one shard above the larger requirement', () => {
    fc.assert(
      fc.property(targetsArb, (t) => {
        const records = t.peakStreamRecordsPerSec * t.headroom;
        const need = Math.max(
          records / SHARD_RECORDS_PER_SEC,
          (records * t.meanRecordBytes) / SHARD_BYTES_PER_SEC,
        );
        expect(shardRequirement(t).shardCount).toBeLessThan(Math.max(1, need) + 1);
      }),
    );
  });

  test('rejects a headroom below 1, naming the field and value', () => {
    expect(() => shardRequirement({ ...PROD, headroom: 0.9 })).toThrow(
      new Error(`'targets.headroom' (0.9) must be greater than or equal to 1`),
    );
  });
});

describe('tableCapacity', () => {
  test('sizes prod features reads as peakScoringRps x featureReadsPerScore x headroom (strong reads)', () => {
    expect(tableCapacity(PROD).features.reads).toEqual({ peak: 120000, min: 60000, max: 180000 });
  });

  test('eventually consistent reads need half the read units', () => {
    const c = tableCapacity(PROD, { readConsistency: 'EVENTUAL' });
    expect(c.features.reads).toEqual({ peak: 60000, min: 30000, max: 90000 });
    expect(c.decisions.reads).toEqual({ peak: 400, min: 200, max: 600 });
    // The control table is read strongly whatever the scoring path does (the runbook's fence).
    expect(c.control.reads).toEqual(tableCapacity(PROD).control.reads);
  });

  test('sizes prod decisions writes as (puts + replicated TTL deletes) x headroom', () => {
    expect(tableCapacity(PROD).decisions.writes).toEqual({ peak: 80000, min: 40000, max: 120000 });
  });

  test('keeps every dimension at least 5 units with min <= max', () => {
    fc.assert(
      fc.property(targetsArb, (t) => {
        const tables = tableCapacity(t);
        for (const table of Object.values(tables)) {
          for (const b of [table.reads, table.writes]) {
            expect(b.min).toBeGreaterThanOrEqual(5);
            expect(b.min).toBeLessThanOrEqual(b.max);
            expect(b.max).toBeGreaterThanOrEqual(b.peak);
          }
        }
      }),
    );
  });
});

describe('replica bounds', () => {
  test('derives prod bounds per workload', () => {
    const w = planFor(PROD).workloads;
    expect(w['scoring-api']).toMatchObject({ minReplicas: 50, maxReplicas: 150, standbyMinReplicas: 13 });
    expect(w['stream-scorer']).toMatchObject({ minReplicas: 25, maxReplicas: 75, standbyMinReplicas: 7 });
    // A queue consumer's minimum carries its whole peak (QUEUE_CONSUMER_MIN_FRACTION_OF_PEAK): 800 / 100.
    expect(w['feedback-worker']).toMatchObject({ minReplicas: 8, maxReplicas: 12, standbyMinReplicas: 2 });
  });

  test('a minFractionOfPeak of 1 sets the minimum at the peak pods, 0.5 (the default) at half', () => {
    expect(replicaBounds(800, 100, 1.5, 0.25, { minFractionOfPeak: 1 }).minReplicas).toBe(8);
    expect(replicaBounds(800, 100, 1.5, 0.25).minReplicas).toBe(4);
  });

  test.each([
    // peak, perPod, headroom, cap -> min, max
    [200, 400, 1.5, undefined, 2, 3], // below one pod: floors
    [4000, 400, 1.5, undefined, 5, 15],
    [50000, 1000, 1.5, 40, 25, 40], // capped by the shards
    [50000, 1000, 1.5, 1, 1, 1], // cap below the floor wins
  ])('peak %d at %d/pod, headroom %d, cap %s -> min %d, max %d', (peak, perPod, headroom, cap, min, max) => {
    const b = replicaBounds(peak, perPod, headroom, 0.25, { cap });
    expect([b.minReplicas, b.maxReplicas]).toEqual([min, max]);
  });

  test('the stream scorer maximum never exceeds the shard count', () => {
    fc.assert(
      fc.property(targetsArb, fractionArb, (t, f) => {
        const plan = planFor(t, f);
        expect(plan.workloads['stream-scorer'].maxReplicas).toBeLessThanOrEqual(plan.stream.shardCount);
      }),
    );
  });

  test('every workload has 1 <= min <= max, and max covers the peak with headroom unless capped', () => {
    fc.assert(
      fc.property(targetsArb, fractionArb, (t, f) => {
        const plan = planFor(t, f);
        for (const b of Object.values(plan.workloads)) {
          expect(b.minReplicas).toBeGreaterThanOrEqual(1);
          expect(b.minReplicas).toBeLessThanOrEqual(b.maxReplicas);
        }
        const api = plan.workloads['scoring-api'];
        expect(api.maxReplicas * t.scoringPodRps).toBeGreaterThanOrEqual(
          t.peakScoringRps * t.headroom * (1 - 1e-12),
        );
      }),
    );
  });

  test('standby minimums are at least 1 and at most the primary minimum', () => {
    fc.assert(
      fc.property(targetsArb, fractionArb, (t, f) => {
        for (const b of Object.values(planFor(t, f).workloads)) {
          expect(b.standbyMinReplicas).toBeGreaterThanOrEqual(1);
          expect(b.standbyMinReplicas).toBeLessThanOrEqual(b.minReplicas);
        }
      }),
    );
  });

  test('standbyMinimum is max(1, ceil(min x fraction))', () => {
    expect(standbyMinimum(50, 0.25)).toBe(13);
    expect(standbyMinimum(4, 0.25)).toBe(1);
    expect(standbyMinimum(1, 0.01)).toBe(1);
    expect(standbyMinimum(8, 1)).toBe(8);
  });

  test('regionBounds gives the standby region the standby minimum and records the full one', () => {
    const b = planFor(PROD).workloads['scoring-api'];
    expect(regionBounds(b, true)).toEqual({ minReplicas: 50, maxReplicas: 150, fullMinReplicas: 50 });
    expect(regionBounds(b, false)).toEqual({ minReplicas: 13, maxReplicas: 150, fullMinReplicas: 50 });
  });
});

describe('headroom', () => {
  test('more headroom never lowers shards, table capacity or maximum replicas', () => {
    fc.assert(
      fc.property(targetsArb, fc.double({ min: 0, max: 5, noNaN: true }), (t, extra) => {
        const lo = planFor(t);
        const hi = planFor({ ...t, headroom: Math.min(10, t.headroom + extra) });
        expect(hi.stream.shardCount).toBeGreaterThanOrEqual(lo.stream.shardCount);
        expect(hi.tables.features.reads.max).toBeGreaterThanOrEqual(lo.tables.features.reads.max);
        expect(hi.tables.decisions.writes.max).toBeGreaterThanOrEqual(lo.tables.decisions.writes.max);
        for (const w of ['scoring-api', 'stream-scorer', 'feedback-worker'] as const) {
          expect(hi.workloads[w].maxReplicas).toBeGreaterThanOrEqual(lo.workloads[w].maxReplicas);
        }
      }),
    );
  });

  test('more peak traffic never lowers the shard count', () => {
    fc.assert(
      fc.property(targetsArb, fc.integer({ min: 0, max: 100000 }), (t, more) => {
        const lo = shardRequirement(t).shardCount;
        const hi = shardRequirement({
          ...t,
          peakStreamRecordsPerSec: t.peakStreamRecordsPerSec + more,
        }).shardCount;
        expect(hi).toBeGreaterThanOrEqual(lo);
      }),
    );
  });
});

describe('visibilityTimeoutSeconds', () => {
  test('is six times the processing time', () => {
    expect(visibilityTimeoutSeconds(20)).toBe(120);
    expect(visibilityTimeoutSeconds(0.5)).toBe(3);
  });

  test('is always above the processing time', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 7200, noNaN: true }), (s) => {
        expect(visibilityTimeoutSeconds(s)).toBeGreaterThan(s);
      }),
    );
  });

  test('rejects a processing time whose timeout would pass the 12-hour SQS limit', () => {
    expect(() => visibilityTimeoutSeconds(8000)).toThrow(
      new Error(
        `'consumerProcessingSeconds' (8000) must be at most 7200 (the visibility timeout, 6x, is capped at 43200 s)`,
      ),
    );
  });
});

describe('node sizing', () => {
  const node = { vcpu: 8, memoryGiB: 16 };

  test('packs pods by their tighter resource and rounds up to a multiple of the zones', () => {
    // 7200m CPU allocatable per node -> 7 pods of 1000m; 50 pods -> 8 nodes -> 9 over 3 zones.
    expect(nodeCount([{ cpuMillis: 1000, memoryMiB: 1024, count: 50 }], node)).toBe(9);
  });

  test('keeps at least one node per zone', () => {
    expect(nodeCount([{ cpuMillis: 100, memoryMiB: 128, count: 1 }], node)).toBe(3);
  });

  test('rejects a pod that does not fit on an empty node', () => {
    expect(() => nodeCount([{ cpuMillis: 9000, memoryMiB: 1024, count: 1 }], node)).toThrow(
      new Error(`'pods[0]' (9000m CPU, 1024Mi) must fit on one node (7200m CPU, 14745Mi allocatable)`),
    );
  });

  test('nodeGroupSize sizes min from the minimums and max from the maximums', () => {
    const size = nodeGroupSize(
      [{ cpuMillis: 1000, memoryMiB: 1024, minReplicas: 50, maxReplicas: 150 }],
      node,
    );
    expect(size).toEqual({ minSize: 9, desiredSize: 9, maxSize: 24 });
  });

  test('never places fewer pod slots than pods', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 50, max: 7000 }),
        fc.integer({ min: 64, max: 14000 }),
        fc.integer({ min: 0, max: 500 }),
        (cpu, mem, count) => {
          const n = nodeCount([{ cpuMillis: cpu, memoryMiB: mem, count }], node);
          const perNode = Math.floor(Math.min((8000 * 0.9) / cpu, (16384 * 0.9) / mem));
          expect(n * perNode).toBeGreaterThanOrEqual(count);
        },
      ),
    );
  });
});
