export { createResourceService, type ResourceService, type ResourceServiceOptions } from './app';
export { loadResourceConfig, type ResourceConfig } from './config';
export {
  type RunningResourceService,
  startResourceService,
  startWiredResourceService,
} from './start';
export { verifierOptionsOf } from './verifier-options';
