/** Clarify's documented limits (reference/clarify.md §2.4, §2.6). */
export const CLARIFY_LIMITS = {
  keyMax: 64,
  stringMax: 2000,
  arrayStringMax: 128,
  maxKeys: 50,
  maxJson: 4000,
  nameMax: 128,
  externalIdMax: 128,
  mediaUrlMax: 2083,
} as const;
