import type { z } from 'zod';
import type { ReportService } from '../analytics/service.js';
import type { Brightcove, BrightcoveAccount } from '../brightcove/index.js';
import type { ClarifyClient } from '../clarify/client.js';
import type { ClipService } from '../clips/service.js';
import type { Clock } from '../clock.js';
import type { AccountConfig, AppConfig } from '../config/schema.js';
import type { ExportService } from '../exports/service.js';
import type { Logger } from '../log.js';
import type { RouteHandler } from '../server.js';
import type { ShareService } from '../sharing/service.js';
import type { Repositories } from '../store/repositories.js';
import type { Store } from '../store/store.js';
import type { SyncService } from '../sync/service.js';
import type { Block, ModalView } from './blocks.js';
import type { GrammarInfo } from './grammar.js';
import type { Replica } from './lease.js';
import type { Registry } from './registry.js';
import type { ScheduleService } from './schedules.js';

/** Who is acting: a Slack user or the local CLI user. */
export interface Actor {
  userId: string;
  userName?: string;
  source: 'slack' | 'cli';
}

/** What a command says: text is the fallback (and the CLI's output), blocks the Slack rendering. */
export interface Reply {
  text: string;
  blocks?: Block[];
  /** machine-readable result for the CLI's --json */
  data?: unknown;
  /**
   * Set when the reply reports a problem: `usage` (bad input or an unknown name; the CLI exits 2),
   * `refused` (not allowed, or not confirmed; exit 1), `failed` (it went wrong; exit 1).
   */
  problem?: 'usage' | 'refused' | 'failed';
}

export interface FileUpload {
  filename: string;
  content: Buffer | string;
  title?: string;
  comment?: string;
  altText?: string;
  snippetType?: string;
}

/** A message posted to a channel (or printed by the CLI) that can be updated and replied to. */
export interface PostedMessage {
  readonly channel?: string;
  readonly ts?: string;
  /** Replace the message; updates are throttled (about one a second) and the last one always wins. */
  update(reply: Reply): void;
  /** Waits until the latest update has been sent. */
  flush(): Promise<void>;
  reply(reply: Reply): Promise<PostedMessage>;
  upload(file: FileUpload): Promise<void>;
}

/** Where a command's output goes: Slack (ephemeral replies, channel messages, files) or a terminal. */
export interface Surface {
  readonly channelId?: string;
  /** Whether people can click buttons on what it shows (Slack); the terminal confirms with --yes. */
  readonly buttons: boolean;
  /** Whether work a command starts goes on after it returns (the app); the terminal waits for it. */
  readonly background: boolean;
  /** How a command is typed here ("/brightcove", "brightcove-ops"): help and hints use it. */
  readonly prefix: string;
  /**
   * Attachments: limits (Slack: 10 MB a file, 20 files a message; files beyond them are listed, not
   * sent) and where they end up, in words ("in the thread", "in the output folder").
   */
  readonly attachments: { maxBytes: number; maxCount: number; place: string };
  /**
   * Asks a yes/no question where someone can answer now (a terminal on a TTY); undefined where nobody
   * can (a pipe, Slack: there the buttons ask).
   */
  confirm?(question: string): Promise<boolean | undefined>;
  /** A progress bar of its own (a terminal on a TTY); else progress updates the message. */
  progressBar?(
    title: string,
  ): { update(done: number, total: number, item: string): void; stop(): void } | undefined;
  /** Only the user sees it (response_url in Slack; stdout in the CLI). */
  reply(reply: Reply): Promise<void>;
  /** Everyone in the channel sees it. */
  post(reply: Reply): Promise<PostedMessage>;
  /** A direct message to one person (Slack: the app's DM with them); absent where there are none. */
  direct?(userId: string, reply: Reply): Promise<void>;
  /** A message already in the channel (the one a button was clicked on). */
  message(channel: string, ts: string): PostedMessage;
  upload(file: FileUpload): Promise<void>;
  /** Opens a modal (Slack only; the CLI reports that the command needs arguments). */
  openModal(view: ModalView): Promise<void>;
}

export interface Roles {
  isOperator(actor: Actor): Promise<boolean>;
  isApprover(actor: Actor): Promise<boolean>;
  /** Explains how to configure roles, for refusals when none are configured (fail closed). */
  describe(role: 'operator' | 'approver'): string;
  readonly fourEyes: boolean;
  /** How approvers are asked and requesters told (config `roles.notify`). */
  readonly notify: 'thread' | 'dm' | 'none';
  /** The configured people of a role as Slack mentions (`<@U…>`, `<!subteam^S…>`); '' when none. */
  mention(role: 'operator' | 'approver'): string;
  /** The user ids of a role, user groups expanded (for direct messages). */
  people(role: 'operator' | 'approver'): Promise<string[]>;
}

