/**
 * Delivery of export files to local or mounted folders. Paths are templates (`exports/{business_unit}/{YYYY_MM}`)
 * so the old pipeline's per-business-unit monthly folders can be configured rather than coded. Every file is
 * written to a temporary sibling and renamed, so a reader (a BI tool polling the share) never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { TableWriter } from './warehouse.js';

export const PLACEHOLDERS = ['YYYY_MM', 'YYYY', 'account', 'business_unit', 'group', 'folder'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Partial<Record<Placeholder, string>>;

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const TOKEN = /\{([^{}]*)\}/g;
const isPlaceholder = (s: string): s is Placeholder => (PLACEHOLDERS as readonly string[]).includes(s);
const allowedList = () => PLACEHOLDERS.map((p) => `{${p}}`).join(', ');

/** The placeholders a template uses; throws on any unknown one (checked when config is loaded, not at 3 am). */
export function templatePlaceholders(template: string): Placeholder[] {
  const used: Placeholder[] = [];
  const unknown: string[] = [];
  for (const m of template.matchAll(TOKEN)) {
    const name = m[1] ?? '';
    if (isPlaceholder(name)) used.push(name);
    else unknown.push(`{${name}}`);
  }
  if (unknown.length > 0) {
    throw new TemplateError(
      `unknown placeholder ${unknown.join(', ')} in path template "${template}"; allowed: ${allowedList()}`,
    );
  }
  const stray = template.replace(TOKEN, '');
  if (stray.includes('{') || stray.includes('}')) {
    throw new TemplateError(`unbalanced brace in path template "${template}"`);
  }
  return used;
}

/**
 * Fill a template. A value can't contain a path separator or be `.`/`..`, because an account alias or a
 * business unit taken from a custom field must never move a file outside the configured folder.
 */
export function renderPathTemplate(template: string, values: TemplateValues): string {
  templatePlaceholders(template);
  return template.replace(TOKEN, (_, name: Placeholder) => {
    const v = values[name];
    if (v === undefined || v === '') {
      throw new TemplateError(`placeholder {${name}} in "${template}" has no value for this file`);
    }
    if (/[/\\\0]/.test(v) || v === '.' || v === '..') {
      throw new TemplateError(`value "${v}" for {${name}} is not a valid folder or file name`);
    }
    return v;
  });
}

/** `{YYYY}` and `{YYYY_MM}` for a month given as `YYYY-MM`. */
export function monthValues(month: string): TemplateValues {
  return { YYYY: month.slice(0, 4), YYYY_MM: month.replace('-', '_') };
}

export type FileContent = string | Uint8Array | AsyncIterable<string | Uint8Array>;

/**
 * Write a file atomically: temporary file in the same folder (so rename stays on one filesystem), fsync,
 * rename. On failure the temporary file is removed and the previous file, if any, is left untouched.
 */
export async function writeFileAtomic(path: string, content: FileContent): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    if (typeof content === 'string' || content instanceof Uint8Array) {
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(content);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } else {
      await pipeline(content, createWriteStream(tmp));
      const handle = await open(tmp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** A folder destination: `path` is a folder template, relative paths resolve against `root`. */
export interface FolderDestination {
  kind: 'folder';
  path: string;
}
/** A database: rows go to its tables instead of files (exports.destinations.<name> of `type: postgres`). */
interface TablesDestination {
  kind: 'tables';
  writer: TableWriter;
}
export type Destination = FolderDestination | TablesDestination;

/** Deliver one file; returns the final path. */
export async function deliver(
  dest: FolderDestination,
  fileName: string,
  content: FileContent,
  values: TemplateValues,
  root = process.cwd(),
): Promise<string> {
  const folder = renderPathTemplate(dest.path, values);
  const name = renderPathTemplate(fileName, values);
  const path = resolve(root, folder, name);
  await writeFileAtomic(path, content);
  return path;
}
