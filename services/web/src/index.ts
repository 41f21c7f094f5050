export { createWebService, type WebService, type WebServiceOptions } from './app';
export { REFRESH_COOKIE } from './bff/refresh-cookie';
export { loadWebConfig, type WebConfig } from './config';
export { type PageFiles, readPageFiles } from './page/assets';
export { type RunningWebService, startWebService, startWiredWebService } from './start';
