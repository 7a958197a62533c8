// `esa-dane alert`: Bogus spikes over log time, in the monitoring-plugin convention.
import { readFile, rename, writeFile } from "node:fs/promises";
import { BogusDetector, DEFAULT_DETECTOR, type DetectorOptions, type DetectorState } from "../alert/detector.js";
import { alertJson, EXIT_CODE, eventLine, pluginOutput, timelineText, type PluginState } from "../alert/output.js";
import { follow, readIncrementally, type FileCursor } from "../input/incremental.js";
import { resolveInputs } from "../input/sources.js";
import { escapeTerminal } from "../output/escape.js";
import { Analysis, analyse } from "../pipeline.js";
import { correlatorOptions } from "./analysis-options.js";
import type { AlertArgs } from "./commands/alert.js";

interface StateFile {
  version: 1;
  cursors: FileCursor[];
  detector: DetectorState;
  options: DetectorOptions;
}

/** `30s`, `5m`, `1h` to milliseconds. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)\s*(s|m|h)$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "s" | "m" | "h"];
}

function unknown(message: string): number {
  process.stdout.write(`DANE BOGUS UNKNOWN - ${escapeTerminal(message)}\n`);
  return EXIT_CODE.UNKNOWN;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

export async function runAlert(args: AlertArgs): Promise<number> {
  const bucketMs = parseDuration(args.bucket);
  if (bucketMs === null || bucketMs <= 0) return unknown(`--bucket: expected a duration such as 30s, 5m or 1h, got '${args.bucket}'`);
  for (const name of ["min-count", "warning", "critical", "hold"] as const) {
    if (!Number.isInteger(args[name]) || args[name] < 1) return unknown(`--${name} takes a whole number, 1 or more`);
  }
  if (!(args.alpha > 0 && args.alpha <= 1)) return unknown("--alpha takes a number in (0, 1]");
  if (args.warning > args.critical) return unknown("--warning must not be above --critical");
  const options: DetectorOptions = { ...DEFAULT_DETECTOR, bucketMs, minCount: args["min-count"], warning: args.warning, critical: args.critical, factor: args.factor, alpha: args.alpha, hold: args.hold };
  const analysisOptions = { ...(await correlatorOptions(args)), host: args.host, zone: args.tz, year: args.year, workers: args.workers };
  const print = (text: string) => process.stdout.write(text);

  let saved: StateFile | null = null;
  if (args.state !== undefined) {
    try {
      saved = JSON.parse(await readFile(args.state, "utf8")) as StateFile;
      if (saved.version !== 1) return unknown(`${args.state}: not an esa-dane alert state file`);
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") return unknown(`${args.state}: ${(error as Error).message}`);
    }
  }
  // A state kept with other detector options would mix buckets of different sizes.
  const sameOptions = saved !== null && JSON.stringify(saved.options) === JSON.stringify(options);
  const detector = new BogusDetector(options, sameOptions ? saved!.detector : undefined, (event) => {
    if (args.follow) print(`${args.format === "json" ? alertJson(event) : eventLine(event)}\n`);
  });

  let unreadable: string[] = [];
  let linesRead = 0;
  if (args.follow || args.state !== undefined) {
    const { sources, errors } = await resolveInputs(args.inputs);
    if (sources.some((s) => s.kind === "stdin")) return unknown("--state and --follow need files, not standard input");
    const paths = sources.map((s) => (s.kind === "file" ? s.path : ""));
    unreadable = errors.map((e) => e.input);
    const analysis = new Analysis(analysisOptions, { lookup: (lookup) => detector.add(lookup) });
    if (args.follow) {
      const controller = new AbortController();
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => controller.abort());
      const files = await follow(paths, analysisOptions, analysis.records, controller.signal, args["poll-ms"]);
      linesRead = files.reduce((n, f) => n + f.read, 0);
      analysis.finish();
      detector.flush();
    } else {
      const result = await readIncrementally(paths, saved?.cursors ?? [], analysisOptions, analysis.records);
      unreadable.push(...result.errors.map((e) => e.input));
      linesRead = result.files.reduce((n, f) => n + f.read, 0);
      analysis.finish();
      // The open bucket stays open in the state (the next run goes on filling it), but this
      // run judges it as it stands, so a cron run reports what is happening now.
      const persisted = detector.snapshot();
      detector.flush();
      await writeAtomically(args.state!, JSON.stringify({ version: 1, cursors: result.cursors, detector: persisted, options } satisfies StateFile));
    }
  } else {
    const { read } = await analyse(args.inputs, analysisOptions, { lookup: (lookup) => detector.add(lookup) });
    detector.flush();
    unreadable = read.errors.map((e) => e.input);
    linesRead = read.files.reduce((n, f) => n + f.read, 0);
  }
  const state: PluginState = unreadable.length > 0 ? "UNKNOWN" : detector.worst;
  if (args.format === "json") {
    if (!args.follow) for (const event of detector.events) print(`${alertJson(event)}\n`);
  } else {
    // Following, the events were printed as they fired: the end adds only the status line.
    print(pluginOutput(detector, state, unreadable, linesRead, !args.follow));
  }
  if (args.verbose) print(timelineText(detector.timeline));
  return EXIT_CODE[state];
}
