export * from './monitor-specs';
export * from './monitors';
export * from './thresholds';
