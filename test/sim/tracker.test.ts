import { SETTLE_SECONDS, Tracker } from '../../tools/sim/tracker';

/** Feeds `shorts` (one flag per 5 s step from t=0) and returns the outcome at the end. */
function track(shorts: boolean[], arrival?: number) {
  const tr = new Tracker();
  shorts.forEach((s, i) => tr.step(i * 5, 5, s, s ? 10 : 0, arrival));
  return tr.outcome('w', 'workload', shorts.length * 5, arrival);
}
const F = false;
const T = true;
const ok = (n: number) => Array<boolean>(n).fill(F);

describe('Tracker', () => {
  it('settles after four HPA syncs', () => expect(SETTLE_SECONDS).toBe(60));

  it('merges shortfalls separated by less than the settle time into one episode', () => {
    const o = track([...ok(2), T, T, T, F, T, T, ...ok(20)]);
    expect(o.breachSeconds).toBe(25);
    expect(o.timeToCapacitySeconds).toBe(30); // 10 s to 40 s
    expect(o.recovered).toBe(true);
    expect(o.unitsAboveCapacity).toBe(50);
  });

  it('keeps shortfalls separated by the settle time apart and reports the longest', () => {
    const o = track([T, T, ...ok(12), T, T, T, ...ok(3)]);
    expect(o.timeToCapacitySeconds).toBe(15);
    expect(o.breachSeconds).toBe(25);
  });

  it('a shortfall open at the end is unrecovered and counts to the end', () => {
    const o = track([...ok(4), T, T, T]);
    expect(o.recovered).toBe(false);
    expect(o.timeToCapacitySeconds).toBe(15);
    expect(o.recoveredAt).toBe(35);
  });

  it('a shortfall that ends within the settle time before the end is recovered at its last short step', () => {
    const o = track([T, T, F, F]);
    expect(o.recovered).toBe(true);
    expect(o.timeToCapacitySeconds).toBe(10);
  });

  it('in a failover, measures from the arrival and recovers where capacity last caught up', () => {
    const o = track([T, T, T, T, F, T, ...ok(20)], 10);
    expect(o.timeToCapacitySeconds).toBe(20); // arrival 10 s to 30 s
    expect(o.recoveredAt).toBe(30);
  });

  it('in a failover with no shortfall, recovers at the arrival', () => {
    const o = track(ok(10), 20);
    expect(o.timeToCapacitySeconds).toBe(0);
    expect(o.recoveredAt).toBe(20);
  });
});
