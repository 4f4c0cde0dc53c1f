/** Media sharing domain: pre-flight checks, decisions, name resolution, status tracking, bulk planning. */
export * from './bulk.js';
export * from './cms-deps.js';
export * from './decide.js';
export * from './describe.js';
export * from './gather.js';
export {
  affiliateChecks,
  checkAlreadyShared,
  checkCustomFields,
  checkGeo,
  checkMembership,
  checkNotLive,
  checkNotSharedIn,
  checkReferenceId,
  checkSharingEnabled,
  checksFor,
  checkTranscoded,
  customFieldMismatches,
  isGeoRestricted,
  runPreflight,
  videoChecks,
  worstLevel,
} from './preflight.js';
export * from './resolve.js';
export * from './share-errors.js';
export * from './status.js';
export * from './types.js';
export * from './unshare.js';
