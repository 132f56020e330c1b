import { PolicyResource, StackValidationPolicy } from '@pulumi/policy';
import { arr, at, k8sId, kindOf, obj, Props, regionOf, str } from './props';

/**
 * KEDA's datadog scaler verifies the Datadog cluster agent it sends its bearer token to (issue 15
 * finding 20). In cluster-agent mode it dials `https://<datadogMetricsService>.<datadogNamespace>:<port>`
 * (pkg/scalers/datadog_scaler.go:142-143, kedacore/keda v2.20.2) with `unsafeSsl` as its only TLS
 * knob, trusting the operator's system pool plus /custom/ca (pkg/util/certificates.go). So, for every
 * `datadog` trigger with `useClusterAgentProxy`, the stack must hold the whole chain:
 * - no `unsafeSsl: 'true'`, in the trigger's metadata or in what its TriggerAuthentication reads;
 * - a `tls` CertRequest whose DNS SANs name exactly the host KEDA dials;
 * - the cluster agent serving a provided certificate (`clusterAgent.datadog_cluster_yaml`
 *   `external_metrics_provider.config.tls-cert-file`), not the one it self-signs at start;
 * - KEDA's operator mounting a trust directory (`volumes.keda.extraVolumeMounts` at /custom/ca, or a
 *   directory listed in `certificates.operator.caDirs`).
 * Objects are matched within the same stack (one stack per region, DESIGN §3.4) and, for Kubernetes
 * objects, the same region and namespace.
 */

const CERT_REQUEST = 'tls:index/certRequest:CertRequest';
const HELM_RELEASE = 'kubernetes:helm.sh/v3:Release';
const KEDA_DEFAULT_CA_DIR = '/custom/ca';

/** The stack a resource belongs to: its URN's stack segment (`urn:pulumi:<stack>::...`). */
const stackOf = (r: PolicyResource): string => r.urn.split('::')[0]?.split(':').pop() ?? '';

interface Obj {
  readonly r: PolicyResource;
  readonly props: Props;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly scope: string;
}

function objects(resources: readonly PolicyResource[]): Obj[] {
  return resources
    .filter((r) => r.type.startsWith('kubernetes:') && kindOf(r.props as Props) !== undefined)
    .map((r) => {
      const props = r.props as Props;
      const scope = `${stackOf(r)}|${regionOf(r) ?? '?'}`;
      return { r, props, kind: kindOf(props) as string, ...k8sId(props), scope };
    });
}

/** The parameters a TriggerAuthentication reads from ConfigMaps, resolved against the stack's ConfigMaps. */
function configMapParameters(auth: Obj, all: readonly Obj[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const ref of arr(at(auth.props, 'spec.configMapTargetRef')).map(obj)) {
    const parameter = str(ref?.parameter);
    if (!parameter) continue;
    const cm = all.find(
      (o) =>
        o.kind === 'ConfigMap' &&
        o.scope === auth.scope &&
        o.namespace === auth.namespace &&
        o.name === str(ref?.name),
    );
    out[parameter] = str(obj(cm?.props.data)?.[str(ref?.key) ?? '']);
  }
  return out;
}

/** The chart's values of the stack's Helm release of `chart`, if any. */
function releaseValues(
  resources: readonly PolicyResource[],
  stack: string,
  chart: string,
): Props | undefined {
  const release = resources.find(
    (r) => r.type === HELM_RELEASE && stackOf(r) === stack && (r.props as Props).chart === chart,
  );
  return release ? (obj((release.props as Props).values) ?? {}) : undefined;
}

/** The trust directories KEDA's operator mounts: extra volume mounts at a directory it reads. */
function kedaTrustMounts(values: Props): string[] {
  const caDirs = arr(at(values, 'certificates.operator.caDirs'))
    .map(str)
    .filter((d): d is string => !!d);
  const dirs = caDirs.length > 0 ? caDirs : [KEDA_DEFAULT_CA_DIR];
  return arr(at(values, 'volumes.keda.extraVolumeMounts'))
    .map((m) => str(obj(m)?.mountPath))
    .filter((p): p is string => !!p && dirs.includes(p));
}

