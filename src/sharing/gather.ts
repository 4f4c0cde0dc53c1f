/**
 * Builds a `PreflightInput` by calling injected lookups, so the pure rules stay testable and the integrator
 * plugs in the CMS client (see `cmsPreflightDeps`). Master-side reads that must work (the video, its shares)
 * fail the whole pre-flight; reads that may be impossible (the channel when sharing is off, anything in an
 * affiliate the app has no credentials for) become `unknown` lookups that the rules turn into findings.
 */
import type { Channel, ChannelMember, CmsVideo, CustomField, VideoFields } from '../brightcove/schemas.js';
import type {
  AccountRef,
  AffiliateFacts,
  AffiliateRef,
  Lookup,
  PreflightInput,
  ShareRecord,
} from './types.js';

export interface PreflightDeps {
  master: AccountRef;
  /** master video by id; null when it does not exist */
  getVideo(videoId: string): Promise<CmsVideo | null>;
  /** `GET /videos/ref:{ref}` in any account the app can read; null when no video has it */
  getVideoByRef(accountId: string, referenceId: string): Promise<CmsVideo | null>;
  /** the master's channel (`GET /channels/default`); throws when sharing is not available */
  getChannel(): Promise<Channel>;
  /** the master's channel members (`GET /channels/default/members`) */
  listAffiliates(): Promise<ChannelMember[]>;
  /** the master video's shares (`GET /videos/{id}/shares`) */
  listShares(videoId: string): Promise<ShareRecord[]>;
  /** `GET /video_fields` of any account the app can read */
  getVideoFields(accountId: string): Promise<VideoFields>;
  /** whether the app holds credentials for this account (affiliates are often someone else's) */
  hasAccess(accountId: string): boolean;
  /** the affiliate's contract with the master (`GET /contracts/{master}` as the affiliate) */
  getAutoAccept?(affiliateId: string): Promise<boolean | undefined>;
  /** whether an account has geo restriction; no API reports this, so it comes from configuration */
  geoEnabled?(accountId: string): boolean | undefined;
}

export interface GatherRequest {
  /** the master video, already fetched, or its id */
  video: CmsVideo | string;
  affiliates: AffiliateRef[];
  /** the channel members, when the caller already listed them to resolve names */
  members?: ChannelMember[];
}

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function lookup<T>(run: () => Promise<T>): Promise<Lookup<T>> {
  try {
    return { status: 'known', value: await run() };
  } catch (err) {
    return { status: 'unknown', reason: reasonOf(err) };
  }
}

function noAccess<T>(affiliate: AffiliateRef): Lookup<T> {
  return { status: 'unknown', reason: `the app has no credentials for ${affiliate.name}.` };
}

class VideoNotFoundError extends Error {
  override name = 'VideoNotFoundError';
}

export async function gatherPreflight(deps: PreflightDeps, req: GatherRequest): Promise<PreflightInput> {
  let video: CmsVideo;
  if (typeof req.video === 'string') {
    const found = await deps.getVideo(req.video);
    if (!found) throw new VideoNotFoundError(`No video ${req.video} in ${deps.master.name}.`);
    video = found;
  } else {
    video = req.video;
  }
  const ref = video.reference_id ?? null;

  const [channel, masterFields, shares] = await Promise.all([
    lookup(() => deps.getChannel()),
    deps.getVideoFields(deps.master.id).then(
      (f): CustomField[] => f.custom_fields,
      // display names only: the checks still work with raw ids
      (): CustomField[] => [],
    ),
    deps.listShares(video.id),
  ]);
  const members: Lookup<ChannelMember[]> = req.members
    ? { status: 'known', value: req.members }
    : channel.status === 'unknown'
      ? { status: 'unknown', reason: channel.reason }
      : await lookup(() => deps.listAffiliates());

  const affiliates = await Promise.all(
    req.affiliates.map(async (affiliate): Promise<AffiliateFacts> => {
      const access = deps.hasAccess(affiliate.id);
      const [referenceLookup, customFields, autoAccept] = await Promise.all([
        !ref
          ? Promise.resolve<Lookup<CmsVideo | null>>({ status: 'known', value: null })
          : access
            ? lookup(() => deps.getVideoByRef(affiliate.id, ref))
            : Promise.resolve(noAccess<CmsVideo | null>(affiliate)),
        access
          ? lookup(async () => (await deps.getVideoFields(affiliate.id)).custom_fields)
          : Promise.resolve(noAccess<CustomField[]>(affiliate)),
        access && deps.getAutoAccept
          ? deps.getAutoAccept(affiliate.id).catch(() => undefined)
          : Promise.resolve(undefined),
      ]);
      const member =
        members.status === 'known' ? members.value.find((m) => m.account_id === affiliate.id) : undefined;
      const geoEnabled = deps.geoEnabled?.(affiliate.id);
      return {
        affiliate,
        membership:
          members.status === 'known'
            ? { status: 'known', value: { member: !!member, approved: member?.approved === true } }
            : { status: 'unknown', reason: members.reason },
        referenceLookup,
        customFields,
        existingShare: shares.find((s) => s.affiliate_id === affiliate.id) ?? null,
        ...(geoEnabled === undefined ? {} : { geoEnabled }),
        ...(autoAccept === undefined ? {} : { autoAccept }),
      };
    }),
  );

  return { master: deps.master, video, channel, masterCustomFields: masterFields, affiliates };
}
