/**
 * Resolves what the user typed: `<video-id|ref:REF>` and affiliates named by config alias, account id or the
 * channel member name (`account_name`, matched without regard to case, spaces or dashes).
 */
import type { ChannelMember, CmsVideo } from '../brightcove/schemas.js';
import { UserError } from '../core/errors.js';
import type { AccountRef, AffiliateRef } from './types.js';

export type VideoKey = { kind: 'id'; id: string } | { kind: 'ref'; referenceId: string };

/** Reference ids: ≤150 characters, no spaces or commas (reference §3.5). */
const REF_RE = /^[^\s,]{1,150}$/;

export function parseVideoKey(input: string): VideoKey {
  const text = input.trim();
  if (/^ref:/i.test(text)) {
    const referenceId = text.slice(4);
    if (!REF_RE.test(referenceId)) {
      throw new UserError(
        `\`${text}\` isn't a valid reference id: after \`ref:\` give 1–150 characters without spaces or commas.`,
        true,
      );
    }
    return { kind: 'ref', referenceId };
  }
  if (/^\d{1,20}$/.test(text)) return { kind: 'id', id: text };
  throw new UserError(
    `\`${text}\` isn't a video: give a numeric video id (\`6301234567001\`) or a reference id (\`ref:seal-0042\`).`,
    true,
  );
}

function describeVideoKey(key: VideoKey): string {
  return key.kind === 'id' ? `video ${key.id}` : `reference id ${key.referenceId}`;
}

export async function resolveVideo(
  input: string,
  lookup: (key: VideoKey) => Promise<CmsVideo | null>,
  account: AccountRef,
): Promise<CmsVideo> {
  const key = parseVideoKey(input);
  const video = await lookup(key);
  if (!video) {
    throw new UserError(
      `No ${describeVideoKey(key)} in ${account.name}. Check the id, or add \`--from <account>\` if it lives in another account.`,
    );
  }
  return video;
}

export interface AffiliateDirectory {
  master: AccountRef;
  /** configured accounts (alias → id) */
  accounts: Array<{ alias: string; id: string }>;
  /** the master channel's members */
  members: ChannelMember[];
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');

interface Candidate {
  id: string;
  name: string;
  alias?: string;
  keys: string[];
}

function candidates(dir: AffiliateDirectory): Candidate[] {
  const byId = new Map<string, Candidate>();
  for (const m of dir.members) {
    const alias = dir.accounts.find((a) => a.id === m.account_id)?.alias;
    byId.set(m.account_id, {
      id: m.account_id,
      name: m.account_name || alias || m.account_id,
      ...(alias ? { alias } : {}),
      keys: [m.account_name, alias].filter((k): k is string => !!k).map(norm),
    });
  }
  for (const a of dir.accounts) {
    if (byId.has(a.id) || a.id === dir.master.id) continue;
    byId.set(a.id, { id: a.id, name: a.alias, alias: a.alias, keys: [norm(a.alias)] });
  }
  return [...byId.values()];
}

const toRef = (c: Candidate): AffiliateRef => ({
  id: c.id,
  name: c.name,
  ...(c.alias ? { alias: c.alias } : {}),
});
const label = (c: Candidate) => `${c.name}${c.alias && c.alias !== c.name ? ` (${c.alias})` : ''} ${c.id}`;

function known(all: Candidate[]): string {
  if (all.length === 0) return 'The channel has no members yet.';
  return `Known affiliates: ${all.map(label).join(', ')}.`;
}

function resolveOne(word: string, all: Candidate[], dir: AffiliateDirectory): AffiliateRef {
  const key = norm(word);
  const masterAlias = dir.accounts.find((a) => a.id === dir.master.id)?.alias;
  if (word === dir.master.id || norm(dir.master.name) === key || (masterAlias && norm(masterAlias) === key))
    throw new UserError(`\`${word}\` is the master account itself; name an affiliate. ${known(all)}`);
  if (/^\d+$/.test(word)) {
    const byId = all.find((c) => c.id === word);
    // an id that is not (yet) a member still resolves: the pre-flight then says why it can't be shared to
    return byId ? toRef(byId) : { id: word, name: word };
  }
  if (key === '') throw new UserError(`\`${word}\` isn't an affiliate name. ${known(all)}`, true);
  const exact = all.filter((c) => c.keys.includes(key));
  if (exact.length === 1) return toRef(exact[0]!);
  if (exact.length > 1) {
    throw new UserError(
      `\`${word}\` matches several affiliates: ${exact.map(label).join(', ')}. Use the account id.`,
    );
  }
  const partial = key.length >= 3 ? all.filter((c) => c.keys.some((k) => k.startsWith(key))) : [];
  if (partial.length === 1) return toRef(partial[0]!);
  if (partial.length > 1) {
    throw new UserError(
      `\`${word}\` is ambiguous: it could be ${partial.map(label).join(', ')}. Use more of the name or the account id.`,
    );
  }
  throw new UserError(`Unknown affiliate \`${word}\`. ${known(all)}`);
}

/** Splits `a,b` / `a, b` lists and resolves each name; duplicates are dropped. */
export function resolveAffiliates(input: string | string[], dir: AffiliateDirectory): AffiliateRef[] {
  const words = (Array.isArray(input) ? input : [input])
    .flatMap((w) => w.split(','))
    .map((w) => w.trim())
    .filter(Boolean);
  if (words.length === 0) throw new UserError('Name at least one affiliate after `to`.', true);
  const all = candidates(dir);
  const out: AffiliateRef[] = [];
  for (const word of words) {
    const ref = resolveOne(word, all, dir);
    if (!out.some((r) => r.id === ref.id)) out.push(ref);
  }
  return out;
}
