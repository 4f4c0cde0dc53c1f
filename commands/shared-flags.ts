import { z } from 'zod';
import type { FlagDecl } from '../src/core/grammar.js';

/** Flags several commands share, declared once. */

/** share, shares and unshare: the account the video is shared from. */
export const MASTER_FLAG = {
  description: 'the master account (default: the first configured)',
  check: z.string({ message: '--from needs an account, e.g. --from neo' }).optional(),
} satisfies FlagDecl;
