import { Policy, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import * as analyzerproto from '@pulumi/pulumi/proto/analyzer_pb';
import * as structproto from 'google-protobuf/google/protobuf/struct_pb';
import { PACK_NAME, policies as packPolicies } from '../../policies/pack';
import { PackPolicy, PolicyPackConfig } from '../../policies/types';
import { PlannedResource } from '../plan/harness';

/** One policy verdict, in the `npm run policy -- --json` shape (DESIGN.md §3.3). */
export interface Violation {
  readonly policy: string;
  readonly enforcementLevel: 'advisory' | 'mandatory';
  readonly urn: string;
  readonly message: string;
}

const LEVELS: Record<number, Violation['enforcementLevel']> = {
  [analyzerproto.EnforcementLevel.ADVISORY]: 'advisory',
  [analyzerproto.EnforcementLevel.MANDATORY]: 'mandatory',
  [analyzerproto.EnforcementLevel.REMEDIATE]: 'mandatory',
};

type Config = PolicyPackConfig[string];

type AnalyzeFn<Req> = (
  call: { request: Req },
  cb: (err: unknown, res?: analyzerproto.AnalyzeResponse) => void,
) => void;
/** The analyzer entry points @pulumi/policy's gRPC server serves (marked internal, so typed here). */
interface AnalyzerServer {
  makeAnalyzeRpcFun(
    name: string,
    version: string,
    level: string,
    policies: Policy[],
  ): AnalyzeFn<analyzerproto.AnalyzeRequest>;
  makeAnalyzeStackRpcFun(
    name: string,
    version: string,
    level: string,
    policies: Policy[],
  ): AnalyzeFn<analyzerproto.AnalyzeStackRequest>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require('@pulumi/policy/server') as AnalyzerServer;

/**
 * Applies policy config the way the engine's `configure` RPC does: the enforcement level overrides
 * the policy's, and `args.getConfig()` returns the remaining properties.
 */
export function configurePolicies(policies: readonly PackPolicy[], config: PolicyPackConfig): PackPolicy[] {
  return policies.map((p) => {
    const { enforcementLevel, ...props } = (config[p.name] ?? {}) as Config;
    const level = enforcementLevel ?? p.enforcementLevel;
    const withConfig = <A extends { getConfig: <T>() => T }, R>(fn: (args: A, report: never) => R) => {
      const wrapped = (args: A, report: never) => fn({ ...args, getConfig: () => props } as A, report);
      return Object.assign(wrapped, { __pulumiType: (fn as { __pulumiType?: string }).__pulumiType });
    };
    if ('validateStack' in p) {
      const sp = p as StackValidationPolicy;
      return {
        ...sp,
        enforcementLevel: level,
        validateStack: withConfig(sp.validateStack as never),
      } as PackPolicy;
    }
    const rp = p as ResourceValidationPolicy;
    const v = rp.validateResource;
    const validateResource = Array.isArray(v)
      ? v.map((f) => withConfig(f as never))
      : v
        ? withConfig(v as never)
        : v;
    return { ...rp, enforcementLevel: level, validateResource } as PackPolicy;
  });
}

/**
 * The provider the engine would attach: an AWS resource without its own `region` input lands in its
 * provider's region, which the engine shows policies as `provider.props.region`. The plan records
 * that region per resource, so it is handed over the same way.
 */
function providerOf(r: PlannedResource): analyzerproto.AnalyzerProviderResource | undefined {
  if (!r.type.startsWith('aws:') || !r.region || typeof r.props.region === 'string') return undefined;
  const provider = new analyzerproto.AnalyzerProviderResource();
  provider.setType('pulumi:providers:aws');
  provider.setName(`aws-${r.region}`);
  provider.setUrn(`${r.urn.split('::').slice(0, 2).join('::')}::pulumi:providers:aws::aws-${r.region}`);
  provider.setProperties(structproto.Struct.fromJavaScript({ region: r.region }));
  return provider;
}

/** The fields an `AnalyzeRequest` and a stack request's `AnalyzerResource` share, filled from a plan entry. */
interface ResourceMessage {
  setType(v: string): void;
  setUrn(v: string): void;
  setName(v: string): void;
  setProperties(v: structproto.Struct): void;
  setOptions(v: analyzerproto.AnalyzerResourceOptions): void;
  setProvider(v: analyzerproto.AnalyzerProviderResource): void;
}

/**
 * Each resource's properties as a protobuf Struct, converted once per resource object: a plan's
 * resources are immutable, so re-evaluating an edited copy of a plan (the mutation tests, the PR view's
 * base and head) converts only the edited ones. Converting is most of a stack request's cost.
 */
const STRUCTS = new WeakMap<PlannedResource, structproto.Struct>();
function propsStruct(r: PlannedResource): structproto.Struct {
  let s = STRUCTS.get(r);
  if (!s) {
    s = memoizedToJavaScript(structproto.Struct.fromJavaScript(r.props as Record<string, never>));
    STRUCTS.set(r, s);
  }
  return s;
}

/**
 * The analyzer converts a resource's Struct back to JavaScript once per stack policy
 * (`deserializeProperties` in @pulumi/policy's server.js calls `struct.toJavaScript()` and then copies
 * the result into fresh objects with `deserializeProperty`, which never mutates its input). That
 * conversion was most of the policy run's CPU (profile of the mutation suite: `Value.toJavaScript`,
 * `Struct.toJavaScript`), so it is done once per Struct and the frozen result is reused: policies
 * still get their own copies, and a mutation of the shared value would throw instead of leaking.
 */
function memoizedToJavaScript(struct: structproto.Struct): structproto.Struct {
  const convert = struct.toJavaScript.bind(struct);
  let value: ReturnType<typeof convert> | undefined;
  struct.toJavaScript = () => (value ??= deepFreeze(convert()));
  return struct;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function describeResource<M extends ResourceMessage>(
  message: M,
  r: PlannedResource,
  props: structproto.Struct,
): M {
  message.setType(r.type);
  message.setUrn(r.urn);
  message.setName(r.name);
  message.setProperties(props);
  message.setOptions(resourceOptions(r));
  const provider = providerOf(r);
  if (provider) message.setProvider(provider);
  return message;
}

function resourceOptions(r: PlannedResource): analyzerproto.AnalyzerResourceOptions {
  const opts = new analyzerproto.AnalyzerResourceOptions();
  if (r.parent) opts.setParent(r.parent);
  return opts;
}

function call<Req>(fn: AnalyzeFn<Req>, request: Req): Promise<analyzerproto.AnalyzeResponse> {
  return new Promise((resolve, reject) =>
    fn({ request }, (err, res) =>
      err || !res ? reject(err ?? new Error('analyzer returned nothing')) : resolve(res),
    ),
  );
}

function toViolations(res: analyzerproto.AnalyzeResponse, fallbackUrn: string): Violation[] {
  return res.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    enforcementLevel: LEVELS[d.getEnforcementlevel()] ?? 'advisory',
    urn: d.getUrn() || fallbackUrn,
    message: d.getMessage(),
  }));
}

