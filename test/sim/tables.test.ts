import { newTable, raiseMinimum, tableStep } from '../../tools/sim/tables';
import { valueAt } from '../../tools/sim/trace';
import { cloudwatchDatapoint, History } from '../../tools/sim/history';

const plan = {
  table: 'prod-features',
  dimension: 'read' as const,
  minCapacity: 1000,
  maxCapacity: 10000,
  targetPercent: 70,
};
const timing = { alarmDelaySeconds: 60, updateSeconds: 120 };

describe('DynamoDB target tracking', () => {
  it('starts at the capacity that holds the first demand at the target, within min and max', () => {
    expect(newTable(plan, 0).provisioned).toBe(1000);
    expect(newTable(plan, 1400).provisioned).toBe(2000);
    expect(newTable(plan, 1e6).provisioned).toBe(10000);
  });

  it('scales out after two minutes above target, then alarm delay and UpdateTable; a saturated table grows by 1/0.7', () => {
    const t = newTable(plan, 0);
    const seen: [number, number][] = [];
    for (let s = 0; s < 900; s++) {
      const served = tableStep(t, s, 1, 5000, timing);
      if (seen.length === 0 || seen[seen.length - 1][1] !== t.provisioned) seen.push([s, t.provisioned]);
      expect(served).toBeLessThanOrEqual(t.provisioned);
    }
    // Minutes 0-1 breach (closed at t=119), action at 120 + 60 + 120 = 300: consumed 1000 / 0.7 = 1429.
    // The alarm stays in breach; the first minute at the new capacity closes at 359: 1429 / 0.7 at 540.
    expect(seen.slice(0, 3)).toEqual([
      [0, 1000],
      [300, 1429],
      [540, 2042],
    ]);
  });

  it('a minimum raised while an update is in flight: that update lands when it was due, the raise follows it', () => {
    // GIVEN the target-tracking update of the test above in flight (1429 units, due at t=300)
    const t = newTable(plan, 0);
    for (let s = 0; s < 250; s++) tableStep(t, s, 1, 5000, timing);
    expect(t.pending).toEqual({ units: 1429, at: 300 });
    // WHEN a scheduled action raises the minimum to 8000 at t=250
    raiseMinimum(t, 8000, 250, timing.updateSeconds);
    // THEN the in-flight update is not pushed back, and the raise is the next update (300 + 120 s)
    const seen: [number, number][] = [];
    for (let s = 250; s < 600; s++) {
      tableStep(t, s, 1, 5000, timing);
      if (seen.length === 0 || seen[seen.length - 1][1] !== t.provisioned) seen.push([s, t.provisioned]);
    }
    expect(seen).toEqual([
      [250, 1000],
      [300, 1429],
      [420, 8000],
    ]);
  });

  it('burst capacity (when enabled) serves demand above the provisioned rate from 300 s of unused capacity', () => {
    const t = newTable(plan, 0);
    expect(tableStep(t, 0, 1, 3000, { ...timing, burst: true })).toBe(3000);
    expect(tableStep(newTable(plan, 0), 0, 1, 3000, timing)).toBe(1000);
  });

  it('a raised minimum applies after the update time', () => {
    const t = newTable(plan, 0);
    raiseMinimum(t, 4000, 0, 120);
    tableStep(t, 119, 1, 0, timing);
    expect(t.provisioned).toBe(1000);
    tableStep(t, 120, 1, 0, timing);
    expect(t.provisioned).toBe(4000);
  });
});

describe('traces and metric lags', () => {
  it('interpolates points linearly and holds the last value', () => {
    const s: [number, number][] = [
      [0, 0.2],
      [600, 0.2],
      [780, 1],
    ];
    expect(valueAt(s, 300)).toBe(0.2);
    expect(valueAt(s, 690)).toBeCloseTo(0.6);
    expect(valueAt(s, 5000)).toBe(1);
  });

  it('the CloudWatch datapoint is the newest complete period ending metricEndTimeOffset ago', () => {
    const h = new History(1);
    for (let t = 0; t < 300; t++) h.push(t < 120 ? 100 : 1000);
    // At t=239 with period 60 and offset 60: the minute [60, 120) -> 6,000 records.
    expect(cloudwatchDatapoint(h, 239, 60, 60, 'Sum')).toBe(6000);
    expect(cloudwatchDatapoint(h, 240, 60, 60, 'Sum')).toBe(60000);
    expect(cloudwatchDatapoint(h, 240, 60, 60, 'Average')).toBe(1000);
  });
});
