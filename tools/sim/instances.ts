/**
 * vCPU and memory of the EC2 instance types node groups may use, and what a node leaves to pods.
 * @see https://aws.amazon.com/ec2/instance-types/ (compute optimized C7i / C6i, general purpose M7i)
 */
import { DEFAULT_NODE_RESERVED_FRACTION } from '../../stacks/capacity';

export interface InstanceShape {
  readonly vcpu: number;
  readonly memoryMiB: number;
}

export const INSTANCE_TYPES: Readonly<Record<string, InstanceShape>> = {
  'c7i.xlarge': { vcpu: 4, memoryMiB: 8 * 1024 },
  'c7i.2xlarge': { vcpu: 8, memoryMiB: 16 * 1024 },
  'c7i.4xlarge': { vcpu: 16, memoryMiB: 32 * 1024 },
  'c6i.xlarge': { vcpu: 4, memoryMiB: 8 * 1024 },
  'c6i.2xlarge': { vcpu: 8, memoryMiB: 16 * 1024 },
  'c6i.4xlarge': { vcpu: 16, memoryMiB: 32 * 1024 },
  'm7i.large': { vcpu: 2, memoryMiB: 8 * 1024 },
  'm7i.xlarge': { vcpu: 4, memoryMiB: 16 * 1024 },
  'm7i.2xlarge': { vcpu: 8, memoryMiB: 32 * 1024 },
  'm6i.xlarge': { vcpu: 4, memoryMiB: 16 * 1024 },
  'm6i.2xlarge': { vcpu: 8, memoryMiB: 32 * 1024 },
  't3.medium': { vcpu: 2, memoryMiB: 4 * 1024 },
  't3.large': { vcpu: 2, memoryMiB: 8 * 1024 },
  't3.xlarge': { vcpu: 4, memoryMiB: 16 * 1024 },
};

/**
 * Allocatable share of a node: the repository's capacity model reserves
 * {@link DEFAULT_NODE_RESERVED_FRACTION} (10 %) for the kubelet, system reservations and DaemonSets.
 */
export function allocatable(shape: InstanceShape): { cpuMillis: number; memoryMiB: number } {
  const f = 1 - DEFAULT_NODE_RESERVED_FRACTION;
  return { cpuMillis: Math.floor(shape.vcpu * 1000 * f), memoryMiB: Math.floor(shape.memoryMiB * f) };
}
