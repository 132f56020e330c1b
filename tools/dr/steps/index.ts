import { OperationKind } from '../operation';
import { restoreStandby, scaleUp } from './capacity';
import { fenceWrites } from './fence';
import { flipTraffic } from './flip';
import { releaseLock, takeLock } from './lock';
import { notify } from './notify';
import { preflight } from './preflight';
import { Step } from './step';
import { verify } from './verify';

/**
 * The ordered steps of an operation. Failover: 1 preflight, 2 lock, 3 scale-up, 4 fence, 5 flip,
 * 6 verify, 7 notify, 8 unlock. Failback adds `standby` (restore the warm-standby minimums in the
 * region that becomes standby) last, after notify and unlock: it talks to the old DR region, which may
 * be the impaired one, so it is best-effort and can neither delay the notification nor hold the lock.
 *
 * Scale-up comes before the fence (issue 16 finding 1): it is the slow step and the likeliest to
 * fail in an outage, and a fence written before it would leave the region that still takes all the
 * traffic write-fenced for as long as it takes (or, on a timeout, until `dr abort`). The fence and
 * the flip run back to back.
 */
export function planSteps(kind: OperationKind): readonly Step[] {
  return kind === 'failover'
    ? [preflight, takeLock, scaleUp, fenceWrites, flipTraffic, verify, notify, releaseLock]
    : [preflight, takeLock, scaleUp, fenceWrites, flipTraffic, verify, notify, releaseLock, restoreStandby];
}

export type { Step, StepContext, StepId, StepResult, StepTimings } from './step';
