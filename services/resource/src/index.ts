export { createResourceService, type ResourceService, type ResourceServiceOptions } from './app';
export { loadResourceConfig, type ResourceConfig } from './config';
export { type RunningResourceService, startResourceService } from './start';
export { verifierOptionsOf } from './verifier-options';
