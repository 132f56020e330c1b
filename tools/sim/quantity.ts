/**
 * Kubernetes resource quantities as numbers: CPU in millicores, memory in MiB.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */

const MEMORY_MIB: Readonly<Record<string, number>> = {
  Ki: 1 / 1024,
  Mi: 1,
  Gi: 1024,
  Ti: 1024 * 1024,
  k: 1000 / (1024 * 1024),
  M: 1e6 / (1024 * 1024),
  G: 1e9 / (1024 * 1024),
};

/** `500m` -> 500, `2` -> 2000, `1.5` -> 1500; undefined when not a CPU quantity. */
export function cpuMillis(q: unknown): number | undefined {
  if (typeof q === 'number') return q * 1000;
  if (typeof q !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q.trim());
  if (!m) return undefined;
  return m[2] ? Number(m[1]) : Number(m[1]) * 1000;
}

/** `1024Mi` -> 1024, `1Gi` -> 1024, `512M` -> 488.28...; undefined when not a memory quantity. */
export function memoryMiB(q: unknown): number | undefined {
  if (typeof q === 'number') return q / (1024 * 1024);
  if (typeof q !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G)?$/.exec(q.trim());
  if (!m) return undefined;
  return m[2] ? Number(m[1]) * MEMORY_MIB[m[2]] : Number(m[1]) / (1024 * 1024);
}
