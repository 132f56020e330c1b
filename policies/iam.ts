import { ResourceValidationPolicy } from '@pulumi/policy';
import {
  arr,
  conditionKeys,
  forTypes,
  isWildcardAction,
  label,
  obj,
  Props,
  Statement,
  statementsOf,
} from './props';

const ROLE = 'aws:iam/role:Role';
const ROLE_POLICY = 'aws:iam/rolePolicy:RolePolicy';
const POLICY = 'aws:iam/policy:Policy';
const USER_POLICY = 'aws:iam/userPolicy:UserPolicy';
const GROUP_POLICY = 'aws:iam/groupPolicy:GroupPolicy';

/** The permission documents of an IAM resource: `policy`, or a role's `inlinePolicies[].policy` (never its trust policy). */
function permissionStatements(type: string, props: Props): Statement[] {
  if (type === ROLE) return arr(props.inlinePolicies).flatMap((p) => statementsOf(obj(p)?.policy));
  return statementsOf(props.policy);
}

const PERMISSION_TYPES = [ROLE, ROLE_POLICY, POLICY, USER_POLICY, GROUP_POLICY];
const sids = (ss: readonly Statement[]) => ss.map((s) => s.sid ?? '<no Sid>').join(', ');

/** No statement allows every action, or every action of a service. */
export const iamNoWildcardActions: ResourceValidationPolicy = {
  name: 'iam-no-wildcard-actions',
  description: "IAM policies must not allow '*' or '<service>:*' actions, nor use Allow with NotAction.",
  enforcementLevel: 'mandatory',
  validateResource: forTypes(PERMISSION_TYPES, ({ type, name, props }, report) => {
    const bad = permissionStatements(type, props).filter(
      (s) => s.effect === 'Allow' && (s.actions.some(isWildcardAction) || s.notActions.length > 0),
    );
    if (bad.length > 0) {
      const actions = [
        ...new Set(
          bad.flatMap((s) => [
            ...s.actions.filter(isWildcardAction),
            ...s.notActions.map((a) => `NotAction ${a}`),
          ]),
        ),
      ];
      report(
        `${label(type, name)} must not allow wildcard actions (${actions.join(', ')} in statement ${sids(bad)}); ` +
          'list the exact actions the workload calls (build the statement from the resource object).',
      );
    }
  }),
};

/** Services whose actions read or write the platform's data. */
export const DATA_PLANE_SERVICES = [
  'dynamodb',
  'kinesis',
  'sqs',
  'sns',
  'kms',
  's3',
  'secretsmanager',
] as const;
const DATA_PLANE = new RegExp(`^(${DATA_PLANE_SERVICES.join('|')}):`, 'i');
/** List actions take no resource ARN: `*` is the only valid resource for them. */
const LIST_ACTION = /^[a-z0-9-]+:List/i;
/** `*`, or an ARN whose resource part is only a wildcard (`arn:aws:sqs:us-west-2:123:*`, `...:table/*`). */
const WILDCARD_RESOURCE = /^(\*|arn:[^:]*:[^:]*:[^:]*:[^:]*:([A-Za-z-]+\/)?\*)$/;

/** Data-plane actions are scoped to the platform's own resources. */
export const iamNoWildcardDataPlaneResources: ResourceValidationPolicy = {
  name: 'iam-no-wildcard-data-plane-resources',
  description:
    "IAM policies must not grant data-plane actions (DynamoDB, Kinesis, SQS, SNS, KMS, S3, Secrets Manager) on '*' resources.",
  enforcementLevel: 'mandatory',
  validateResource: forTypes(PERMISSION_TYPES, ({ type, name, props }, report) => {
    const bad = permissionStatements(type, props).filter(
      (s) =>
        s.effect === 'Allow' &&
        s.actions.some((a) => DATA_PLANE.test(a) && !LIST_ACTION.test(a)) &&
        s.resources.some((r) => WILDCARD_RESOURCE.test(r)),
    );
    if (bad.length > 0) {
      report(
        `${label(type, name)} must scope data-plane actions to specific resources (statement ${sids(bad)} grants ` +
          `${[...new Set(bad.flatMap((s) => s.actions.filter((a) => DATA_PLANE.test(a))))].join(', ')} on ` +
          `${[...new Set(bad.flatMap((s) => s.resources.filter((r) => WILDCARD_RESOURCE.test(r))))].join(', ')}); ` +
          'list the table, stream, queue, topic or key ARNs from the resource objects.',
      );
    }
  }),
};

