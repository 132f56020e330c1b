export * from './identities';
export * from './keys';
export * from './messaging';
export * from './permissions';
export * from './policy-documents';
export * from './regional';
export * from './stream';
export * from './tables';
