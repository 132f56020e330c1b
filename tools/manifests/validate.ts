import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { notServedReason, parseKubernetesVersion } from './served-apis';

/** One problem with one manifest. */
export interface ManifestProblem {
  /** `<kind>/<namespace>/<name>`; `-` stands for a missing part (cluster-scoped: no namespace). */
  readonly object: string;
  /** A JSON path into the object, e.g. `spec.template.spec.containers[0].name`. */
  readonly field: string;
  readonly message: string;
}

export interface ValidateOptions {
  /** The cluster's Kubernetes minor version, e.g. `1.33`. */
  readonly kubernetesVersion: string;
}

/** An ajv error, as kubernetes-models reports them. */
interface SchemaError {
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

/** The schema of each served apiVersion/kind (kubernetes-models 4.5.1, @kubernetes-models/keda). */
const MODELS: Readonly<Record<string, ModelClass>> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/Secret': Secret,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
};

/** Hand-written checks for custom resources without a published schema package. */
const CUSTOM_CHECKS: Readonly<
  Record<string, (obj: Record<string, unknown>) => Array<Omit<ManifestProblem, 'object'>>>
> = {
  'datadoghq.com/v1alpha1/DatadogMetric': (obj) => {
    const spec = obj.spec;
    if (!isRecord(spec)) return [{ field: 'spec', message: 'must be an object' }];
    if (typeof spec.query !== 'string' || spec.query.trim() === '') {
      return [{ field: 'spec.query', message: 'must be a non-empty Datadog query string' }];
    }
    return [];
  },
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `/spec/template/spec/containers/0` -> `spec.template.spec.containers[0]`. */
export function toFieldPath(instancePath: string, child?: string): string {
  const segments = instancePath.split('/').filter((s) => s !== '');
  if (child !== undefined) segments.push(child);
  return segments
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path === '' ? s : `${path}.${s}`), '');
}

function schemaErrors(e: unknown): SchemaError[] {
  if (isRecord(e) && Array.isArray(e.errors)) return e.errors as SchemaError[];
  return [{ instancePath: '', message: e instanceof Error ? e.message : String(e) }];
}

function describe(obj: Record<string, unknown>): string {
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const part = (v: unknown) => (typeof v === 'string' && v !== '' ? v : '-');
  return `${part(obj.kind)}/${part(meta.namespace)}/${part(meta.name)}`;
}

/**
 * Validates manifests offline:
 * (a) every object against its OpenAPI schema (kubernetes-models 4.5.1; KEDA objects against
 *     @kubernetes-models/keda; DatadogMetric by hand), wrong types and missing required fields
 *     named by JSON path (unknown fields are not caught by these schemas);
 * (b) every apiVersion/kind must be served by the pinned cluster version (see SERVED_APIS);
 *     unknown kinds are rejected.
 *
 * Returns the problems, in object order; an empty list means every object is valid.
 */
export function validateManifests(objs: readonly unknown[], options: ValidateOptions): ManifestProblem[] {
  parseKubernetesVersion(options.kubernetesVersion);
  const problems: ManifestProblem[] = [];
  objs.forEach((raw, index) => {
    if (!isRecord(raw)) {
      problems.push({
        object: `#${index}`,
        field: '',
        message: 'must be an object with apiVersion, kind and metadata',
      });
      return;
    }
    const object = describe(raw);
    const { apiVersion, kind } = raw;
    if (typeof apiVersion !== 'string' || apiVersion === '') {
      problems.push({ object, field: 'apiVersion', message: 'must be a non-empty string' });
      return;
    }
    if (typeof kind !== 'string' || kind === '') {
      problems.push({ object, field: 'kind', message: 'must be a non-empty string' });
      return;
    }
    const notServed = notServedReason(apiVersion, kind, options.kubernetesVersion);
    if (notServed !== undefined) {
      problems.push({ object, field: 'apiVersion', message: notServed });
      return;
    }
    const meta = raw.metadata;
    if (!isRecord(meta) || typeof meta.name !== 'string' || meta.name === '') {
      problems.push({ object, field: 'metadata.name', message: 'must be a non-empty string' });
    }
    const key = `${apiVersion}/${kind}`;
    const custom = CUSTOM_CHECKS[key];
    if (custom !== undefined) {
      for (const p of custom(raw)) problems.push({ object, ...p });
      return;
    }
    const Model = MODELS[key];
    if (Model === undefined) {
      problems.push({ object, field: 'kind', message: `no schema is known for ${key}` });
      return;
    }
    try {
      new Model(raw as never).validate();
    } catch (e) {
      for (const err of schemaErrors(e)) {
        const missing = err.params?.missingProperty;
        const field = toFieldPath(err.instancePath ?? '', typeof missing === 'string' ? missing : undefined);
        problems.push({ object, field, message: err.message ?? 'is invalid' });
      }
    }
  });
  return problems;
}

/** One line per problem, for operators: `<object> <field>: <message>`. */
export function formatProblems(problems: readonly ManifestProblem[]): string {
  return problems.map((p) => `${p.object} ${p.field || '(object)'}: ${p.message}`).join('\n');
}
