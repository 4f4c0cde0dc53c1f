import type { ClarifySim } from '../sim/clarify/index.js';
import { generateDataset } from '../sim/data/generate.js';
import type { SimData } from '../sim/data/types.js';
import { mapVideoMetadata, recordName } from '../sync/metadata.js';

/**
 * The sandbox's demo world: who the people are, which Brightcove accounts exist and what the
 * Clarify app already holds, so every command has something realistic to show.
 */

export const SANDBOX_CHANNEL = 'C0VIDEOOPS';

type SandboxRole = 'operator' | 'approver' | 'member';

export interface SandboxUser {
  id: string;
  name: string;
  role: SandboxRole;
  /** what the picker says this user may do */
  description: string;
}

export const SANDBOX_USERS: readonly SandboxUser[] = [
  {
    id: 'U0OLIVIAOP',
    name: 'olivia',
    role: 'operator',
    description: 'Operator: runs syncs, clips, shares and exports',
  },
  {
    id: 'U0ARJUNAPP',
    name: 'arjun',
    role: 'approver',
    description: 'Approver: approves deletes and unshares',
  },
  { id: 'U0MIAMEMBR', name: 'mia', role: 'member', description: 'Member: read-only commands' },
];

export function sandboxUser(role: SandboxRole): SandboxUser {
  const user = SANDBOX_USERS.find((u) => u.role === role);
  if (!user) throw new Error(`no sandbox ${role}`);
  return user;
}

/** A master account with two affiliates, ~500 videos, 90 days of analytics and two live jobs. */
export function demoDataset(now: Date, seed = 42): SimData {
  const data = generateDataset({
    seed,
    now,
    videosPerAccount: { neo: 400, 'neo-north': 50, 'neo-south': 50, research: 0 },
    analyticsDays: 90,
  });
  // The research lab is the generator's independent account; the demo is the Neo network only.
  data.accounts = data.accounts.filter((a) => a.alias !== 'research');
  // One job live now and one finished yesterday: enough for clips without a long list.
  data.liveJobs = data.liveJobs.slice(0, 2);
  return data;
}

export interface SeedSummary {
  inSync: number;
  stale: number;
  orphans: number;
}

/**
 * Fills the Clarify app as an earlier sync of `neo` would have left it: most videos mirrored, some
 * bundles stale (the video changed since), some orphans (their video was deleted), and a tenth of
 * the library never synced, so a dry run shows creates, updates and deletes.
 */
export function seedClarify(clarify: ClarifySim, data: SimData, alias = 'neo'): SeedSummary {
  const account = data.accounts.find((a) => a.alias === alias);
  const videos = account ? (data.videos[account.id] ?? []) : [];
  const summary: SeedSummary = { inSync: 0, stale: 0, orphans: 0 };
  videos.forEach((video, i) => {
    if (i % 10 === 9) return;
    const current = mapVideoMetadata(video).data;
    const stale = i % 23 === 4;
    const data = stale
      ? { ...current, name: `${video.name} (old title)`, description: 'Draft description' }
      : current;
    clarify.bundles.add({
      name: stale ? `${recordName(video).name} (old title)` : recordName(video).name,
      external_id: video.id,
      data,
    });
    if (stale) summary.stale++;
    else summary.inSync++;
  });
  for (let i = 1; i <= 6; i++) {
    const videoId = `6390000${String(i).padStart(3, '0')}001`;
    clarify.bundles.add({
      name: `Deleted clip ${i}`,
      external_id: videoId,
      data: { name: `Deleted clip ${i}`, reference_id: `neo-retired-${i}` },
    });
    summary.orphans++;
  }
  return summary;
}

/** brightcove-ops.yml for the sandbox: the sim accounts with their own sim credentials and the roles. */
export function sandboxYaml(data: SimData): string {
  const lines = ['timezone: Europe/London', 'accounts:'];
  for (const a of data.accounts) {
    const cred = data.credentials.find((c) => c.accounts.length === 1 && c.accounts[0] === a.id);
    lines.push(`  - alias: ${a.alias}`, `    id: "${a.id}"`, `    business_unit: ${a.name.split(' ').pop()}`);
    lines.push('    groups: [neo-network]');
    if (cred)
      lines.push(`    credentials: { client_id: ${cred.clientId}, client_secret: ${cred.clientSecret} }`);
  }
  const ids = (role: SandboxRole) => SANDBOX_USERS.filter((u) => u.role === role).map((u) => u.id);
  lines.push(
    'roles:',
    `  operators: [${ids('operator').join(', ')}]`,
    `  approvers: [${ids('approver').join(', ')}]`,
    '  four_eyes: true',
  );
  return `${lines.join('\n')}\n`;
}
