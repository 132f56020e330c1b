export * from './served-apis';
export * from './validate';
