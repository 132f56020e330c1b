import {
  GetRoutingControlStateCommand,
  RoutingControlState,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { RunbookOutputs } from '../../stacks/outputs';
import { Clients } from './clients';

/** Errors that every endpoint would return alike: trying the next endpoint cannot help. */
const DETERMINISTIC = new Set([
  'ConflictException',
  'ValidationException',
  'AccessDeniedException',
  'ResourceNotFoundException',
]);

/** Every ARC cluster endpoint failed; the message lists each endpoint's error. */
export class ArcUnavailable extends Error {
  override name = 'ArcUnavailable';
}

/**
 * Calls ARC's data plane, trying each cluster endpoint in turn (as AWS recommends: any one of the
 * five regional endpoints can serve a request), starting at the one that last answered
 * ({@link ArcEndpointPreference}, `clients.arcEndpoints`). Each endpoint has its own client, built with
 * that endpoint and its region.
 */
export async function onAnyEndpoint<T>(
  outputs: RunbookOutputs,
  clients: Clients,
  call: (client: ReturnType<Clients['arc']>) => Promise<T>,
  log?: (line: string) => void,
): Promise<T> {
  const failures: string[] = [];
  for (const { endpoint, region } of clients.arcEndpoints.order(outputs.traffic.clusterEndpoints)) {
    try {
      const out = await call(clients.arc(endpoint, region));
      clients.arcEndpoints.answered(endpoint);
      return out;
    } catch (err) {
      const e = err as Error;
      if (DETERMINISTIC.has(e.name)) throw err;
      failures.push(`${endpoint} (${region}): ${e.name}: ${e.message}`);
      log?.(`    ARC endpoint ${endpoint} failed (${e.name}); trying the next one`);
    }
  }
  throw new ArcUnavailable(`every ARC cluster endpoint failed: ${failures.join('; ')}`);
}

export type RoutingStates = Record<string, RoutingControlState>;

/** Reads the routing control state of each region (region -> On/Off). */
export async function readRoutingStates(
  outputs: RunbookOutputs,
  clients: Clients,
  log?: (line: string) => void,
): Promise<RoutingStates> {
  const states: RoutingStates = {};
  for (const [region, r] of Object.entries(outputs.regions)) {
    const out = await onAnyEndpoint(
      outputs,
      clients,
      (c) => c.send(new GetRoutingControlStateCommand({ RoutingControlArn: r.routingControlArn })),
      log,
    );
    if (!out.RoutingControlState) throw new Error(`ARC returned no state for ${r.routingControlArn}`);
    states[region] = out.RoutingControlState;
  }
  return states;
}

/**
 * Turns `to` on and `from` off in ONE UpdateRoutingControlStates call, so the safety rule (at
 * least one region on) holds at every instant and is never overridden.
 */
export async function flipRoutingControls(
  outputs: RunbookOutputs,
  clients: Clients,
  from: string,
  to: string,
  log?: (line: string) => void,
): Promise<void> {
  await onAnyEndpoint(
    outputs,
    clients,
    (c) =>
      c.send(
        new UpdateRoutingControlStatesCommand({
          UpdateRoutingControlStateEntries: [
            { RoutingControlArn: outputs.regions[to].routingControlArn, RoutingControlState: 'On' },
            { RoutingControlArn: outputs.regions[from].routingControlArn, RoutingControlState: 'Off' },
          ],
        }),
      ),
    log,
  );
}
