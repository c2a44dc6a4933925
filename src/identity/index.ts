export * from './client-socket-key.util.js';
export * from './connection-id.injector.js';
export * from './identity-headers.js';
export type * from './identity-options.interface.js';
export type * from './realtime-client-ref.interface.js';
export * from './request-identity.js';
export * from './response-head.util.js';
export * from './socket-digest.util.js';
export * from './socket-key.cookie.js';
