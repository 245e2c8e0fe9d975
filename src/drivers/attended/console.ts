/**
 * The attended console: a local web page (loopback only) that shows the person at the LGC's
 * keyboard the one task Vigie waits for — an instruction with the data to type, or a question about
 * what the LGC's screen shows — and posts what the person did and answered. Keyboard-usable: the
 * first field has the focus, Enter submits, every control is a real button or input.
 *
 * The page is static HTML + a little script (./console-page.ts); the JSON routes are:
 * GET /api/task?after=<id> (long poll, ≤ 20 s), POST /api/start, /api/answer, /api/pause;
 * GET /sheet (the printable patient sheet), /files/<name> (certificates to install).
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { within } from '../../harness/wait';
import { AttendedSession, Task } from './session';
import { consolePage } from './console-page';
import { sheetPage, SheetScenario } from './sheet';

const BODY_LIMIT = 12 * 1024 * 1024;
const LONG_POLL_MS = 20_000;
const IMAGE_TYPES: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

export interface ConsoleFile {
  name: string;
  contentType: string;
  body: string | Buffer;
}

export class AttendedConsole {
  private server: Server | null = null;
  private files = new Map<string, ConsoleFile>();
  sheet: SheetScenario[] = [];
  /** What the console shows above the task: the target and how far the session is. */
  progress = { target: '', scenario: '', done: 0, total: 0 };

  constructor(
    readonly session: AttendedSession,
    private readonly opts: { host?: string; port: number },
  ) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    return `http://${this.opts.host ?? '127.0.0.1'}:${address?.port ?? this.opts.port}/`;
  }

  /** A file the person downloads from the console (a certificate to install in the LGC). */
  offer(file: ConsoleFile): string {
    this.files.set(file.name, file);
    return `${this.url}files/${encodeURIComponent(file.name)}`;
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      this.route(req, res).catch((e: Error) => send(res, 500, { error: e.message }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          new Error(
            e.code === 'EADDRINUSE'
              ? `the attended console's port ${this.opts.port} is taken (another session?): set attended.port in the target file`
              : `the attended console cannot listen: ${e.message}`,
          ),
        ),
      );
      server.listen(this.opts.port, this.opts.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) return html(res, consolePage());
    if (req.method === 'GET' && path === '/sheet') return html(res, sheetPage(this.sheet, this.progress.target));
    if (req.method === 'GET' && path.startsWith('/files/')) {
      const file = this.files.get(decodeURIComponent(path.slice('/files/'.length)));
      if (!file) return send(res, 404, { error: 'no such file' });
      res.writeHead(200, { 'content-type': file.contentType, 'content-disposition': `attachment; filename="${file.name}"` });
      res.end(file.body);
      return;
    }
    if (req.method === 'GET' && path === '/api/task') return this.nextTask(url, res);
    if (req.method !== 'POST') return send(res, 404, { error: `no route ${req.method} ${path}` });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>;
    } catch (e) {
      return send(res, 400, { error: `the body is not JSON: ${(e as Error).message}` });
    }
    const id = Number(body.id);
    if (path === '/api/start') return send(res, this.session.start(id) ? 200 : 409, { ok: true });
    if (path === '/api/pause') {
      this.session.pause();
      return send(res, 200, { paused: this.session.journal.paused });
    }
    if (path === '/api/answer') {
      const task = this.session.pendingTask();
      if (!task || task.id !== id) return send(res, 409, { error: `task ${id} is not the one waiting` });
      const outcome = body.outcome === 'refused' || body.outcome === 'skipped' ? body.outcome : 'done';
      const answers = sanitize(body.answers, new Set((task.fields ?? []).filter((f) => f.kind === 'file').map((f) => f.name)));
      const missing = (task.fields ?? []).filter((f) => !f.optional && outcome === 'done' && !answers[f.name]?.trim());
      if (missing.length) return send(res, 422, { error: `please answer: ${missing.map((f) => f.label).join(' / ')}` });
      if (outcome !== 'done' && !String(body.message ?? '').trim())
        return send(res, 422, { error: outcome === 'skipped' ? 'say why the scenario is skipped' : 'type what the LGC showed' });
      const attachments = this.saveShots(task, body.screenshots);
      this.session.answer(id, { outcome, answers, message: String(body.message ?? '').trim() || undefined, attachments });
      return send(res, 200, {
        ok: true,
        expected: (task.fields ?? [])
          .filter((f) => f.expected)
          .map((f) => ({ label: f.label, expected: f.expected, answer: answers[f.name] ?? '' })),
      });
    }
    return send(res, 404, { error: `no route POST ${path}` });
  }

  /** The waiting task, at once if it is newer than `after`, else when one comes (≤ 20 s). */
  private async nextTask(url: URL, res: ServerResponse): Promise<void> {
    const after = Number(url.searchParams.get('after') ?? '0');
    const view = () => {
      const task = this.session.pendingTask();
      return {
        task: task ? publicTask(task) : null,
        progress: this.progress,
        paused: this.session.journal.paused ?? null,
        done: this.session.journal.tasks.filter((t) => t.outcome).length,
      };
    };
    const now = this.session.pendingTask();
    if ((now && now.id > after) || !url.searchParams.has('after')) return send(res, 200, view());
    let off = () => {};
    const changed = new Promise<void>((resolve) => {
      const stop = this.session.onChange(resolve);
      off = () => void stop();
      res.on('close', resolve);
    });
    await within(changed, LONG_POLL_MS);
    off();
    if (!res.writableEnded) send(res, 200, view());
  }

  private saveShots(task: Task, shots: unknown): string[] {
    if (!Array.isArray(shots)) return [];
    const saved: string[] = [];
    for (const [i, shot] of shots.slice(0, 5).entries()) {
      const match = /^data:(image\/[a-z]+);base64,([A-Za-z0-9+/=]+)$/.exec(String(shot));
      const ext = match ? IMAGE_TYPES[match[1]] : undefined;
      if (!match || !ext) continue;
      const rel = join('screens', `task-${task.id}-${i + 1}.${ext}`);
      const file = join(dirname(this.session.journalFile), rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, Buffer.from(match[2], 'base64'));
      saved.push(rel);
    }
    return saved;
  }
}

/** What the page may see of a task: never the expected answers (shown only after answering). */
function publicTask(task: Task) {
  return { ...task, fields: task.fields?.map(({ expected: _hidden, ...f }) => ({ ...f, checked: _hidden !== undefined })) };
}

/** The answers as strings: a typed answer up to 5 000 characters, a file's text (a CDA) up to 10 MB. */
function sanitize(value: unknown, fileFields: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      if (typeof v === 'string' || typeof v === 'number') out[k] = String(v).slice(0, fileFields.has(k) ? 10 * 1024 * 1024 : 5000);
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new Error(`request body over ${BODY_LIMIT} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function html(res: ServerResponse, page: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(page);
}
