import path from 'node:path';
import { types } from 'node:util';
import { Worker } from 'node:worker_threads';
import { XlsxRefusal, type XlsxLimits, type XlsxSheet } from './xlsx-reader';

type WorkerAnswer = { id: number } & ({ ok: true; sheet: XlsxSheet } | { ok: false; status: 413 | 415 | 422; message: string });

/** Reading a file longer than this is given up: no customer sheet takes it (20 000 rows read in ~1 s). */
const READ_TIMEOUT_MS = 20_000;

// The server runs its TypeScript through tsx; a worker thread starts without it, so the worker's
// first line registers tsx's require hook (`--import tsx` in execArgv does not reach a worker on Node 20).
const WORKER_FILE = path.join(__dirname, `xlsx-worker${path.extname(__filename)}`);
const WORKER_SOURCE = path.extname(__filename) === '.ts'
  ? `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(WORKER_FILE)});`
  : `require(${JSON.stringify(WORKER_FILE)});`;

interface Job {
  id: number;
  file: Buffer;
  limits: XlsxLimits;
  resolve(sheet: XlsxSheet): void;
  reject(error: Error): void;
}

/**
 * One worker thread that reads workbooks, one at a time, so a slow or hostile file costs that
 * thread, not the event loop that answers everyone else (and /healthz). It has its own memory cap
 * and a deadline; a worker that overruns either is ended and the next file gets a fresh one. It
 * starts with the first import (~1 s) and stays, unreferenced while idle so it never holds the
 * process open.
 */
class SheetReaderThread {
  private worker: Worker | null = null;
  private queue: Job[] = [];
  private current: { job: Job; timer: NodeJS.Timeout } | null = null;
  private nextId = 1;

  read(file: Buffer, limits: XlsxLimits): Promise<XlsxSheet> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, file, limits, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.current || this.queue.length === 0) {
      if (!this.current) this.worker?.unref();
      return;
    }
    const job = this.queue.shift()!;
    const worker = this.worker ?? this.start();
    worker.ref();
    const timer = setTimeout(() => this.fail(new XlsxRefusal(422, 'Excel 文件过于复杂，无法在限定时间内读取，请精简后再导入')), READ_TIMEOUT_MS);
    this.current = { job, timer };
    worker.postMessage({ id: job.id, file: job.file, limits: job.limits });
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64 },
      stdout: false,
      stderr: false,
    });
    worker.on('message', (answer: WorkerAnswer) => {
      if (!this.current || this.current.job.id !== answer.id) return;
      const { job, timer } = this.current;
      clearTimeout(timer);
      this.current = null;
      if (answer.ok) job.resolve(ownDates(answer.sheet));
      else job.reject(new XlsxRefusal(answer.status, answer.message));
      this.pump();
    });
    worker.on('error', (error: Error & { code?: string }) => {
      this.fail(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new XlsxRefusal(413, 'Excel 文件展开后占用内存过大，已拒绝，请精简后再导入') : error);
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.fail(new Error('the xlsx worker exited before answering'));
    });
    this.worker = worker;
    return worker;
  }

  /** Ends the worker (it may be stuck in the file) and refuses the file it was reading. */
  private fail(error: Error): void {
    const worker = this.worker;
    this.worker = null;
    if (worker) void worker.terminate();
    if (this.current) {
      clearTimeout(this.current.timer);
      this.current.job.reject(error);
      this.current = null;
    }
    this.pump();
  }
}

/**
 * Dates arrive built by the message channel, which under a vm context (jest) is not this realm's
 * Date, so `instanceof Date` would miss them; rebuilt here they are ordinary Dates everywhere.
 */
function ownDates(sheet: XlsxSheet): XlsxSheet {
  for (const row of sheet.rows) {
    row.values.forEach((value, index) => {
      if (types.isDate(value) && !(value instanceof Date)) row.values[index] = new Date((value as Date).getTime());
    });
  }
  return sheet;
}

const thread = new SheetReaderThread();

/** The first worksheet, read off the event loop (see SheetReaderThread). */
export function readFirstSheetOffThread(file: Buffer, limits: XlsxLimits): Promise<XlsxSheet> {
  return thread.read(file, limits);
}
