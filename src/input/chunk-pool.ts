// The worker threads that classify a log's lines (see parallel.ts), and when to start them.
// This module loads none of the grammar: a command starts its workers first and loads the rest
// of the program while they start (see startChunkPool).
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ChunkRequest, ChunkResult } from "./chunk-worker.js";
import type { ChunkClassifier } from "./parallel.js";
import { resolveInputs, type Source } from "./sources.js";
import { tuneV8ForWorkers } from "./v8-tuning.js";

/**
 * Chunks queued per worker; past that, this thread waits for the oldest. It used to classify a
 * chunk itself instead, to keep both cores busy, but the cores are busy anyway: V8's helper
 * threads (JIT compiles, GC marking and scavenging) took about 30 % of all CPU on 100 MB
 * (perf, per thread), and classifying here meant compiling the grammar in this isolate too and
 * more garbage beside the correlator's state. Without it, on the 100 MB corpus (farm-bench,
 * 6 alternated pairs, medians): `report` 0.94x wall and 0.92x CPU, `alert` 0.96x wall and 0.91x
 * CPU; this thread's scavenges copied 237 MB instead of 301 MB, its full collections marked 379
 * MB instead of 460 MB, and peak RSS fell 9 MiB.
 */
export const WORKER_BACKLOG = 4;
const WORKER_YOUNG_GENERATION_MB = 16;

function workerScript(): URL {
  // Under the test runner this module is TypeScript source; the worker runs from the build.
  const here = new URL("./chunk-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL(here.href.replace("/src/input/", "/dist/src/input/"));
}


export class ChunkPool implements ChunkClassifier {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }>();
  private next = 0;
  private seq = 0;
  /**
   * Number arrays that came back with results and were decoded: a worker fills one again
   * rather than allocating megabytes per chunk (about a fifth of a worker's time otherwise).
   */
  private readonly spare: Float64Array[] = [];

  constructor(size: number) {
    // Before the first worker: its isolate is set up with the flags of the moment.
    tuneV8ForWorkers();
    for (let i = 0; i < size; i++) {
      // A worker's data lives for one chunk, so a young generation smaller than the main
      // thread's keeps less resident. At 8 MB a worker collected every 2-3 MB it allocated: 573
      // times per 100 MB of log, copying 115 MB; at 16 MB, 311 times and 89 MB, for the same
      // peak RSS on the 1 GB corpus (297 MiB at 8 and 295 MiB at 16, one run each, both with
      // 100 % heap growth; see read.ts).
      const worker = new Worker(workerScript(), { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
      worker.on("message", (result: ChunkResult) => {
        const waiter = this.waiting.get(result.seq);
        this.waiting.delete(result.seq);
        waiter?.resolve(result);
      });
      worker.on("error", (error) => {
        for (const waiter of this.waiting.values()) waiter.reject(error);
        this.waiting.clear();
      });
      this.workers.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  classify(bytes: Uint8Array, firstLineTruncated: boolean, keepUnknownText: boolean): Promise<ChunkResult> {
    const seq = this.seq++;
    const worker = this.workers[this.next++ % this.workers.length]!;
    const numbers = this.spare.pop();
    const request: ChunkRequest = { seq, bytes, firstLineTruncated, keepUnknownText, numbers };
    const transfer = [bytes.buffer as ArrayBuffer];
    if (numbers !== undefined) transfer.push(numbers.buffer as ArrayBuffer);
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      worker.postMessage(request, transfer);
    });
  }

  recycle(numbers: Float64Array): void {
    if (this.spare.length < this.workers.length * (WORKER_BACKLOG + 1)) this.spare.push(numbers);
  }

  /** Stops the workers (again: nothing). */
  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}

/** Below this much log, starting a worker costs more than it saves. */
const WORKER_MIN_BYTES = 8_000_000;
/** A gzip file holds about this many times its size in log. */
const GZIP_RATIO = 8;

/**
 * One worker when it pays: two or more cores and a big input. The worker classifies lines (the
 * grammar's share) while this thread correlates; V8's helper threads (JIT, GC) take much of what
 * is left of the second core (see parallel.ts). Two workers on two cores were slower: `report`
 * on 100 MB 1.13x the wall time of one (farm-bench, 5 pairs). Not for
 * standard input: it has no size to judge by, and a worker takes lines a megabyte at a time,
 * which would hold back what `tail -f | esa-dane deliveries -` prints.
 */
export function defaultWorkers(sources: readonly Source[], cores: number): number {
  if (cores < 2) return 0;
  let bytes = 0;
  for (const source of sources) {
    if (source.kind === "stdin") return 0;
    bytes += source.path.endsWith(".gz") ? source.size * GZIP_RATIO : source.size;
  }
  return bytes >= WORKER_MIN_BYTES ? 1 : 0;
}

/**
 * Starts the workers that reading these inputs will use (none: null), before the caller loads
 * the rest of the program. A worker takes about 200 ms to start and build the grammar, and the
 * main thread about 100 ms to load the correlator and the outputs: side by side rather than
 * one after the other (on the 100 MB corpus the worker started at 210-221 ms instead of
 * 316-330 ms). readInputs closes it when the read ends; the caller closes it too, for
 * the runs that end before reading (close is idempotent).
 */
export async function startChunkPool(inputs: readonly string[], workers: number | undefined): Promise<ChunkPool | null> {
  const count = workers ?? defaultWorkers((await resolveInputs(inputs)).sources, availableParallelism());
  if (count < 1) return null;
  return new ChunkPool(count);
}
