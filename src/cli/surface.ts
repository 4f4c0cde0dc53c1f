import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { ModalView } from '../core/blocks.js';
import type { FileUpload, PostedMessage, Reply, Surface } from '../core/types.js';
import { blocksToPlain, plainText } from './plain.js';
import { createCliProgress } from './progress.js';

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
  /** Reads one answer from the person at the terminal; absent when stdin is not a TTY. */
  ask?(question: string): Promise<string>;
}

export const stdio: CliOutput = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  ...(process.stdin.isTTY
    ? {
        async ask(question: string) {
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return await rl.question(question);
          } finally {
            rl.close();
          }
        },
      }
    : {}),
};

/** The problem a reply reports, if any; replies that only carry `data.error` count as failures. */
function problemOf(reply: Reply): Reply['problem'] {
  if (reply.problem) return reply.problem;
  return typeof reply.data === 'object' && reply.data !== null && 'error' in reply.data
    ? 'failed'
    : undefined;
}

const PREFIX = 'brightcove-ops';

/**
 * A reply as terminal text. Hints written for Slack ("run /brightcove digest add …") name the
 * command as it is typed here.
 */
function render(reply: Reply): string {
  const text = reply.text ? plainText(reply.text) : reply.blocks ? blocksToPlain(reply.blocks) : '';
  return text.replace(/(^|[\s`"'(])\/brightcove(?=\s|$)/gm, `$1${PREFIX}`);
}

/**
 * A message as the terminal shows it. Its first state is usually progress ("Building the report…"), so
 * in text mode it is printed when it is flushed (its final state) or, if never flushed, at the end;
 * with --json its data sits in one slot of the result, replaced by each newer state.
 */
class CliMessage implements PostedMessage {
  #latest: Reply;
  #printed: Reply | null = null;

  constructor(
    private readonly surface: CliSurface,
    first: Reply,
    /** with --json: where this message's data sits in the result */
    private readonly slot?: number,
  ) {
    this.#latest = first;
    // With --json the first state is already in its slot; a problem was already told on stderr.
    if (slot !== undefined || problemOf(first)) this.#printed = first;
  }

  update(reply: Reply): void {
    this.#latest = reply;
    // Progress goes to stderr so stdout stays clean for --json and pipes.
    if (!this.surface.json && process.stderr.isTTY)
      this.surface.output.err(`… ${render(reply).split('\n')[0]}`);
  }

  async flush(): Promise<void> {
    if (this.#latest !== this.#printed) {
      this.#printed = this.#latest;
      this.surface.emit(this.#latest, this.slot);
    }
  }

  /** A reply in the message's thread: a message of its own, printed after this one. */
  async reply(reply: Reply): Promise<PostedMessage> {
    await this.flush();
    return this.surface.post(reply);
  }

  async upload(file: FileUpload): Promise<void> {
    await this.surface.upload(file);
  }
}

/** The terminal front end: replies and messages are printed, files are written to the output folder. */
export class CliSurface implements Surface {
  readonly channelId = undefined;
  readonly buttons = false;
  readonly background = false;
  readonly prefix = PREFIX;
  readonly attachments = {
    maxBytes: Number.POSITIVE_INFINITY,
    maxCount: Number.POSITIVE_INFINITY,
    place: 'in the output folder',
  };
  readonly results: unknown[] = [];
  readonly files: string[] = [];
  /** The worst problem reported so far: the exit code (usage 2, refused or failed 1). */
  problem: Reply['problem'];

  constructor(
    readonly output: CliOutput,
    readonly json: boolean,
    private readonly outDir: string,
  ) {}

  /** A y/N prompt on stderr when a person is at the terminal (never with --json); else undefined. */
  async confirm(question: string): Promise<boolean | undefined> {
    if (!this.output.ask || this.json) return undefined;
    const answer = await this.output.ask(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  }

  /** A bar on stderr, only on a terminal and never with --json (returns undefined: update the message). */
  progressBar(title: string): ReturnType<typeof createCliProgress> | undefined {
    return process.stderr.isTTY && !this.json ? createCliProgress({ label: title }) : undefined;
  }

  get exitCode(): number {
    return this.problem === 'usage' ? 2 : this.problem ? 1 : 0;
  }

  /** Prints a reply; with --json, records its data (in `slot` when it is a message's newer state). */
  emit(reply: Reply, slot?: number): number | undefined {
    const problem = problemOf(reply);
    if (problem && this.problem !== 'usage') this.problem = problem;
    // Problems go to stderr, also with --json: stdout holds only the result document.
    if (problem) this.output.err(render(reply));
    if (!this.json) {
      if (!problem) this.output.out(render(reply));
      return undefined;
    }
    // With --json the one document carries the problem's data too, for scripts; a message's progress
    // is replaced by its final state, so no progress is left in the result.
    const data = reply.data ?? { text: plainText(reply.text) };
    if (slot !== undefined) {
      this.results[slot] = data;
      return slot;
    }
    return this.results.push(data) - 1;
  }

  async reply(reply: Reply): Promise<void> {
    this.emit(reply);
  }

  async post(reply: Reply): Promise<PostedMessage> {
    // Text mode prints a message when it settles (see CliMessage); --json gives it its slot now.
    const slot = this.json || problemOf(reply) ? this.emit(reply) : undefined;
    const message = new CliMessage(this, reply, slot);
    this.#messages.push(message);
    return message;
  }

  message(): PostedMessage {
    return new CliMessage(this, { text: '' });
  }

  async upload(file: FileUpload): Promise<void> {
    mkdirSync(this.outDir, { recursive: true });
    const path = resolve(join(this.outDir, file.filename));
    writeFileSync(path, file.content);
    this.files.push(path);
    if (!this.json) this.output.out(`Wrote ${path}`);
  }

  async openModal(_view: ModalView): Promise<void> {
    this.problem ??= 'usage';
    this.output.err('This command opens a form in Slack; in the terminal give its arguments (see --help).');
  }

  readonly #messages: CliMessage[] = [];

  /** Prints what is still unsaid (messages never flushed); with --json, the one JSON document. */
  async finish(): Promise<void> {
    for (const m of this.#messages) await m.flush();
    if (!this.json) return;
    const body = this.results.length === 1 ? this.results[0] : this.results;
    this.output.out(JSON.stringify(this.files.length ? { result: body, files: this.files } : body, null, 2));
  }
}
