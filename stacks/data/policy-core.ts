import * as pulumi from '@pulumi/pulumi';

/**
 * The statement and document types every policy builder shares, the serializer, and the guarded
 * statement constructors (`allow` needs a resource, `allowEverywhereWhen` a condition). Re-exported by
 * ./policy-documents.ts, the module the rest of the program imports.
 */

/** A condition block; `V` is `string` in the pure builders, `pulumi.Input<string>` before serialization. */
export type ConditionBlock<V = string> = Readonly<
  Record<string, Readonly<Record<string, V | boolean | readonly V[]>>>
>;

export type Principal =
  '*' | { readonly AWS: string | readonly string[] } | { readonly Service: string | readonly string[] };

/** One IAM policy statement. `V` is `string` (resolved) or `pulumi.Input<string>` (see {@link policyDocument}). */
export interface PolicyStatement<V = string> {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: Principal;
  readonly Action: readonly string[];
  readonly Resource?: V | readonly V[];
  readonly Condition?: ConditionBlock<V>;
}

/** A statement whose resources or condition values may be Outputs of resources of this program. */
export type InputPolicyStatement = PolicyStatement<pulumi.Input<string>>;

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** Serializes a policy document whose resources may be Outputs (no invoke, no wildcard by accident). */
export function policyDocument(statements: readonly InputPolicyStatement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: '2012-10-17', Statement: statements });
}

/** A policy document of resolved statements. */
export const documentOf = (statements: readonly PolicyStatement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});

/** An Allow statement on named resources (never none: an empty list would be a policy error at apply). */
export const allow = (
  Sid: string,
  Action: readonly string[],
  Resource: readonly string[],
): PolicyStatement => {
  if (Resource.length === 0) throw new Error(`statement '${Sid}' must name at least one resource`);
  return { Sid, Effect: 'Allow', Action: [...Action], Resource: [...Resource] };
};

/**
 * Actions with no resource-level permissions: `*` is their only valid resource, so a statement that
 * grants one must narrow it with a condition instead (see {@link allowEverywhereWhen}).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS = [
  'cloudwatch:PutMetricData',
  'cloudwatch:GetMetricData',
] as const;

/** An Allow on `*` for actions without resource-level permissions, only under a condition. */
export function allowEverywhereWhen(
  Sid: string,
  Action: readonly (typeof ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS)[number][],
  Condition: ConditionBlock,
): PolicyStatement {
  if (Object.keys(Condition).length === 0) throw new Error(`statement '${Sid}' must have a condition`);
  return { Sid, Effect: 'Allow', Action: [...Action], Resource: '*', Condition };
}

/** The actions of a document that are wildcards (`*`, `svc:*` or any `*` inside an action). */
export function wildcardActions(doc: PolicyDocument): string[] {
  return doc.Statement.filter((s) => s.Effect === 'Allow')
    .flatMap((s) => s.Action)
    .filter((a) => a.includes('*'));
}
