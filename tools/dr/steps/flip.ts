import { flipRoutingControls, readRoutingStates } from '../arc';
import { Step } from './step';

/**
 * Step 5. Flips the ARC routing controls: target on and source off in one call (the safety rule
 * always holds), through the cluster's data-plane endpoints, each tried in turn.
 */
export const flipTraffic: Step = {
  id: 'flip',
  title: (op) => `flip ARC routing controls: ${op.to} on, ${op.from} off`,
  async run(ctx) {
    const { outputs, clients, op } = ctx;
    const before = await readRoutingStates(outputs, clients, ctx.log);
    if (before[op.to] === 'On' && before[op.from] === 'Off') {
      return { detail: `already ${op.to}=On ${op.from}=Off`, data: { applied: false } };
    }
    await flipRoutingControls(outputs, clients, op.from, op.to, ctx.log);
    return {
      detail: `${op.to} ${before[op.to]}->On, ${op.from} ${before[op.from]}->Off`,
      data: { applied: true, before },
    };
  },
};
