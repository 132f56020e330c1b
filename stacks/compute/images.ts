/**
 * Container images per region (static stability: a region pulls its images without the other region).
 *
 * The config names the platform's private images as a repository path under
 * {@link PRIVATE_REPOSITORY_PREFIX} plus a digest or tag (`risk/scoring-api@sha256:<64 hex>`), never with
 * a registry host. Each region's workloads pull from that region's private ECR registry
 * (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>`), which ECR cross-region replication fills from
 * the primary region ({@link ./image-replication.ts}). Public images (`public.ecr.aws/...`) are kept as
 * they are: ECR Public is served from several regions, not from one region's registry.
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html
 */

/** The repository prefix of the platform's private images: the prefix ECR replicates to the DR region. */
export const PRIVATE_REPOSITORY_PREFIX = 'risk/';

/** A private ECR image reference: `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>...`. */
export const PRIVATE_ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\//;

/** The host of an account's private ECR registry in a region. */
export function ecrRegistry(accountId: string, region: string): string {
  return `${accountId}.dkr.ecr.${region}.amazonaws.com`;
}

/**
 * The reference a workload in `region` pulls: a repository path under {@link PRIVATE_REPOSITORY_PREFIX}
 * is prefixed with that region's registry; any other (public) reference is returned unchanged.
 */
export function regionalImage(ref: string, registryAccountId: string, region: string): string {
  return ref.startsWith(PRIVATE_REPOSITORY_PREFIX) ? `${ecrRegistry(registryAccountId, region)}/${ref}` : ref;
}

/** The images of the config (`workloads.images`), keyed as the charts take them. */
export interface ImageRefs {
  readonly scoringApi: string;
  readonly streamScorer: string;
  readonly feedbackWorker: string;
  readonly replicationHeartbeat: string;
}

/** Every configured image as a workload in `region` pulls it ({@link regionalImage}): one code path per region. */
export function regionalImages(
  workloads: { readonly registryAccountId: string; readonly images: ImageRefs },
  region: string,
): ImageRefs {
  const at = (ref: string) => regionalImage(ref, workloads.registryAccountId, region);
  return {
    scoringApi: at(workloads.images.scoringApi),
    streamScorer: at(workloads.images.streamScorer),
    feedbackWorker: at(workloads.images.feedbackWorker),
    replicationHeartbeat: at(workloads.images.replicationHeartbeat),
  };
}

const IMAGE_REF = /^[a-z0-9.\-/:]+(@sha256:[a-f0-9]{64}|:[A-Za-z0-9._-]+)$/;
const PINNED = 'an image reference pinned by digest (repo@sha256:<64 hex>) or an immutable tag (repo:1.2.3)';

/**
 * What is wrong with a configured image reference, as the expectation a config error states, or
 * undefined when it is valid. A private image must be a repository path under
 * {@link PRIVATE_REPOSITORY_PREFIX} (no registry host); with `publicAllowed`, a public image
 * (`public.ecr.aws/...`) is accepted too. Either way pinned, and never `latest`.
 */
export function imageRefProblem(ref: string, opts: { readonly publicAllowed: boolean }): string | undefined {
  const host = PRIVATE_ECR_IMAGE.exec(ref);
  if (host) {
    return (
      `a repository path without the registry host, such as ${ref.slice(host[0].length)} ` +
      `(each region pulls from its own registry, <registryAccountId>.dkr.ecr.<region>.amazonaws.com)`
    );
  }
  if (!opts.publicAllowed && !ref.startsWith(PRIVATE_REPOSITORY_PREFIX)) {
    return `a repository path under ${PRIVATE_REPOSITORY_PREFIX} (the prefix ECR replicates to the DR region), such as ${PRIVATE_REPOSITORY_PREFIX}scoring-api@sha256:<64 hex>`;
  }
  if (!IMAGE_REF.test(ref)) return PINNED;
  if (/:latest$/.test(ref)) return 'an image reference not tagged latest';
  return undefined;
}
