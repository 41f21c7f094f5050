export * from './admin-operations';
export * from './auth-operations';
export * from './common-operations';
export * from './document';
export * from './resource-operations';
export * from './types';
