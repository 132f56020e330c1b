import { PolicyResource, ResourceValidationPolicy } from '@pulumi/policy';

/** A resource's inputs (or a nested object of them) as plain JSON. */
export type Props = Record<string, unknown>;

/** The value as an object, or undefined. */
export const obj = (v: unknown): Props | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Props) : undefined;

/** The value as an array: a single value becomes a one-element array, nothing an empty one. */
export const arr = (v: unknown): unknown[] =>
  Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];

/** The value as a non-empty string, or undefined. */
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : undefined;

/** The value as a finite number (numeric strings too, as KEDA metadata holds them), or undefined. */
export const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

/** Reads a dotted path (`a.b.c`) of nested objects. */
export function at(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const key of path.split('.')) cur = obj(cur)?.[key];
  return cur;
}

/** A JSON document input (policy, redrive policy): parsed when a string, as is when an object. */
export function jsonDoc(v: unknown): Props | undefined {
  if (typeof v === 'string') {
    try {
      return obj(JSON.parse(v));
    } catch {
      return undefined;
    }
  }
  return obj(v);
}

/** One statement of an IAM-style policy document, normalised. */
export interface Statement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly principals: PrincipalSet;
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly condition: Record<string, Props>;
}

/** Principals of a statement: `wildcard` when `"*"` or `{ AWS: "*" }`. */
export interface PrincipalSet {
  readonly wildcard: boolean;
  readonly aws: string[];
  readonly service: string[];
  readonly federated: string[];
  readonly none: boolean;
}

const strings = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');

function principalsOf(p: unknown): PrincipalSet {
  if (p === '*') return { wildcard: true, aws: ['*'], service: [], federated: [], none: false };
  const o = obj(p);
  if (!o) return { wildcard: false, aws: [], service: [], federated: [], none: true };
  const aws = strings(o.AWS);
  return {
    wildcard: aws.includes('*'),
    aws,
    service: strings(o.Service),
    federated: strings(o.Federated),
    none: false,
  };
}

/** The statements of a policy document (a JSON string or object); empty when it cannot be read. */
export function statementsOf(doc: unknown): Statement[] {
  const d = jsonDoc(doc);
  return arr(d?.Statement)
    .map(obj)
    .filter((s): s is Props => s !== undefined)
    .map((s) => ({
      sid: str(s.Sid),
      effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
      principals: principalsOf(s.Principal),
      actions: strings(s.Action),
      notActions: strings(s.NotAction),
      resources: [...strings(s.Resource), ...strings(s.NotResource)],
      condition: Object.fromEntries(
        Object.entries(obj(s.Condition) ?? {}).map(([k, v]) => [k, obj(v) ?? {}]),
      ),
    }));
}

/** The condition keys (lower-cased) a statement tests, whatever the operator. */
export const conditionKeys = (s: Statement): string[] =>
  Object.values(s.condition).flatMap((block) => Object.keys(block).map((k) => k.toLowerCase()));

/** True when the action pattern matches every action of a service (`*`, `sqs:*`). */
export const isWildcardAction = (a: string): boolean => a === '*' || /^[a-z0-9-]+:\*$/i.test(a);

/** A short name for messages: the type token's last segment and the resource name. */
export const label = (type: string, name: string): string => `${type.split(':').pop()} '${name}'`;

/** A Kubernetes manifest's kind. */
export const kindOf = (props: Props): string | undefined => str(props.kind);

/** A Kubernetes manifest's `metadata.namespace` (default `default`) and `metadata.name`. */
export function k8sId(props: Props): { namespace: string; name: string } {
  return {
    namespace: str(at(props, 'metadata.namespace')) ?? 'default',
    name: str(at(props, 'metadata.name')) ?? '',
  };
}

/** The label the charts put on every Kubernetes object to say which region's cluster it lands in. */
export const REGION_LABEL = 'risk-platform/region';

const REGION_RE = /\b([a-z]{2}(?:-gov)?-[a-z]+-\d)\b/;

/**
 * The AWS region a resource lands in, as a policy can see it: its own `region` input (pulumi-aws v7),
 * else its provider's `region`, else (Kubernetes) the `risk-platform/region` label, else a region
 * named in its provider's name. Undefined when none says.
 */
export function regionOf(r: Pick<PolicyResource, 'props' | 'provider'>): string | undefined {
  const props = r.props as Props;
  return (
    str(props.region) ??
    str(obj(r.provider?.props)?.region) ??
    str(obj(at(props, 'metadata.labels'))?.[REGION_LABEL]) ??
    REGION_RE.exec(r.provider?.name ?? '')?.[1]
  );
}

/** A physical name: the `name` input, else the logical name. */
export const physicalName = (r: Pick<PolicyResource, 'props' | 'name'>): string =>
  str((r.props as Props).name) ?? r.name;

/** The arguments a resource rule's check receives: the resource's inputs, name and type, and its config. */
export interface CheckArgs<C> {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Props;
  readonly config: C;
}

/**
 * A `validateResource` that runs `check` on resources of the given type tokens (or Kubernetes kinds,
 * written `k8s:<Kind>`), with the policy config read once through `args.getConfig()`.
 */
export function forTypes<C extends object = Record<string, never>>(
  types: readonly string[],
  check: (args: CheckArgs<C>, report: (message: string) => void) => void,
): ResourceValidationPolicy['validateResource'] {
  const tokens = new Set(types);
  return (args, reportViolation) => {
    const props = args.props as Props;
    const kind = args.type.startsWith('kubernetes:') ? kindOf(props) : undefined;
    if (!tokens.has(args.type) && !(kind && tokens.has(`k8s:${kind}`))) return;
    check(
      { type: args.type, name: args.name, urn: args.urn, props, config: args.getConfig<C>() ?? ({} as C) },
      (m) => reportViolation(m),
    );
  };
}