/** Everything a command may use. Features add their clients here. */
export interface Services {
  config: AppConfig;
  store: Store;
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  roles: Roles;
  /** ids for records; injectable so tests are deterministic */
  newId(prefix: string): string;
  /** the secret webhook URL tokens are derived from (so they survive restarts and are never stored) */
  hookKey: string;
  /** this process as a holder of leases on running work (core/lease.ts) */
  replica: Replica;
  registry: Registry;
  /** OAuth, CMS, Analytics and Live clients sharing one dispatcher and per-account limits */
  brightcove: Brightcove;
  /** the API identity of a configured account; a UserError when it has no credentials */
  bcAccount(account: AccountConfig): BrightcoveAccount;
  /** the Clarify client; a UserError when CLARIFY_API_KEY is missing */
  clarify(): ClarifyClient;
  schedules: ScheduleService;
  /** the sync workflow (plan, claim, execute, resume), built once */
  sync: SyncService;
  /** clips: create (intent first), track, settle after a restart; one per app (it owns the trackers) */
  clips: ClipService;
  /** analytics reports and digests; one per app (it owns the video-name cache) */
  reports: ReportService;
  /** media sharing: pre-flight, requests, share and track, unshare, resume */
  sharing: ShareService;
  /** catalogue and analytics exports: plan, claim the destination, run, audit */
  exports: ExportService;
}

/** What the running app offers to commands' background work. */
export interface Host {
  /** a webhook route on the app's own HTTP server */
  route(method: string, prefix: string, handler: RouteHandler): void;
  /** the app's public base URL, when configured (webhooks from Brightcove need one) */
  publicUrl?: string;
  /** a surface that posts to a channel without a user request (scheduled runs, resumed trackers) */
  channel(channelId: string): Surface;
}

interface BaseContext {
  actor: Actor;
  surface: Surface;
  services: Services;
}

export interface CommandContext<A> extends BaseContext {
  args: A;
  /** the text after /brightcove, for the audit log */
  text: string;
  /** the terminal's --yes: confirm up front what Slack confirms with a button (no buttons there) */
  yes?: boolean;
  triggerId?: string;
}

export interface ActionContext extends BaseContext {
  /** the button's value: the id of a persisted record */
  value: string;
  /** the message the button is on (absent for ephemeral messages) */
  message?: PostedMessage;
  /** replaces the message the button is on (works for ephemeral messages too) */
  replaceOriginal(reply: Reply): Promise<void>;
  /**
   * where the clicked button was (a message, an ephemeral one, or the clicker's App Home tab): a
   * record's button acts only on the message that shows the record
   */
  clicked?: { channel?: string; ts?: string; ephemeral: boolean; home?: boolean };
  triggerId?: string;
}

export interface ViewContext extends BaseContext {
  /** state.values of the submitted modal */
  values: Record<
    string,
    Record<
      string,
      {
        value?: string | null;
        selected_option?: { value: string } | null;
        selected_options?: { value: string }[] | null;
        selected_date?: string | null;
        selected_time?: string | null;
      }
    >
  >;
  privateMetadata: string;
}

export interface SuggestContext extends BaseContext {
  /** what the user has typed so far */
  query: string;
}

export interface Suggestion {
  text: string;
  value: string;
}

/** What a view submission answers: nothing (close), or errors shown on the modal's fields. */
export type ViewResult = undefined | { errors: Record<string, string> };

/** A flag as help and the tokenizer see it, derived from the grammar (src/core/grammar.ts). */
export interface FlagSpec {
  name: string;
  /** placeholder of the value (e.g. "N"); absent for boolean flags */
  value?: string;
  description: string;
  aliases?: string[];
}

/** What help groups the commands by, in this order. */
export const TOPICS = ['Sync', 'Live clips', 'Sharing', 'Analytics', 'Admin'] as const;
export type Topic = (typeof TOPICS)[number];

interface CommandDeclaration<A> {
  name: string;
  /** where help lists it */
  topic: Topic;
  summary: string;
  /** usage forms and flags, declared once (defineGrammar); usage lines have no leading "/brightcove " */
  grammar: GrammarInfo;
  examples: string[];
  /** whether it changes anything (then only operators may run it) */
  mutates: boolean | ((args: A) => boolean);
  /**
   * The arguments: the grammar's checked tokens (`grammar.tokens`), refined and transformed; its
   * messages are shown to the user.
   */
  args: z.ZodType<A>;
  run(ctx: CommandContext<A>): Promise<void>;
  /** button handlers by verb; action_id is `<name>.<verb>` */
  actions?: Record<string, (ctx: ActionContext) => Promise<void>>;
  /** modal submissions by verb; callback_id is `<name>.<verb>` */
  views?: Record<string, (ctx: ViewContext) => Promise<ViewResult>>;
  /**
   * Search-as-you-type for a form's field (Slack's external select): by `<verb>.<block id>` of the
   * form (`form.video` for the field `video` of `share.form`); answers at most 100 choices.
   */
  suggest?: Record<string, (ctx: SuggestContext) => Promise<Suggestion[]>>;
  /**
   * Background work when the app starts: webhook routes, schedule runners, trackers to resume.
   * Runs in the long-running app only, never in the one-shot CLI.
   */
  start?(services: Services, host: Host): void | Promise<void>;
}

/** A declaration with its argument type erased, so different commands fit in one registry. */
export type AnyCommand = CommandDeclaration<unknown>;

export function defineCommand<A>(decl: CommandDeclaration<A>): AnyCommand {
  return decl as unknown as AnyCommand;
}
