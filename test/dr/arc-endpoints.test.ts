import { ArcEndpointPreference } from '../../tools/dr/arc-endpoints';
import { onAnyEndpoint } from '../../tools/dr/arc';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { GetRoutingControlStateCommand } from '@aws-sdk/client-route53-recovery-cluster';
import { startLocal } from './helpers';

const E = ['a', 'b', 'c', 'd', 'e'].map((endpoint) => ({ endpoint }));

describe('ArcEndpointPreference', () => {
  test('keeps the configured order until an endpoint has answered', () => {
    expect(new ArcEndpointPreference().order(E).map((e) => e.endpoint)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
  test('starts at the endpoint that last answered, then rotates on from it', () => {
    const p = new ArcEndpointPreference();
    p.answered('c');
    expect(p.order(E).map((e) => e.endpoint)).toEqual(['c', 'd', 'e', 'a', 'b']);
  });
  test('an endpoint no longer configured is ignored', () => {
    const p = new ArcEndpointPreference();
    p.answered('z');
    expect(p.order(E).map((e) => e.endpoint)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('onAnyEndpoint against the ARC stand-in', () => {
  let env: LocalEnvironment;
  beforeAll(async () => {
    env = await startLocal();
  });
  afterAll(() => env.stop());
  beforeEach(() => env.reset());

  const get = () =>
    onAnyEndpoint(env.outputs, env.clients(), (c) =>
      c.send(
        new GetRoutingControlStateCommand({
          RoutingControlArn: env.outputs.regions['us-east-1'].routingControlArn,
        }),
      ),
    );

  test('when the sticky endpoint fails, the next call goes on from it, not back to the first', async () => {
    // GIVEN the first endpoint impaired: the second answers and becomes the preference
    const [e1, e2, e3] = env.outputs.traffic.clusterEndpoints.map((e) => e.endpoint);
    env.arc.failingEndpoints.add(e1);
    await get();
    await get();
    expect(env.arc.calls.map((c) => c.endpoint)).toEqual([e1, e2, e2]);
    // WHEN the second fails too
    env.arc.failingEndpoints.add(e2);
    env.arc.calls.length = 0;
    await get();
    await get();
    // THEN the third answers, and is tried first afterwards
    expect(env.arc.calls.map((c) => c.endpoint)).toEqual([e2, e3, e3]);
  });
});