/**
 * Evaluates the policy pack against a saved plan through @pulumi/policy's own analyzer entry points
 * (the functions its gRPC server serves), so the rules see what the engine would show them:
 * resource policies get each resource's inputs, stack policies the whole graph.
 * Differences from the engine: stack policies see inputs (the plan has no real outputs).
 */
export async function evaluatePolicies(
  resources: readonly PlannedResource[],
  config: PolicyPackConfig = {},
  policies: readonly PackPolicy[] = packPolicies,
  options: EvaluateOptions = {},
): Promise<Violation[]> {
  const configured = configurePolicies(policies, config) as Policy[];
  const analyze = server.makeAnalyzeRpcFun(PACK_NAME, '0.0.0', 'mandatory', configured);
  const analyzeStack = server.makeAnalyzeStackRpcFun(PACK_NAME, '0.0.0', 'mandatory', configured);
  const violations: Violation[] = [];

  // Each resource's properties are serialized once and sent in both requests, as the engine does.
  const structs = resources.map((r) => propsStruct(r));
  for (const [i, r] of resources.entries()) {
    if (options.resourceUrns && !options.resourceUrns.has(r.urn)) continue;
    const req = describeResource(new analyzerproto.AnalyzeRequest(), r, structs[i]);
    violations.push(...toViolations(await call(analyze, req), r.urn));
  }

  const stackReq = new analyzerproto.AnalyzeStackRequest();
  stackReq.setResourcesList(
    resources.map((r, i) => {
      const ar = describeResource(new analyzerproto.AnalyzerResource(), r, structs[i]);
      if (r.parent) ar.setParent(r.parent);
      return ar;
    }),
  );
  violations.push(...toViolations(await call(analyzeStack, stackReq), ''));
  return violations;
}

export interface EvaluateOptions {
  /**
   * Run the resource policies on these resources only (stack policies always see the whole graph).
   * Resource policies are per-resource, so re-checking an edited plan needs only the edited resources.
   * @default - every resource
   */
  readonly resourceUrns?: ReadonlySet<string>;
}

/** True when any verdict is mandatory: the plan and policy CLIs then exit 1. */
export const hasMandatory = (vs: readonly Violation[]) => vs.some((v) => v.enforcementLevel === 'mandatory');
