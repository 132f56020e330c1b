export * from './dns';
export * from './notifications';
export * from './traffic-switch';
export * from './certificates';
