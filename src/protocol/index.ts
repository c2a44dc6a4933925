export * from './channel-name.util.js';
export * from './close-codes.js';
export * from './error-codes.js';
export * from './event-names.js';
export * from './frame.codec.js';
export * from './frame-depth.util.js';
export type * from './frames.js';
export * from './identity-names.js';
export * from './limits.js';
