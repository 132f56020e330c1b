import { z } from 'zod';
import { AwsRegion, EnvironmentName, ProjectConfig, projectConfigSchema } from './schema';

/** The Pulumi project name; config keys are namespaced with it. */
export const PROJECT = 'risk-platform';

/** Config keys that must be Pulumi secrets (`pulumi config set --secret`). */
export const SECRET_KEYS = ['datadog:apiKey', 'datadog:appKey'] as const;

/** A stack's part of an environment: the global stack, or one region's. */
export type StackUnit = 'global' | AwsRegion;

/** The Pulumi stack name of an environment's unit: `<env>-global`, `<env>-<region>`. */
export const unitStackName = (environment: string, unit: StackUnit): string => `${environment}-${unit}`;

/** One region of an environment, as the components see it. */
export interface RegionSite {
  /** `primary` holds the global tables' home and takes traffic by default; `dr` is the warm standby. */
  readonly role: 'primary' | 'dr';
  readonly region: AwsRegion;
  readonly vpcCidr: string;
  /**
   * The region's zones by AZ ID (`usw2-az1`), in slot order (config `regions.<role>.availabilityZoneIds`):
   * the subnets are placed by ID, and per-zone names use the slot (stacks/config/zones.ts `zoneSlot`).
   */
  readonly availabilityZoneIds: readonly string[];
}

/** The whole, validated configuration of one environment. Components receive parts of it as props. */
export interface EnvironmentConfig extends Omit<ProjectConfig, 'regions' | 'tags' | 'unit'> {
  readonly project: string;
  readonly stack: string;
  /**
   * The stack's part of the environment (`risk-platform:unit`): `global` or one of its two regions.
   * @default - undefined: the environment's shared settings, read by tools; the program refuses it
   */
  readonly unit?: StackUnit;
  readonly environment: EnvironmentName;
  readonly regions: { readonly primary: RegionSite; readonly dr: RegionSite };
  /** Primary first, then DR: the list every per-region loop walks. */
  readonly sites: readonly RegionSite[];
  /**
   * The region serving traffic (`dr.activeRegion`): full autoscaler minimums there, warm-standby
   * minimums in the other region. Roles do not change with it.
   * @default - the primary region
   */
  readonly activeRegion: AwsRegion;
  /** Tags applied to every taggable AWS resource. */
  readonly tags: Readonly<Record<string, string>>;
  /** Secret config values (plain here; the program wraps them with `pulumi.secret`). */
  readonly secrets: { readonly datadogApiKey: string; readonly datadogAppKey: string };
}

/** One problem with the configuration: the key, what was received and what was expected. */
export interface ConfigIssue {
  readonly key: string;
  readonly received: string;
  readonly expected: string;
}

