/**
 * Pre-flight checks for a media share, run BEFORE any share call. Most share failures only surface minutes
 * later in `error_message` (reference §7.4), so every cause we can predict from data we can read is checked
 * here, per affiliate, as pass / warning / blocker with a reason and the next step.
 *
 * Decision (documented in the report): when the app cannot read an affiliate (no credentials, missing scope),
 * the checks that need the affiliate's data become warnings, not blockers and not passes: the share may well
 * work, but an operator has to say "Share anyway" knowing it was not checked.
 */
import type { CmsVideo, CustomField } from '../brightcove/schemas.js';
import { plural } from '../core/words.js';
import { describeShareErrors, parseShareErrors } from './share-errors.js';
import {
  type AffiliateFacts,
  type AffiliatePreflight,
  type CheckLevel,
  PREFLIGHT_RULES,
  type PreflightCheck,
  type PreflightInput,
  type PreflightReport,
  type PreflightRule,
} from './types.js';

export { type GatherRequest, gatherPreflight, type PreflightDeps } from './gather.js';

const RANK: Record<CheckLevel, number> = { pass: 0, warning: 1, blocker: 2 };

export function worstLevel(levels: Iterable<CheckLevel>): CheckLevel {
  let worst: CheckLevel = 'pass';
  for (const l of levels) if (RANK[l] > RANK[worst]) worst = l;
  return worst;
}

const pass = (rule: PreflightRule, reason: string): PreflightCheck => ({
  rule,
  level: 'pass',
  reason,
  fix: null,
});
const warning = (rule: PreflightRule, reason: string, fix: string): PreflightCheck => ({
  rule,
  level: 'warning',
  reason,
  fix,
});
const blocker = (rule: PreflightRule, reason: string, fix: string): PreflightCheck => ({
  rule,
  level: 'blocker',
  reason,
  fix,
});

const quote = (s: string) => `“${s}”`;
const list = (items: string[]) => items.join(', ');

// ------------------------------------------------------------------ video-level rules

export function checkSharingEnabled(input: Pick<PreflightInput, 'channel' | 'master'>): PreflightCheck {
  if (input.channel.status === 'known')
    return pass('sharing_enabled', `Media sharing is on for ${input.master.name}.`);
  return blocker(
    'sharing_enabled',
    `Couldn't read ${input.master.name}'s sharing channel: ${input.channel.reason}`,
    'Brightcove Support must enable media sharing on both accounts, and the app’s API credentials need the sharing-relationships permissions.',
  );
}

export function checkTranscoded(video: CmsVideo): PreflightCheck {
  if (video.state === 'DELETED')
    return blocker('transcoded', 'The video is deleted.', 'Pick another video, or restore this one first.');
  if (video.complete === false) {
    return blocker(
      'transcoded',
      'The video is still transcoding (no rendition yet): the affiliate’s copy would arrive empty.',
      'Wait until transcoding finishes in Studio, then share again.',
    );
  }
  if (video.complete === undefined) {
    return warning(
      'transcoded',
      'Brightcove didn’t say whether transcoding finished.',
      'Check in Studio that the video has renditions, then Share anyway.',
    );
  }
  return pass('transcoded', 'Transcoded: renditions are ready.');
}

export function checkNotSharedIn(video: CmsVideo): PreflightCheck {
  const s = video.sharing;
  if (s?.by_external_acct) {
    const from = s.by_id ? `account ${s.by_id}` : 'another account';
    const original = s.source_id ? ` (original video ${s.source_id})` : '';
    const hint =
      s.source_id && s.by_id
        ? `Share the original instead: \`/brightcove share ${s.source_id} to … --from ${s.by_id}\`.`
        : 'Share the original from the account that owns it.';
    return blocker(
      'not_shared_in',
      `This is a copy shared in from ${from}${original}; only the original account can share it.`,
      hint,
    );
  }
  return pass('not_shared_in', 'An original video, not a shared-in copy.');
}

export function checkNotLive(video: CmsVideo): PreflightCheck {
  if (video.delivery_type === 'live_origin') {
    return blocker(
      'not_live',
      'Live videos can’t be shared.',
      'Cut a VOD clip of the stream (`/brightcove clip`) and share the clip.',
    );
  }
  return pass('not_live', 'Not a live video.');
}

/**
 * An ad-supported video (`economics`, AD_SUPPORTED by default) is refused by an affiliate that takes no
 * ads (share error `VALIDATION_ERROR economics: ILLEGAL_VALUE`, reference brightcove-cms §7.5). No API
 * tells an affiliate's ad settings, so this says what to expect rather than guess.
 */
