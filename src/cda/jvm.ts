import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from './rulepack';

/**
 * The warm JVM that judges CDA documents (java/VigieCda.java, Saxon-HE). Compiled with javac into
 * build/java/<source sha>/ on first use; one process reused for every document; a request that takes
 * longer than its limit kills the process (the next request starts a new one), and a process that
 * dies is restarted on the next request.
 */
export class JvmUnavailableError extends Error {}
export class JvmTimeoutError extends Error {}

export interface JudgeRequest {
  doc: string;
  xsl?: string | null;
  xsd?: string | null;
}
export interface JudgeFailure {
  k: 'assert' | 'report';
  p: string;
  id: string | null;
  role: string | null;
  loc: string;
  line: number;
  text: string;
}
export interface JudgeAnswer {
  id: string;
  parseError: { line: number; message: string } | null;
  xsdValid: boolean | null;
  xsdErrors: { line: number; message: string }[];
  failures: JudgeFailure[];
  error: string | null;
  ms?: { parse: number; xsd: number; sch: number };
}

import PLACES from '../../config/places.json'; // the preflight's list too

const JAVA_SOURCE = join(PROJECT_ROOT, 'java', 'VigieCda.java');

export function findSaxonJar(): string {
  const env = process.env.VIGIE_SAXON_JAR;
  if (env) {
    if (existsSync(env)) return env;
    throw new JvmUnavailableError(`VIGIE_SAXON_JAR=${env} does not exist`);
  }
  for (const c of PLACES.saxonJars) if (existsSync(c)) return c;
  if (existsSync(PLACES.saxonJarDir)) {
    const jar = readdirSync(PLACES.saxonJarDir).find((n) => new RegExp(PLACES.saxonJarPattern, 'i').test(n));
    if (jar) return join(PLACES.saxonJarDir, jar);
  }
  throw new JvmUnavailableError('Saxon-HE jar not found (Debian: apt-get install libsaxonhe-java, or set VIGIE_SAXON_JAR)');
}

/** java or javac, from JAVA_HOME when it is set. */
export function javaBin(name: 'java' | 'javac'): string {
  const home = process.env.JAVA_HOME;
  if (home && existsSync(join(home, 'bin', name))) return join(home, 'bin', name);
  return name;
}

/** Compiles java/VigieCda.java once per source version; returns the class directory. */
export function ensureJavaCompiled(saxonJar: string): string {
  const src = readFileSync(JAVA_SOURCE);
  const sha = createHash('sha256').update(src).update(saxonJar).digest('hex').slice(0, 16);
  const dir = join(PROJECT_ROOT, 'build', 'java', sha);
  if (existsSync(join(dir, 'VigieCda.class'))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  const javac = spawnSync(javaBin('javac'), ['-nowarn', '-encoding', 'UTF-8', '-cp', saxonJar, '-d', tmp, JAVA_SOURCE], {
    encoding: 'utf8',
  });
  if (javac.error) {
    rmSync(tmp, { recursive: true, force: true });
    throw new JvmUnavailableError(`javac not runnable (${javac.error.message}); Java 11+ JDK needed`);
  }
  if (javac.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new JvmUnavailableError(`javac failed: ${javac.stderr.slice(0, 2000)}`);
  }
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process won the race
  }
  return dir;
}

interface Pending {
  resolve: (a: JudgeAnswer) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | null;
}

export class CdaJvm {
  private proc: ChildProcessWithoutNullStreams | null = null;
  private ready: Promise<void> | null = null;
  private pending = new Map<string, Pending>();
  private nextId = 1;
  private stderrTail = '';
  private classDir: string | null = null;
  private saxonJar: string | null = null;
  restarts = 0;

  /** The JVM's process id while it runs (for measurements). */
  get pid(): number | undefined {
    return this.proc?.pid ?? undefined;
  }