const where = (o: Obj) => `${o.kind} '${o.namespace}/${o.name}' (${o.scope.split('|')[1]})`;

export const kedaClusterAgentTls: StackValidationPolicy = {
  name: 'keda-cluster-agent-tls',
  description:
    "KEDA triggers must verify TLS (no unsafeSsl), and a datadog trigger in cluster-agent mode needs a certificate whose DNS SANs name the metrics service it dials, served by the cluster agent (tls-cert-file) and trusted by KEDA's operator (/custom/ca).",
  enforcementLevel: 'mandatory',
  validateStack: (args, reportViolation) => {
    const all = objects(args.resources);
    const auths = all.filter((o) => o.kind === 'TriggerAuthentication');
    for (const auth of auths) {
      if (configMapParameters(auth, all).unsafeSsl === 'true') {
        reportViolation(
          `${where(auth)} reads unsafeSsl 'true': KEDA would skip verifying the server it sends credentials to; ` +
            "drop the parameter (KEDA's default is false) and give the server a certificate KEDA trusts.",
          auth.r.urn,
        );
      }
    }
    for (const so of all.filter((o) => o.kind === 'ScaledObject')) {
      for (const t of arr(at(so.props, 'spec.triggers')).map(obj)) {
        if (!t) continue;
        if (str(at(t, 'metadata.unsafeSsl')) === 'true') {
          reportViolation(
            `${where(so)}: its ${str(t.type) ?? '?'} trigger sets unsafeSsl 'true'; drop it and trust the server's CA instead.`,
            so.r.urn,
          );
        }
        if (t.type !== 'datadog' || str(at(t, 'metadata.useClusterAgentProxy')) !== 'true') continue;
        const authName = str(at(t, 'authenticationRef.name'));
        const auth = auths.find(
          (a) => a.scope === so.scope && a.namespace === so.namespace && a.name === authName,
        );
        const params = auth ? configMapParameters(auth, all) : {};
        const service = params.datadogMetricsService;
        const namespace = params.datadogNamespace;
        if (!service || !namespace) {
          reportViolation(
            `${where(so)}: its datadog trigger's TriggerAuthentication '${authName ?? '<none>'}' must name the cluster agent's ` +
              `metrics service (datadogMetricsService, datadogNamespace), got ${JSON.stringify({ service, namespace })}.`,
            so.r.urn,
          );
          continue;
        }
        const host = `${service}.${namespace}`;
        const stack = stackOf(so.r);
        const requests = args.resources.filter((r) => r.type === CERT_REQUEST && stackOf(r) === stack);
        const names = requests.map((r) => arr((r.props as Props).dnsNames).map(String));
        if (!names.some((n) => n.includes(host))) {
          reportViolation(
            `${where(so)} dials https://${host}, but no tls CertRequest of stack '${stack}' has it as a DNS SAN ` +
              `(SANs: ${JSON.stringify(names)}); issue the cluster agent's serving certificate for '${host}'.`,
            so.r.urn,
          );
        }
        const datadog = releaseValues(args.resources, stack, 'datadog');
        const providerConfig = obj(
          at(datadog, 'clusterAgent.datadog_cluster_yaml.external_metrics_provider.config'),
        );
        const certFile = str(providerConfig?.['tls-cert-file']);
        if (!certFile) {
          reportViolation(
            `${where(so)} reads the cluster agent, whose metrics server must serve a provided certificate: the datadog ` +
              `release of stack '${stack}' sets no clusterAgent.datadog_cluster_yaml.external_metrics_provider.config.tls-cert-file, ` +
              'so it serves a certificate it self-signs at start, which KEDA cannot verify.',
            so.r.urn,
          );
        }
        const keda = releaseValues(args.resources, stack, 'keda');
        if (!keda || kedaTrustMounts(keda).length === 0) {
          reportViolation(
            `${where(so)}: KEDA's operator must trust the cluster agent's CA, but the keda release of stack '${stack}' ` +
              `mounts nothing at ${KEDA_DEFAULT_CA_DIR} (or a certificates.operator.caDirs entry) through volumes.keda.extraVolumeMounts.`,
            so.r.urn,
          );
        }
      }
    }
  },
};