function checkEconomics(video: CmsVideo): PreflightCheck {
  if ((video.economics ?? 'AD_SUPPORTED') === 'FREE')
    return pass('economics', 'Free (no ads): every affiliate can take it.');
  return pass(
    'economics',
    'Ad-supported: an affiliate that takes no ads refuses it (then set the video to FREE and share again).',
  );
}

/**
 * Copies are shared by reference: they follow the original (reference brightcove-cms §7.7), and a
 * shared original cannot be deleted without its copies (`SHARED_VIDEO` guards it, item 17).
 */
function checkCopiesFollow(master: { name: string }): PreflightCheck {
  return pass(
    'copies_follow',
    `Copies follow the original: deleting it in ${master.name} deletes every affiliate's copy too.`,
  );
}

// ------------------------------------------------------------------ affiliate rules

export function checkMembership(
  facts: Pick<AffiliateFacts, 'affiliate' | 'membership' | 'autoAccept'>,
  master: { id: string; name: string },
): PreflightCheck {
  const aff = facts.affiliate.name;
  if (facts.membership.status === 'unknown') {
    return warning(
      'channel_member',
      `Couldn't confirm ${aff} is an approved member of ${master.name}'s channel: ${facts.membership.reason}`,
      'Retry in a minute; if it persists, check the channel in Studio › Admin › Media Sharing.',
    );
  }
  const m = facts.membership.value;
  if (!m.member) {
    return blocker(
      'channel_member',
      `${aff} isn't a member of ${master.name}'s sharing channel.`,
      `A ${master.name} admin adds ${aff} (Studio › Admin › Media Sharing, or PUT /channels/default/members/${facts.affiliate.id}); ${aff} then approves the contract.`,
    );
  }
  if (!m.approved) {
    return blocker(
      'channel_member',
      `${aff} hasn't accepted ${master.name}'s sharing contract yet.`,
      `A ${aff} admin approves it (Studio › Admin › Media Sharing, or PATCH /contracts/${master.id} {"approved": true}).`,
    );
  }
  const accept =
    facts.autoAccept === false
      ? ` Its copies arrive PENDING until ${aff} accepts them (no auto-accept).`
      : facts.autoAccept === true
        ? ' Its copies go live at once (auto-accept).'
        : '';
  return pass('channel_member', `${aff} is an approved channel member.${accept}`);
}

export function checkReferenceId(
  video: CmsVideo,
  facts: Pick<AffiliateFacts, 'affiliate' | 'referenceLookup' | 'existingShare'>,
): PreflightCheck {
  const aff = facts.affiliate.name;
  const ref = video.reference_id;
  if (!ref) return pass('reference_id', 'No reference id, so nothing can clash.');
  const lookup = facts.referenceLookup;
  if (lookup.status === 'unknown') {
    return warning(
      'reference_id',
      `Couldn't check whether reference id ${quote(ref)} is free in ${aff}: ${lookup.reason}`,
      `Confirm in ${aff}'s Studio that no video uses it (or add ${aff}'s credentials to the config), then Share anyway.`,
    );
  }
  const other = lookup.value;
  if (!other) return pass('reference_id', `Reference id ${quote(ref)} is free in ${aff}.`);
  const ownCopy =
    other.sharing?.source_id === video.id ||
    (facts.existingShare?.affiliate_video_id != null && facts.existingShare.affiliate_video_id === other.id);
  if (ownCopy)
    return pass('reference_id', `Reference id ${quote(ref)} belongs to this video's own copy in ${aff}.`);
  return blocker(
    'reference_id',
    `Reference id ${quote(ref)} is already used in ${aff} by video ${other.id} (${quote(other.name)}).`,
    'Change the reference id on one of the two videos, then share again (a changed reference id stays locked for up to 3 minutes).',
  );
}

function fieldLabel(id: string, masterFields: CustomField[]): string {
  const name = masterFields.find((f) => f.id === id)?.display_name;
  return name && name !== id ? `${name} (${id})` : id;
}

/** The custom fields the affiliate lacks, and the enum values it does not allow (reference §7.4). */
export function customFieldMismatches(
  values: Record<string, string>,
  affiliateFields: CustomField[],
): { missing: string[]; illegal: Array<{ id: string; value: string; allowed: string[] }> } {
  const missing: string[] = [];
  const illegal: Array<{ id: string; value: string; allowed: string[] }> = [];
  for (const [id, value] of Object.entries(values)) {
    if (value === '') continue;
    const def = affiliateFields.find((f) => f.id === id);
    if (!def) missing.push(id);
    else if (def.type === 'enum' && !(def.enum_values ?? []).includes(value))
      illegal.push({ id, value, allowed: def.enum_values ?? [] });
  }
  return { missing, illegal };
}

