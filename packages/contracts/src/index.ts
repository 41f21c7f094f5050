export * from './auth-api';
export * from './claims';
export * from './health';
export * from './jwks';
export * from './oauth';
export * from './problem';
export * from './resource-api';
export * from './sessions-api';
