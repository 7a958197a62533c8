// `esa-dane alert`: Bogus spikes over log time, in the monitoring-plugin convention. Every way it
// can fail ends as UNKNOWN (exit 3) with a coded problem, never as an exception.
import { BogusDetector } from "../alert/detector.js";
import { errorCodeOf, messageOf, type AlertError } from "../alert/errors.js";
import { detectorOptions, parseDuration } from "../alert/options.js";
import { alertJson, EXIT_CODE, eventLine, pluginOutput, pluginState, problemJson, timelineText } from "../alert/output.js";
import { loadState, lockState, saveState, STATE_VERSION, type StateFile, type StateLock } from "../alert/state.js";
import type { CorrelatorOptions } from "../correlate/correlator.js";
import type { FileStats } from "../input/accounting.js";
import type { ChunkPool } from "../input/chunk-pool.js";
import { Clock } from "../input/clock.js";
import type { FileCursor, IncrementalIssue } from "../input/incremental.js";
import { resolveInputs } from "../input/sources.js";
import { escapeTerminal } from "../output/escape.js";
import { Analysis, analyse, type AnalysisOptions } from "../pipeline.js";
import { destinationControlsOptions } from "./analysis-options.js";
import type { AlertArgs } from "./args.js";
import { AttemptFilter } from "./filter-options.js";
import { CliProblem } from "./problems.js";
import { readOptions, writeOut } from "./input-options.js";

type Print = (text: string) => void | Promise<void>;

function printProblems(args: AlertArgs, problems: readonly AlertError[], print: Print): Promise<void> | void {
  if (args.format === "json") return print(problems.map((p) => `${problemJson(p)}\n`).join(""));
  const [first, ...rest] = problems;
  const headline = first === undefined ? "" : `${first.input !== undefined ? `${first.input}: ` : ""}${first.message}`;
  return print(`DANE BOGUS UNKNOWN - ${escapeTerminal(headline)}\n${rest.map((p) => `error ${p.code}: ${escapeTerminal(p.message)}\n`).join("")}`);
}

/** The correlator's options; a bad destination controls file is a problem, not an exit. */
async function correlatorOptions(args: AlertArgs): Promise<{ options: CorrelatorOptions } | { error: AlertError }> {
  const result = await destinationControlsOptions(args);
  return "error" in result ? { error: { ...result.error, code: "E_DEST_CONTROLS" } } : result;
}

/** A dead feed: nothing to watch is not "no Bogus". */
function noLines(): AlertError {
  return { code: "E_NO_LINES", message: "no log line read: is the log feed dead?" };
}

function issuesAsProblems(issues: readonly IncrementalIssue[]): AlertError[] {
  return issues.map((i) => ({ code: "E_INPUT", input: i.input, message: i.message }));
}

async function printStats(args: AlertArgs, files: readonly FileStats[]): Promise<void> {
  if (args.stats === "json") {
    const { accountingJson } = await import("../output/accounting-text.js");
    const { jsonLine } = await import("../output/json.js");
    process.stderr.write(`${jsonLine(accountingJson(files))}\n`);
  } else if (args.stats === "table") {
    const { accountingTable } = await import("../output/accounting-text.js");
    process.stderr.write(accountingTable(files));
  }
}

/** `pool`: the workers withWorkersStarted started for this read, if any (never with --state or --follow). */
export async function runAlert(args: AlertArgs, pool: ChunkPool | null = null): Promise<number> {
  const print: Print = (text) => writeOut(text);
  let lock: StateLock | null = null;
  try {
    if (args.state !== undefined) {
      const taken = await lockState(args.state);
      if ("error" in taken) {
        await printProblems(args, [taken.error], print);
        return EXIT_CODE.UNKNOWN;
      }
      lock = taken;
    }
    return await alert(args, print, pool);
  } catch (error) {
    await printProblems(args, [{ code: "E_INTERNAL", message: `${messageOf(error)}${errorCodeOf(error) !== undefined ? ` (${errorCodeOf(error)})` : ""}` }], print);
    return EXIT_CODE.UNKNOWN;
  } finally {
    await lock?.release();
  }
}