export function checkCustomFields(
  video: CmsVideo,
  channel: PreflightInput['channel'],
  facts: Pick<AffiliateFacts, 'affiliate' | 'customFields'>,
  masterFields: CustomField[],
): PreflightCheck {
  const aff = facts.affiliate.name;
  const label = (id: string) => fieldLabel(id, masterFields);
  const used = Object.keys(video.custom_fields).filter((k) => video.custom_fields[k] !== '');
  if (channel.status === 'unknown') {
    return warning(
      'custom_fields',
      'Couldn’t read whether the channel enforces custom fields.',
      'Fix the channel problem above first.',
    );
  }
  if (!channel.value.enforce_custom_fields) {
    if (facts.customFields.status === 'known') {
      const { missing, illegal } = customFieldMismatches(video.custom_fields, facts.customFields.value);
      const dropped = [...missing, ...illegal.map((i) => i.id)];
      if (dropped.length > 0) {
        return pass(
          'custom_fields',
          `Not enforced by the channel; ${aff} will drop ${list(dropped.map(label))}.`,
        );
      }
    }
    return pass('custom_fields', 'The channel doesn’t enforce custom fields.');
  }
  if (used.length === 0) return pass('custom_fields', 'The video has no custom-field values to match.');
  if (facts.customFields.status === 'unknown') {
    return warning(
      'custom_fields',
      `The channel enforces custom fields and ${aff}'s fields couldn't be read: ${facts.customFields.reason}`,
      `Check that ${aff} has ${list(used.map(label))} with the same values, then Share anyway.`,
    );
  }
  const { missing, illegal } = customFieldMismatches(video.custom_fields, facts.customFields.value);
  if (missing.length > 0) {
    return blocker(
      'custom_fields',
      `${aff} lacks custom field${missing.length > 1 ? 's' : ''} ${list(missing.map(label))}, and the channel enforces custom fields.`,
      `Create ${missing.length > 1 ? 'them' : 'it'} in ${aff} with the same id, clear the value on the video, or turn off enforce_custom_fields on the channel.`,
    );
  }
  if (illegal.length > 0) {
    const what = illegal.map((i) => `${label(i.id)} = ${quote(i.value)}`);
    const allowed = illegal.map((i) => `${i.id}: ${list(i.allowed) || 'none'}`);
    return blocker(
      'custom_fields',
      `${aff} doesn't allow ${list(what)} (allowed ${allowed.join('; ')}).`,
      `Add the value to ${aff}'s list, or change it on the video.`,
    );
  }
  return pass('custom_fields', `All ${plural(used.length, 'custom-field value')} fit ${aff}'s fields.`);
}

/**
 * The affiliate's required custom fields that the video leaves empty: the share succeeds, but the copy
 * stays inactive until they are filled there (metadata assurance). Undefined when the affiliate requires
 * none (or its fields can't be read: the custom-field check says so).
 */
function checkRequiredFields(
  video: CmsVideo,
  facts: Pick<AffiliateFacts, 'affiliate' | 'customFields'>,
  masterFields: CustomField[],
): PreflightCheck | undefined {
  if (facts.customFields.status !== 'known') return undefined;
  const required = facts.customFields.value.filter((f) => f.required === true);
  if (required.length === 0) return undefined;
  const aff = facts.affiliate.name;
  const empty = required.filter((f) => !video.custom_fields[f.id]).map((f) => fieldLabel(f.id, masterFields));
  if (empty.length === 0) return pass('required_fields', `The video fills every field ${aff} requires.`);
  const them = empty.length > 1 ? 'them' : 'it';
  return warning(
    'required_fields',
    `${aff} requires ${list(empty)}, which the video leaves empty: its copy will stay inactive until ${them} ${empty.length > 1 ? 'are' : 'is'} filled in ${aff}.`,
    `Fill ${them} on the video before sharing, or in ${aff} after the share and then activate the copy.`,
  );
}

export function isGeoRestricted(video: CmsVideo): boolean {
  const geo = video.geo;
  if (!geo) return false;
  return geo.restricted === true || (geo.countries?.length ?? 0) > 0;
}