/** Thrown for invalid configuration before any resource is registered. CLIs map it to exit code 2. */
export class ConfigError extends Error {
  constructor(
    readonly stackName: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      `invalid configuration for stack '${stackName}':\n` +
        issues.map((i) => `  - ${i.key}: received ${i.received}, expected ${i.expected}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** The tag keys every taggable AWS resource must carry. */
export const REQUIRED_TAG_KEYS = ['owner', 'cost-centre', 'data-classification', 'environment'] as const;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  return JSON.stringify(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function issuesFromZod(error: z.ZodError, raw: Record<string, unknown>): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) {
        const path = [...issue.path, k];
        out.push({
          key: `${PROJECT}:${path.map(String).join('.')}`,
          received: describe(valueAt(raw, path)),
          expected: 'no such key (unknown keys are refused; check the spelling)',
        });
      }
      continue;
    }
    const received = valueAt(raw, issue.path);
    let expected = issue.message;
    if (received === undefined && issue.code === 'invalid_type') expected = `a value (${issue.message})`;
    out.push({
      key: `${PROJECT}:${issue.path.map(String).join('.')}`,
      received: describe(received),
      expected,
    });
  }
  return out;
}

/** Parses a stack config value: Pulumi hands objects over as JSON strings. */
function decode(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export interface ParseOptions {
  /** The stack name; it must equal the `environment` key. */
  readonly stack: string;
  /** Keys Pulumi knows to be secret (`pulumi.runtime.isConfigSecret`). */
  readonly isSecret: (key: string) => boolean;
}

/**
 * Parses the whole stack config (as `pulumi.runtime.allConfig()` returns it) into one typed object.
 * Throws {@link ConfigError} listing every problem, each naming key, value received and expectation.
 */
export function parseEnvironmentConfig(
  all: Readonly<Record<string, string>>,
  opts: ParseOptions,
): EnvironmentConfig {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) {
    if (k.startsWith(`${PROJECT}:`)) raw[k.slice(PROJECT.length + 1)] = decode(v);
  }
  const parsed = projectConfigSchema.safeParse(raw);
  const issues: ConfigIssue[] = parsed.success ? [] : issuesFromZod(parsed.error, raw);

  const unit = parsed.success ? parsed.data.unit : undefined;
  if (parsed.success && unit === undefined && parsed.data.environment !== opts.stack) {
    issues.push({
      key: `${PROJECT}:environment`,
      received: describe(parsed.data.environment),
      expected: `the stack name ${JSON.stringify(opts.stack)}`,
    });
  }
  if (
    parsed.success &&
    unit !== undefined &&
    unitStackName(parsed.data.environment, unit as StackUnit) !== opts.stack
  ) {
    issues.push({
      key: `${PROJECT}:unit`,
      received: `${describe(unit)} in stack ${JSON.stringify(opts.stack)}`,
      expected: `the stack name to be ${JSON.stringify(unitStackName(parsed.data.environment, unit as StackUnit))} (<environment>-<unit>)`,
    });
  }
  const awsRegion = all['aws:region'];
  const primary = parsed.success ? parsed.data.regions.primary.region : undefined;
  // A stack's default provider is in its own region (the global stack's: the primary). The shared
  // settings alone (no unit) may omit it.
  const ownRegion = unit === undefined || unit === 'global' ? primary : unit;
  if (ownRegion && !(unit === undefined && awsRegion === undefined) && awsRegion !== ownRegion) {
    issues.push({
      key: 'aws:region',
      received: describe(awsRegion),
      expected:
        unit === undefined || unit === 'global'
          ? `the primary region ${JSON.stringify(ownRegion)} (the default provider's region)`
          : `the stack's region ${JSON.stringify(ownRegion)} (the default provider's region)`,
    });
  }
  for (const key of SECRET_KEYS) {
    if (all[key] === undefined) {
      issues.push({
        key,
        received: describe(undefined),
        expected: `a secret (pulumi config set --secret ${key} <value>)`,
      });
    } else if (!opts.isSecret(key)) {
      issues.push({
        key,
        received: 'a plaintext value',
        expected: `a secret (pulumi config set --secret ${key} <value>)`,
      });
    }
  }
  if (!parsed.success || issues.length > 0) throw new ConfigError(opts.stack, issues);

  const c = parsed.data;
  const site = (role: 'primary' | 'dr'): RegionSite => {
    const s = c.regions[role];
    return {
      role,
      region: s.region,
      vpcCidr: s.vpcCidr,
      availabilityZoneIds: [...s.availabilityZoneIds],
    };
  };
  const regions = { primary: site('primary'), dr: site('dr') };
  return {
    ...c,
    project: PROJECT,
    stack: opts.stack,
    unit: c.unit as StackUnit | undefined,
    regions,
    sites: [regions.primary, regions.dr],
    // The schema has checked that it names one of the two regions.
    activeRegion: (c.dr.activeRegion as AwsRegion | undefined) ?? regions.primary.region,
    tags: {
      owner: c.tags.owner,
      'cost-centre': c.tags.costCentre,
      'data-classification': c.tags.dataClassification,
      environment: c.environment,
      project: PROJECT,
      'managed-by': 'pulumi',
    },
    secrets: { datadogApiKey: all['datadog:apiKey'], datadogAppKey: all['datadog:appKey'] },
  };
}
