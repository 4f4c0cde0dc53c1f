import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { AppConfig } from '../../config/schema.js';
import type { Logger } from '../../log.js';
import type { SyncTarget } from '../target.js';

/** What a target type gets to build itself: the app's settings and its one HTTP dispatcher. */
export interface TargetContext {
  config: AppConfig;
  dispatcher: Dispatcher;
  logger: Logger;
  clock: Clock;
}

/** A kind of target (`type:` under `sync.targets.<name>`): its config schema and how to build one. */
export interface TargetType<C extends { type: string }> {
  type: C['type'];
  schema: z.ZodType<C>;
  /** its targets answer `search` (a full-text index) */
  searchable?: boolean;
  create(name: string, config: C, ctx: TargetContext): Promise<SyncTarget>;
}
