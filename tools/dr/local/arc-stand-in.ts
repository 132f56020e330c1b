import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  RoutingControlState,
  UpdateRoutingControlStateCommand,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { mockClient } from 'aws-sdk-client-mock';
import { Snapshot } from './snapshot';

interface ArcState {
  controls: Record<string, RoutingControlState>;
}

function awsError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/**
 * Stand-in for the Route 53 ARC cluster data plane (no emulator exists), at the SDK boundary with
 * aws-sdk-client-mock. It keeps the routing control states and enforces the control panel's
 * assertion safety rule "at least one of these controls is On": an update that would leave none On
 * fails with ConflictException and changes nothing, as ARC does, so a wrong flip order is caught.
 */
export class ArcStandIn {
  state: ArcState;
  /** Calls per endpoint, by command (GetRoutingControlState, UpdateRoutingControlStates). */
  readonly calls: { endpoint: string; command: string }[] = [];
  /** Endpoints that answer with a 500 (simulates an impaired ARC cluster endpoint). */
  readonly failingEndpoints = new Set<string>();
  private readonly snapshot: Snapshot<ArcState>;

  constructor(
    private readonly safetyRuleControls: readonly string[],
    initial: Record<string, RoutingControlState>,
    statePath?: string,
  ) {
    this.snapshot = new Snapshot(statePath);
    this.state = this.snapshot.load(() => ({ controls: { ...initial } }));
    this.snapshot.save(this.state);
  }

  reset(initial: Record<string, RoutingControlState>): void {
    this.state = { controls: { ...initial } };
    this.calls.length = 0;
    this.failingEndpoints.clear();
    this.snapshot.save(this.state);
  }

  updateCalls(): number {
    return this.calls.filter((c) => c.command.startsWith('Update')).length;
  }

  /** Wires one endpoint's client to this stand-in. */
  attach(client: Route53RecoveryClusterClient, endpoint: string): void {
    const mock = mockClient(client);
    const enter = (command: string) => {
      this.calls.push({ endpoint, command });
      if (this.failingEndpoints.has(endpoint)) {
        throw awsError('InternalServerException', `ARC endpoint ${endpoint} is unavailable (stand-in)`);
      }
    };
    mock.on(GetRoutingControlStateCommand).callsFake(async (input: { RoutingControlArn?: string }) => {
      enter('GetRoutingControlState');
      const arn = input.RoutingControlArn ?? '';
      const state = this.state.controls[arn];
      if (!state) throw awsError('ResourceNotFoundException', `no routing control ${arn}`);
      return { RoutingControlArn: arn, RoutingControlState: state };
    });
    const apply = (entries: { RoutingControlArn?: string; RoutingControlState?: RoutingControlState }[]) => {
      const next = { ...this.state.controls };
      for (const e of entries) {
        const arn = e.RoutingControlArn ?? '';
        if (!(arn in next)) throw awsError('ResourceNotFoundException', `no routing control ${arn}`);
        next[arn] = e.RoutingControlState ?? 'Off';
      }
      if (!this.safetyRuleControls.some((arn) => next[arn] === 'On')) {
        throw awsError(
          'ConflictException',
          'the update would violate the safety rule: at least one routing control must be On',
        );
      }
      this.state = { controls: next };
      this.snapshot.save(this.state);
      return {};
    };
    mock
      .on(UpdateRoutingControlStatesCommand)
      .callsFake(async (input: { UpdateRoutingControlStateEntries?: [] }) => {
        enter('UpdateRoutingControlStates');
        return apply(input.UpdateRoutingControlStateEntries ?? []);
      });
    mock
      .on(UpdateRoutingControlStateCommand)
      .callsFake(async (input: { RoutingControlArn?: string; RoutingControlState?: RoutingControlState }) => {
        enter('UpdateRoutingControlState');
        return apply([input]);
      });
  }
}
