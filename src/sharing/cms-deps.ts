/**
 * Adapts the CMS client to the sharing module's injected functions. Structural types only, so tests can pass
 * fakes and the sharing code never makes HTTP calls itself.
 */
import { NotFoundError } from '../brightcove/errors.js';
import type {
  Channel,
  ChannelMember,
  CmsVideo,
  Contract,
  VideoFields,
  VideoShare,
} from '../brightcove/schemas.js';
import type { PreflightDeps } from './gather.js';
import type { VideoKey } from './resolve.js';
import type { AccountRef } from './types.js';

/** The CMS client methods sharing uses (a subset of `CmsClient`). */
export interface SharingCms {
  getVideo(id: string): Promise<CmsVideo>;
  getVideoByRef(referenceId: string): Promise<CmsVideo>;
  getVideoFields(): Promise<VideoFields>;
  getChannel(): Promise<Channel>;
  listMembers(): Promise<ChannelMember[]>;
  getContract(masterId: string): Promise<Contract>;
  listShares(videoId: string): Promise<VideoShare[]>;
  getShare(videoId: string, affiliateId: string): Promise<VideoShare>;
  share(videoId: string, affiliateIds: string[]): Promise<VideoShare[]>;
}

/** null on 404, the error otherwise. */
export async function nullIfNotFound<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

interface CmsDepsOptions {
  master: AccountRef;
  /** a CMS client for an account the app has credentials for; undefined otherwise */
  cmsFor(accountId: string): SharingCms | undefined;
  geoEnabled?(accountId: string): boolean | undefined;
}

export function cmsPreflightDeps(opts: CmsDepsOptions): PreflightDeps {
  const masterCms = opts.cmsFor(opts.master.id);
  if (!masterCms) throw new Error(`No credentials for the master account ${opts.master.name}.`);
  const must = (accountId: string): SharingCms => {
    const cms = opts.cmsFor(accountId);
    if (!cms) throw new Error(`the app has no credentials for account ${accountId}.`);
    return cms;
  };
  return {
    master: opts.master,
    getVideo: (id) => nullIfNotFound(masterCms.getVideo(id)),
    getVideoByRef: (accountId, ref) => nullIfNotFound(must(accountId).getVideoByRef(ref)),
    getChannel: () => masterCms.getChannel(),
    listAffiliates: () => masterCms.listMembers(),
    listShares: (videoId) => masterCms.listShares(videoId),
    getVideoFields: (accountId) => must(accountId).getVideoFields(),
    hasAccess: (accountId) => opts.cmsFor(accountId) !== undefined,
    getAutoAccept: async (affiliateId) =>
      (await nullIfNotFound(must(affiliateId).getContract(opts.master.id)))?.auto_accept,
    ...(opts.geoEnabled ? { geoEnabled: opts.geoEnabled } : {}),
  };
}

/** Fetches a master video by `VideoKey`, or null when it does not exist. */
export function cmsVideoLookup(cms: Pick<SharingCms, 'getVideo' | 'getVideoByRef'>) {
  return (key: VideoKey): Promise<CmsVideo | null> =>
    nullIfNotFound(key.kind === 'id' ? cms.getVideo(key.id) : cms.getVideoByRef(key.referenceId));
}
