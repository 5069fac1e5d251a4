export * from './bundle/build-view-data.js';
export * from './bundle/page-build.js';
export * from './bundle/serve-view.js';
export * from './bundle/serve-view-data.js';
export * from './bundle/served-view.js';
export * from './bundle/write-view-bundle.js';
export * from './served-data.js';
export * from './view-data.js';