export function checkGeo(
  video: CmsVideo,
  channel: PreflightInput['channel'],
  facts: Pick<AffiliateFacts, 'affiliate' | 'geoEnabled'>,
): PreflightCheck {
  const aff = facts.affiliate.name;
  if (channel.status === 'unknown') {
    return warning(
      'geo',
      'Couldn’t read whether the channel enforces geo restriction.',
      'Fix the channel problem above first.',
    );
  }
  if (!isGeoRestricted(video)) return pass('geo', 'The video has no geo restriction.');
  if (!channel.value.enforce_geo) return pass('geo', 'The channel doesn’t enforce geo restriction.');
  const countries = video.geo?.countries?.length ? ` (${list(video.geo.countries)})` : '';
  if (facts.geoEnabled === true) return pass('geo', `${aff} supports geo restriction.`);
  const fix = `Have Brightcove enable geo restriction on ${aff}, remove the video's restriction, or turn off enforce_geo on the channel.`;
  if (facts.geoEnabled === false) {
    return blocker(
      'geo',
      `The video is geo-restricted${countries} and the channel enforces geo, but ${aff} isn't set up for geo restriction.`,
      fix,
    );
  }
  return warning(
    'geo',
    `The video is geo-restricted${countries} and the channel enforces geo: the share fails if ${aff} isn't set up for geo restriction.`,
    `Confirm ${aff} has the geo-restriction add-on, then Share anyway. Otherwise: ${fix.charAt(0).toLowerCase()}${fix.slice(1)}`,
  );
}

export function checkAlreadyShared(
  facts: Pick<AffiliateFacts, 'affiliate' | 'existingShare'>,
): PreflightCheck {
  const aff = facts.affiliate.name;
  const share = facts.existingShare;
  if (!share) return pass('already_shared', `Not shared to ${aff} yet.`);
  const status = share.status.toUpperCase();
  if (status === 'PROCESSING') {
    return warning(
      'already_shared',
      `A share to ${aff} is still processing.`,
      'Wait for it (`/brightcove shares <video>`); sharing again restarts it.',
    );
  }
  const copy = share.affiliate_video_id;
  if (copy) {
    return warning(
      'already_shared',
      `Already shared to ${aff} (their copy: ${copy}). Sharing again overwrites ${aff}'s edits to name, description, tags, custom fields and images.`,
      `Share anyway only if the master's metadata should win; ${aff}'s video id stays the same.`,
    );
  }
  const errors = parseShareErrors(share.error_message);
  const why = errors.length > 0 ? `: ${describeShareErrors(errors, aff)[0]?.words ?? ''}` : '.';
  return pass('already_shared', `The last share to ${aff} failed${why} This is a retry.`);
}

// ------------------------------------------------------------------ the whole run

const byRule = (a: PreflightCheck, b: PreflightCheck) =>
  PREFLIGHT_RULES.indexOf(a.rule) - PREFLIGHT_RULES.indexOf(b.rule);

/** Video-level checks (independent of the affiliate). */
export function videoChecks(input: Pick<PreflightInput, 'video' | 'channel' | 'master'>): PreflightCheck[] {
  return [
    checkSharingEnabled(input),
    checkTranscoded(input.video),
    checkNotSharedIn(input.video),
    checkNotLive(input.video),
    checkEconomics(input.video),
    checkCopiesFollow(input.master),
  ];
}

export function affiliateChecks(
  input: Pick<PreflightInput, 'video' | 'channel' | 'master' | 'masterCustomFields'>,
  facts: AffiliateFacts,
): PreflightCheck[] {
  return [
    checkMembership(facts, input.master),
    checkReferenceId(input.video, facts),
    checkCustomFields(input.video, input.channel, facts, input.masterCustomFields),
    checkRequiredFields(input.video, facts, input.masterCustomFields),
    checkGeo(input.video, input.channel, facts),
    checkAlreadyShared(facts),
  ]
    .filter((c): c is PreflightCheck => c !== undefined)
    .sort(byRule);
}

/** Runs every rule: pure, no I/O. */
export function runPreflight(input: PreflightInput): PreflightReport {
  const vChecks = videoChecks(input);
  const vLevel = worstLevel(vChecks.map((c) => c.level));
  const affiliates: AffiliatePreflight[] = input.affiliates.map((facts) => {
    const checks = affiliateChecks(input, facts);
    return {
      affiliate: facts.affiliate,
      checks,
      level: worstLevel([vLevel, ...checks.map((c) => c.level)]),
      existingShare: facts.existingShare,
      ...(facts.autoAccept === undefined ? {} : { autoAccept: facts.autoAccept }),
    };
  });
  return {
    master: input.master,
    video: {
      id: input.video.id,
      name: input.video.name,
      referenceId: input.video.reference_id ?? null,
      accountId: input.video.account_id,
    },
    videoChecks: vChecks,
    affiliates,
    level: worstLevel([vLevel, ...affiliates.map((a) => a.level)]),
  };
}

/** Every check that applies to one affiliate (video-level first). */
export function checksFor(report: PreflightReport, affiliateId: string): PreflightCheck[] {
  const aff = report.affiliates.find((a) => a.affiliate.id === affiliateId);
  return aff ? [...report.videoChecks, ...aff.checks] : [...report.videoChecks];
}