async function alert(args: AlertArgs, print: Print, pool: ChunkPool | null): Promise<number> {
  const unknown = async (problem: AlertError) => {
    await printProblems(args, [problem], print);
    return EXIT_CODE.UNKNOWN;
  };
  const parsed = detectorOptions(args);
  if ("error" in parsed) return unknown(parsed.error);
  const options = parsed.options;
  const staleMs = parseDuration(args.stale);
  if (staleMs === null) return unknown({ code: "E_USAGE", message: `--stale: expected a duration such as 30m or 1h, got '${args.stale}'` });
  if (args.tz !== undefined && !Clock.isValidZone(args.tz)) return unknown({ code: "E_USAGE", message: `--tz: unknown time zone '${args.tz}' (use an IANA name such as Europe/Zurich or UTC)` });
  if (!(args["poll-ms"] >= 10)) return unknown({ code: "E_USAGE", message: "--poll-ms takes a number of milliseconds, 10 or more" });
  const correlator = await correlatorOptions(args);
  if ("error" in correlator) return unknown(correlator.error);
  const analysisOptions: AnalysisOptions = { ...correlator.options, ...readOptions(args, pool) };

  let saved: StateFile | null = null;
  if (args.state !== undefined) {
    const loaded = await loadState(args.state);
    if ("error" in loaded) return unknown(loaded.error);
    saved = loaded.state;
  }
  // A detector state built with other options (another bucket size...) does not continue:
  // detection starts afresh, but the lines already read are still not read again.
  const sameOptions = saved !== null && JSON.stringify(saved.options) === JSON.stringify(options);
  if (saved !== null && !sameOptions) process.stderr.write("esa-dane: note: the detector options changed since the state was saved; detection starts afresh from here\n");
  const detector = new BogusDetector(options, sameOptions ? saved!.detector : undefined, (event) => {
    // Following, each event is printed as it happens.
    if (args.follow) void print(`${args.format === "json" ? alertJson(event) : eventLine(event)}\n`);
  });

  // --domain, --since and --until choose the lookups the detector sees, as in `report`.
  let filter: AttemptFilter;
  try {
    filter = new AttemptFilter(args, () => {}, (lookup) => detector.add(lookup));
  } catch (error) {
    if (error instanceof CliProblem) return unknown({ code: "E_USAGE", message: error.problem.message });
    throw error;
  }
  if (filter.relative && (args.follow || args.state !== undefined)) {
    return unknown({ code: "E_USAGE", message: "--state and --follow read a log that goes on: give --since/--until as absolute times (2024-03-11T08:00Z), not relative to its end" });
  }

  const problems: AlertError[] = [];
  let files: FileStats[] = [];
  let cursors: FileCursor[] | null = null;
  if (args.follow || args.state !== undefined) {
    const { sources, errors } = await resolveInputs(args.inputs);
    if (sources.some((s) => s.kind === "stdin")) return unknown({ code: "E_USAGE", message: "--state and --follow need files to read, not standard input" });
    problems.push(...errors.map((e): AlertError => ({ code: "E_INPUT", input: e.input, message: e.message })));
    // Following a name that is not there would wait forever without a word: a typo, most likely.
    if (args.follow && problems.length > 0) {
      await printProblems(args, problems, print);
      return EXIT_CODE.UNKNOWN;
    }
    const paths = sources.flatMap((s) => (s.kind === "file" ? [s.path] : []));
    const analysis = new Analysis(analysisOptions, { lookup: filter.addLookup });
    if (args.follow) {
      const { follow } = await import("../input/follow.js");
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        const result = await follow(paths, analysisOptions, analysis.records, { signal: controller.signal, pollMs: args["poll-ms"], saved: saved?.cursors ?? [] });
        files = result.files;
        cursors = result.cursors;
        problems.push(...issuesAsProblems(result.errors));
        for (const warning of result.warnings) process.stderr.write(`esa-dane: warning: ${escapeTerminal(warning.input)}: ${escapeTerminal(warning.message)}\n`);
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    } else {
      const { readIncrementally } = await import("../input/incremental.js");
      const result = await readIncrementally(paths, saved?.cursors ?? [], analysisOptions, analysis.records);
      files = result.files;
      cursors = result.cursors;
      problems.push(...issuesAsProblems(result.errors));
      for (const warning of result.warnings) process.stderr.write(`esa-dane: warning: ${escapeTerminal(warning.input)}: ${escapeTerminal(warning.message)}\n`);
    }
    analysis.finish();
    filter.finish();
    // The data goes on in the next run: the open bucket is judged only for what it already proves.
    detector.judgeOpenBucket();
    if (args.state !== undefined) {
      const now = Date.now();
      const newLines = files.reduce((n, f) => n + f.read, 0);
      const newestLineReadAtMs = newLines > 0 ? now : (saved?.newestLineReadAtMs ?? null);
      if (newestLineReadAtMs === null) problems.push(noLines());
      else if (now - newestLineReadAtMs > staleMs) {
        problems.push({ code: "E_STALE", message: `no new log line for ${Math.round((now - newestLineReadAtMs) / 60_000)} min (last read at ${new Date(newestLineReadAtMs).toISOString()}, --stale ${args.stale}): is the log feed dead?` });
      }
      const state: StateFile = { version: STATE_VERSION, writer: "esa-dane alert", cursors: cursors ?? [], options, detector: detector.snapshot(), newestLineReadAtMs };
      const failed = await saveState(args.state, state);
      if (failed !== null) problems.push(failed);
    }
  } else {
    const { read } = await analyse(args.inputs, analysisOptions, { lookup: filter.addLookup });
    filter.finish();
    detector.flush();
    files = read.files;
    problems.push(...read.errors.map((e): AlertError => ({ code: "E_INPUT", input: e.input, message: e.message })));
    if (problems.length === 0 && files.reduce((n, f) => n + f.read, 0) === 0) problems.push(noLines());
  }

  const state = pluginState(detector, problems);
  const linesRead = files.reduce((n, f) => n + f.read, 0);
  if (args.format === "json") {
    // Following, the events were printed as they came.
    const events = args.follow ? [] : detector.events.map(alertJson);
    await print([...events, ...problems.map(problemJson)].map((line) => `${line}\n`).join(""));
  } else {
    await print(pluginOutput(detector, { state, problems, linesRead, withEvents: !args.follow }));
  }
  if (args.verbose) await print(timelineText(detector.timeline));
  await printStats(args, files);
  return EXIT_CODE[state];
}
