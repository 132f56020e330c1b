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
 * The ordered steps of an operation. Failover: 1 preflight, 2 lock, 3 fence, 4 scale-up, 5 flip,
 * 6 verify, 7 notify, 8 unlock. Failback adds `standby` (restore the warm-standby minimums in the
 * region that becomes standby) last, after notify and unlock: it talks to the old DR region, which may
 * be the impaired one, so it is best-effort and can neither delay the notification nor hold the lock.
 */
export function planSteps(kind: OperationKind): readonly Step[] {
  return kind === 'failover'
    ? [preflight, takeLock, fenceWrites, scaleUp, flipTraffic, verify, notify, releaseLock]
    : [preflight, takeLock, fenceWrites, scaleUp, flipTraffic, verify, notify, releaseLock, restoreStandby];
}

export type { Step, StepContext, StepId, StepResult, StepTimings } from './step';