/** Condition keys that scope an EKS Pod Identity trust to one account, cluster, namespace or service account. */
const POD_IDENTITY_SCOPES = [
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:requesttag/eks-cluster-arn',
  'aws:requesttag/eks-cluster-name',
  'aws:requesttag/kubernetes-namespace',
  'aws:requesttag/kubernetes-service-account',
];

/** Why one trust statement is not scoped to specific principals, or undefined when it is. */
function unscopedTrust(s: Statement): string | undefined {
  if (s.effect !== 'Allow') return undefined;
  const keys = conditionKeys(s);
  if (s.principals.wildcard || s.principals.none)
    return `statement ${s.sid ?? '<no Sid>'} trusts any principal ('*')`;
  const root = s.principals.aws.find((p) => /:root$/.test(p) || /^\d{12}$/.test(p));
  if (root && !keys.includes('aws:principalarn')) {
    return `statement ${s.sid ?? '<no Sid>'} trusts the whole account ${root} without an aws:PrincipalArn condition`;
  }
  if (s.principals.federated.length > 0) {
    // IRSA: the OIDC provider's `:sub` must name exact service accounts.
    const subs = Object.entries(s.condition).flatMap(([op, block]) =>
      Object.entries(block)
        .filter(([k]) => k.toLowerCase().endsWith(':sub'))
        .map(([, v]) => ({ op, values: arr(v).map(String) })),
    );
    const exact =
      subs.length > 0 &&
      subs.every(
        ({ op, values }) =>
          op === 'StringEquals' && values.every((v) => /^system:serviceaccount:[^:*?]+:[^:*?]+$/.test(v)),
      );
    if (!exact)
      return `statement ${s.sid ?? '<no Sid>'} trusts ${s.principals.federated.join(', ')} without StringEquals '<issuer>:sub' = system:serviceaccount:<ns>:<sa>`;
  }
  if (
    s.principals.service.includes('pods.eks.amazonaws.com') &&
    !keys.some((k) => POD_IDENTITY_SCOPES.includes(k))
  ) {
    return `statement ${s.sid ?? '<no Sid>'} trusts pods.eks.amazonaws.com without a condition on aws:SourceAccount, aws:SourceArn or the kubernetes-namespace / kubernetes-service-account session tags`;
  }
  return undefined;
}

/** Trust policies name specific service accounts or principals. */
export const iamTrustScoped: ResourceValidationPolicy = {
  name: 'iam-trust-scoped',
  description: 'IAM role trust policies must be scoped to specific service accounts or principals.',
  enforcementLevel: 'mandatory',
  validateResource: forTypes([ROLE], ({ name, props }, report) => {
    const problems = statementsOf(props.assumeRolePolicy)
      .map(unscopedTrust)
      .filter((p): p is string => p !== undefined);
    if (problems.length > 0) {
      report(
        `${label(ROLE, name)} must scope its trust policy to specific service accounts or principals: ${problems.join('; ')}. ` +
          "For EKS Pod Identity add Condition StringEquals { 'aws:SourceAccount': <account> } (or the session tags); " +
          'for IRSA, StringEquals on <issuer>:sub.',
      );
    }
  }),
};

export const iamPolicies = [iamNoWildcardActions, iamNoWildcardDataPlaneResources, iamTrustScoped];