  constructor(private readonly opts: { timeoutMs?: number; startTimeoutMs?: number; maxHeap?: string } = {}) {}

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    this.saxonJar ??= findSaxonJar();
    this.classDir ??= ensureJavaCompiled(this.saxonJar);
    const args = [
      `-Xmx${this.opts.maxHeap ?? '2g'}`,
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-Djdk.xml.maxElementDepth=2500',
      '-cp',
      `${this.classDir}:${this.saxonJar}`,
      'VigieCda',
    ];
    let proc: ChildProcessWithoutNullStreams;
    try {
      proc = spawn(javaBin('java'), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      throw new JvmUnavailableError(`java not runnable: ${(e as Error).message}`);
    }
    this.proc = proc;
    this.stderrTail = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-8000);
    });
    const rl = createInterface({ input: proc.stdout });
    this.ready = new Promise<void>((resolve, reject) => {
      // eslint-disable-next-line no-restricted-syntax -- start guard: cleared on ready, on error and on exit
      const startTimer = setTimeout(() => {
        reject(new JvmUnavailableError(`JVM did not start within ${this.opts.startTimeoutMs ?? 30000} ms: ${this.stderrTail.slice(-500)}`));
        this.kill();
      }, this.opts.startTimeoutMs ?? 30000);
      rl.on('line', (line) => {
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return;
        }
        if (msg.ready) {
          clearTimeout(startTimer);
          resolve();
          return;
        }
        const pending = this.pending.get(String(msg.id));
        if (pending) {
          this.pending.delete(String(msg.id));
          if (pending.timer) clearTimeout(pending.timer);
          pending.resolve(msg as unknown as JudgeAnswer);
        }
      });
      proc.on('error', (e) => {
        clearTimeout(startTimer);
        reject(new JvmUnavailableError(`java not runnable: ${e.message}`));
      });
      proc.on('exit', (code, signal) => {
        clearTimeout(startTimer);
        if (this.proc === proc) {
          this.proc = null;
          this.ready = null;
        }
        reject(new JvmUnavailableError(`JVM exited (${signal ?? code}) before it was ready: ${this.stderrTail.slice(-500)}`));
        for (const [id, p] of this.pending) {
          if (p.timer) clearTimeout(p.timer);
          p.reject(new Error(`JVM exited (${signal ?? code}) while judging: ${this.stderrTail.slice(-300)}`));
          this.pending.delete(id);
        }
      });
    });
    this.ready.catch(() => {
      /* surfaced to the caller of request() */
    });
    return this.ready;
  }

  private async send(payload: Record<string, unknown>, timeoutMs: number | null): Promise<JudgeAnswer> {
    await this.start();
    const proc = this.proc;
    if (!proc) throw new JvmUnavailableError('JVM not running');
    const id = String(this.nextId++);
    return new Promise<JudgeAnswer>((resolve, reject) => {
      const timer =
        timeoutMs === null
          ? null
          : // eslint-disable-next-line no-restricted-syntax -- answer guard: cleared when the answer (or the JVM's exit) comes
            setTimeout(() => {
              this.pending.delete(id);
              reject(new JvmTimeoutError(`no answer within ${timeoutMs / 1000} s`));
              this.restarts++;
              this.kill();
            }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      proc.stdin.write(JSON.stringify({ ...payload, id }) + '\n');
    });
  }

  /** Queues stylesheet compilations on the JVM's background thread (answers at once). */
  async warm(xsl: string[]): Promise<void> {
    for (const x of xsl) await this.send({ op: 'warm', xsl: x }, 60000);
  }

  /** Waits until the stylesheet (and the XSD) are compiled; returns the compilation error, if any. */
  async prepare(xsl: string | null, xsd: string | null, timeoutMs = 180000): Promise<string | null> {
    const answer = await this.send({ op: 'prepare', xsl, xsd }, timeoutMs);
    return answer.error ?? null;
  }

  judge(req: JudgeRequest, timeoutMs?: number): Promise<JudgeAnswer> {
    return this.send({ doc: req.doc, xsl: req.xsl ?? null, xsd: req.xsd ?? null }, timeoutMs ?? this.opts.timeoutMs ?? 30000);
  }

  kill(): void {
    const proc = this.proc;
    this.proc = null;
    this.ready = null;
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
  }

  close(): void {
    const proc = this.proc;
    this.proc = null;
    this.ready = null;
    if (proc && proc.exitCode === null) {
      proc.stdin.end();
      // eslint-disable-next-line no-restricted-syntax -- kill guard: unref'd, cleared on exit
      const killTimer = setTimeout(() => proc.kill('SIGKILL'), 2000);
      killTimer.unref();
      proc.on('exit', () => clearTimeout(killTimer));
    }
  }
}
