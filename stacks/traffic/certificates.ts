import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { RegionSite } from '../config/load';
import { regionalEndpointName, ScoringDns, scoringRecordName } from './dns';

export interface EndpointCertificatesArgs {
  /** The regions; each gets its own certificate (ACM certificates are regional). */
  readonly sites: readonly Pick<RegionSite, 'region'>[];
  /** The hosted zone and the scoring API's label in it. */
  readonly dns: ScoringDns;
  /** The hosted zone's ID (the traffic switch's zone lookup), where the validation records go. */
  readonly zoneId: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The names one region's certificate covers: its regional name first (the certificate's domain), then
 * the failover name callers actually connect to.
 */
export function certificateNames(dns: ScoringDns, region: string): [string, ...string[]] {
  return [regionalEndpointName(dns, region), scoringRecordName(dns)];
}

/**
 * The TLS certificates of the scoring API's NLBs: one DNS-validated ACM certificate per region for
 * `score-<region>.<zone>` and `score.<zone>`, so a caller that resolved the failover name to either
 * region's NLB sees a certificate for the name it asked for.
 *
 * ACM gives the same validation record to every certificate of the account that names the same domain,
 * in any region; so each validation record is created once per name (the shared failover name from the
 * first region's certificate) and every certificate waits on the records of all its names.
 * @see https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
 */
export class EndpointCertificates extends pulumi.ComponentResource {
  /** The certificates by region. */
  readonly certificates: Readonly<Record<string, aws.acm.Certificate>>;
  /** The issued certificates' ARNs by region (resolve only once validation succeeded). */
  readonly certificateArns: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: EndpointCertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:traffic:EndpointCertificates', name, {}, opts);
    const parent = { parent: this };
    const certificates: Record<string, aws.acm.Certificate> = {};
    const validationFqdns = new Map<string, pulumi.Output<string>>();

    for (const { region } of args.sites) {
      const [domainName, ...sans] = certificateNames(args.dns, region);
      const cert = new aws.acm.Certificate(
        `${name}-${region}`,
        {
          region,
          domainName,
          subjectAlternativeNames: sans,
          validationMethod: 'DNS',
          keyAlgorithm: 'EC_prime256v1',
          tags: { ...args.tags, Name: domainName },
        },
        parent,
      );
      certificates[region] = cert;
      for (const domain of [domainName, ...sans]) {
        if (validationFqdns.has(domain)) continue;
        const option = cert.domainValidationOptions.apply((opts) => {
          const found = (opts ?? []).find((o) => o.domainName === domain);
          if (!found)
            throw new Error(`certificate for '${domainName}' has no validation option for '${domain}'`);
          return found;
        });
        const record = new aws.route53.Record(
          `${name}-validation-${domain}`,
          {
            zoneId: args.zoneId,
            name: option.resourceRecordName,
            type: option.resourceRecordType,
            records: [option.resourceRecordValue],
            ttl: 300,
          },
          parent,
        );
        validationFqdns.set(domain, record.fqdn);
      }
    }

    this.certificates = certificates;
    this.certificateArns = Object.fromEntries(
      args.sites.map(({ region }) => {
        const validation = new aws.acm.CertificateValidation(
          `${name}-${region}`,
          {
            region,
            certificateArn: certificates[region].arn,
            validationRecordFqdns: certificateNames(args.dns, region).map(
              (d) => validationFqdns.get(d) as pulumi.Output<string>,
            ),
          },
          parent,
        );
        return [region, validation.certificateArn];
      }),
    );
    this.registerOutputs({ certificateArns: this.certificateArns });
  }
}
