// V8 settings for reading a log. Flags are process-wide: worker threads started after them
// compile and collect the same way, so they are set before the first worker starts.
import { setFlagsFromString } from "node:v8";

/**
 * Reading a log allocates fast and keeps little: V8's default heap growth lets the old space
 * reach four to five times the live data between full collections (peak RSS 410 MiB on the 1 GB
 * corpus). Bounded growth keeps RSS under 300 MB for 100 MB to 1 GB of log, and unlike a hard
 * --max-old-space-size it cannot run out of memory on a log whose live state is big. Each full
 * collection marks the whole live heap (50-70 MB late in a 1 GB run) on a helper thread, which
 * competes with the two busy threads for the machine's two cores: on the 1 GB corpus 50 % meant
 * 106 full collections and a peak RSS of 263 MiB, 70 % 76 of them and 274-285 MiB (287-299 MB),
 * 100 % 292-297 MiB (306-311 MB: over the 300 MB that issue 13 allows).
 */
const HEAP_GROWING_PERCENT = 70;

/**
 * Bytecode the optimising compiler may inline into one function, all callees together (V8's
 * default is 920). A run compiles the same few hundred functions whatever the size of the log,
 * several of them three or four times as new kinds of lines reach them (the correlator's
 * closeConnection, buildAttempt and lookupDone took 40-70 ms a compile with everything they call
 * inlined): on 100 MB the compiler threads took 16 % of all CPU (perf, per thread), time the two
 * busy threads wanted on a two-core machine. At 150 they took 11 %; `deliveries` 0.954x CPU and
 * 0.967x wall, `alert` 0.944x and 0.970x, `report` 0.951x and 0.976x (farm-bench, 6-8
 * alternated pairs, medians); 300 did as well as 150, 500 worse.
 */
const MAX_INLINED_BYTECODE_CUMULATIVE = 150;

let tuned = false;

/** Sets the flags once per process (worker threads started later have them too). */
export function tuneV8(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${MAX_INLINED_BYTECODE_CUMULATIVE}`);
}

let tunedForWorkers = false;

/**
 * With a worker thread, both cores are busy (this thread correlating, the worker parsing, V8's
 * helper threads compiling and collecting), and a scavenge split into parallel tasks waits for
 * helper threads that have no core to run on: each isolate scavenges on its own thread instead.
 * Without a worker the second core is free, and parallel scavenging keeps its use.
 */
export function tuneV8ForWorkers(): void {
  tuneV8();
  if (tunedForWorkers) return;
  tunedForWorkers = true;
  setFlagsFromString("--no-parallel-scavenge");
}
