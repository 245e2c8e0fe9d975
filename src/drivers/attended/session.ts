/**
 * An attended session: the tasks Vigie gives the person at the LGC's keyboard, one at a time, and
 * what the person did and answered, with the time of each start and end. The console
 * (./console.ts) shows the current task and posts the answers; the attended driver (./driver.ts)
 * asks and waits. Every change is written to the journal (reports/attended/session.json), so a
 * session stopped half-way keeps what was done, and `--resume` starts from it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CannotJudge } from '../../harness/verdict';
import { within } from '../../harness/wait';

/** What the person is asked to do (instruction), to tell from the screen (question), or to set up once (setup). */
export type TaskKind = 'setup' | 'instruction' | 'question';

export interface TaskField {
  name: string;
  /** The question, in French, as the person reads it. */
  label: string;
  kind: 'text' | 'number' | 'choice' | 'yesno' | 'file';
  choices?: { value: string; label: string }[];
  /** A text of several lines (a list, a message copied from the screen). */
  multiline?: boolean;
  /** A choice of several (check boxes): the answer is the values joined by commas. */
  multiple?: boolean;
  /** Shown to the person only after the answer is recorded (never before: it would lead the answer). */
  expected?: string;
  optional?: boolean;
}

export interface Task {
  id: number;
  kind: TaskKind;
  scenario: string;
  step: string;
  title: string;
  /** Plain French text (no HTML). */
  text: string;
  /** Data to type or check, as label → value rows. */
  data?: [string, string][];
  fields?: TaskField[];
  /** An instruction whose start the person marks ("Je le fais maintenant"): the action's clock starts there. */
  timed?: boolean;
  /** Machine-readable: the driver operation and its arguments (what a robot playing the person reads). */
  op: string;
  args?: unknown;
  createdAt: string;
  startedAt?: string;
  doneAt?: string;
  outcome?: 'done' | 'refused' | 'skipped' | 'timed-out';
  answers?: Record<string, string>;
  /** The text the LGC showed when it refused, or the reason of a skip. */
  message?: string;
  /** Files (screenshots) the person attached, relative to the journal's folder. */
  attachments?: string[];
}

export interface Answer {
  outcome: 'done' | 'refused' | 'skipped';
  answers: Record<string, string>;
  message?: string;
  attachments: string[];
  startedAt?: number;
  doneAt: number;
}

export interface Journal {
  version: 1;
  startedAt: string;
  /** The locations of the scenarios already judged, with their results (kept across a resume). */
  judged: Record<string, unknown>;
  tasks: Task[];
  paused?: string | null;
}

// Plain CannotJudge errors (not subclasses): the report classifies a scenario by the error's
// class name, and these are "not judged", never the LGC's fault.

/** No answer within the task's bound. */
export const taskTimeout = (reason: string) => new CannotJudge([], reason, 'an answer from the person at the keyboard');

/** The person stopped the session: the scenarios not done yet are not judged. */
export const sessionPaused = (reason: string) => new CannotJudge([], reason, 'the session to go on (resume it with --resume)');

interface Waiting {
  task: Task;
  resolve: (a: Answer) => void;
  reject: (e: Error) => void;
  startedAtMs?: number;
}

export class AttendedSession {
  readonly journal: Journal;
  private current: Waiting | null = null;
  private listeners = new Set<() => void>();
  private nextId: number;

  constructor(
    readonly journalFile: string,
    readonly taskMs: number,
    previous?: Journal,
  ) {
    this.journal = previous ?? { version: 1, startedAt: new Date().toISOString(), judged: {}, tasks: [] };
    this.journal.paused = null;
    this.nextId = this.journal.tasks.reduce((m, t) => Math.max(m, t.id), 0) + 1;
    this.save();
  }

  static load(file: string): Journal {
    const journal = JSON.parse(readFileSync(file, 'utf8')) as Journal;
    if (journal.version !== 1 || !Array.isArray(journal.tasks)) throw new Error(`${file} is not an attended session journal`);
    return journal;
  }

  /** The task waiting for the person, if any. */
  pendingTask(): Task | null {
    return this.current?.task ?? null;
  }

  /** Wakes the console's long polls when the current task changes. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Gives the person a task and waits for it, at most taskMs (then taskTimeout: not judged). */
  async ask(task: Omit<Task, 'id' | 'createdAt'>): Promise<Answer> {
    if (this.journal.paused) throw sessionPaused(`session paused at ${this.journal.paused}`);
    if (this.current) throw new Error(`a task is already waiting (#${this.current.task.id}): tasks are given one at a time`);
    const full: Task = { ...task, id: this.nextId++, createdAt: new Date().toISOString() };
    this.journal.tasks.push(full);
    this.save();
    const answered = new Promise<Answer>((resolve, reject) => {
      this.current = { task: full, resolve, reject };
    });
    this.changed();
    const waited = await within(answered, this.taskMs);
    if (waited.settled) return waited.value;
    full.outcome = 'timed-out';
    full.doneAt = new Date().toISOString();
    this.finish();
    throw taskTimeout(`no answer from the person within ${Math.round(this.taskMs / 60000)} min (task « ${full.title} »)`);
  }

  /** The person says "I'm doing it now": the action's clock starts. */
  start(id: number): boolean {
    if (!this.current || this.current.task.id !== id) return false;
    this.current.startedAtMs ??= performance.now();
    this.current.task.startedAt ??= new Date().toISOString();
    this.save();
    return true;
  }

  /** The person's answer to the current task. */
  answer(id: number, answer: Omit<Answer, 'doneAt' | 'startedAt'>): boolean {
    const waiting = this.current;
    if (!waiting || waiting.task.id !== id) return false;
    const task = waiting.task;
    task.outcome = answer.outcome;
    task.answers = answer.answers;
    if (answer.message) task.message = answer.message;
    if (answer.attachments.length) task.attachments = answer.attachments;
    task.startedAt ??= new Date().toISOString();
    task.doneAt = new Date().toISOString();
    this.finish();
    waiting.resolve({ ...answer, startedAt: waiting.startedAtMs, doneAt: performance.now() });
    return true;
  }

  /** Stop after this: the waiting task (if any) and every later one end as "paused". */
  pause(): void {
    this.journal.paused = new Date().toISOString();
    const waiting = this.current;
    if (waiting) {
      waiting.task.outcome = 'skipped';
      waiting.task.message = 'session paused';
      waiting.task.doneAt = this.journal.paused;
      this.finish();
      waiting.reject(sessionPaused(`session paused at ${this.journal.paused}`));
    } else this.save();
    this.changed();
  }

  /** A scenario judged: its result is kept in the journal, so a resumed session does not ask it again. */
  recordJudged(location: string, result: unknown): void {
    this.journal.judged[location] = result;
    this.save();
  }

  close(): void {
    if (this.current) {
      this.current.reject(sessionPaused('session closed'));
      this.current = null;
    }
    this.changed();
  }

  private finish(): void {
    this.current = null;
    this.save();
    this.changed();
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  private save(): void {
    mkdirSync(dirname(this.journalFile), { recursive: true });
    const tmp = `${this.journalFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.journal, null, 2));
    renameSync(tmp, this.journalFile);
  }
}
