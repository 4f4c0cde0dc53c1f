export * from './generate.js';
export * from './rng.js';
export type * from './types.js';
