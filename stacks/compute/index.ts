export * from './versions';
export * from './iam';
export * from './kubeconfig';
export * from './inputs';
export * from './cluster';
export * from './addons';
export * from './workloads';
export * from './compute';
