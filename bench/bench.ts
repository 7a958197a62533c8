// `npm run bench`: wall time, throughput, CPU time and peak memory of esa-dane's commands next to
// grep and wc on the same file, in the same run, median of several runs; with --old, an older
// built checkout measured the same way in alternated runs (old, new, old, new, ...), so that what
// the machine does meanwhile hits both alike. Honest by construction: every tool reads the same
// bytes from the page cache (a warm-up run first), outputs go to a real file, both versions are
// measured by the same wrapper (bench/measure.js), and the ratios are computed, not claimed.
//
//   npm run bench -- [--size 100MB] [--seed 1] [--runs 3] [--file path] [--gzip] [--old DIR]
//                    [--workers 0,2] [--commands report,deliveries,alert,parse] [--json]
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";
import { parseOptions, runScript, UsageError, wholeNumber } from "./cli-args.js";

const here = dirname(fileURLToPath(import.meta.url));
const measure = join(here, "measure.js");
/** Where a checkout keeps its built CLI. */
const CLI_IN_CHECKOUT = join("dist", "src", "cli", "main.js");
const OUTPUT = join(tmpdir(), `esa-dane-bench-${process.pid}.out`);
/** The grep pattern of the floor row: every line of a mail log has it, file form or syslog. */
const EVERY_LINE = ": ";

const USAGE = `bench: wall time, MB/s, CPU time and peak RSS of esa-dane next to grep -c and wc -l on the same file.

usage: npm run bench -- [options]

options:
  --file PATH          the log to measure (default: a generated corpus, see --size)
  --size SIZE          size of the generated corpus: 500KB, 100MB, 1GB (default 100MB)
  --seed N             seed of the generated corpus (default 1)
  --gzip               generate and measure a gzipped corpus
  --runs N             runs of each command; wall and CPU are medians, peak RSS the largest (default 3)
  --old DIR            another built checkout of esa-dane (with ${CLI_IN_CHECKOUT}): measured in
                       runs alternated with this one, rows old/new and the speed-up old/new
  --workers LIST       extra report rows with --workers N, comma-separated (default 0; "" for none)
  --commands LIST      commands to measure, comma-separated: report, deliveries, alert, parse (default all)
  --startup-runs N     runs of the start-up line (esa-dane --help, node -e 0); 0 for none (default 5)
  --json               print the results as JSON instead of the table
  -h, --help           this text

Every command runs with --stats none and its output in a file. alert exits 1 or 2 for WARNING or
CRITICAL, which is not a failure here; 3 (UNKNOWN: it could not check) is.`;

interface Version {
  label: "old" | "new";
  dir: string;
  cli: string;
  /** `git describe`-like: the short commit, `+changes` when the work tree differs. */
  commit: string | null;
}

interface BenchCommand {
  /** The command line after `esa-dane`, before the file. */
  args: string[];
  /** Exit statuses that mean the command did its job. */
  ok: number[];
}

interface Sample {
  wallSeconds: number;
  cpuSeconds: number | null;
  rssMb: number | null;
  status: number;
}

interface Measured {
  wallSeconds: number;
  mbPerSecond: number;
  cpuSeconds: number | null;
  peakRssMb: number | null;
  /** Wall time over grep's. */
  vsGrep: number;
  exitStatus: number;
  outputMd5: string;
  /** The first line of the output, for the commands whose output is a verdict (alert). */
  firstLine: string;
  wallRuns: number[];
  cpuRuns: (number | null)[];
}

interface CommandResult {
  command: string;
  old: Measured | null;
  new: Measured;
  /** old/new: above 1 when the new version is faster. */
  speedup: { wall: number; cpu: number | null } | null;
}

interface FloorResult {
  command: string;
  wallSeconds: number;
  mbPerSecond: number;
  vsGrep: number;
  /** What the tool printed: the number of lines (wc) or of matching lines (grep). */
  count: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function md5(path: string): string {
  const hash = createHash("md5");
  const buffer = Buffer.alloc(1 << 20);
  const fd = openSync(path, "r");
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

function firstLine(path: string): string {
  const fd = openSync(path, "r");
  const buffer = Buffer.alloc(400);
  const n = readSync(fd, buffer);
  closeSync(fd);
  return buffer.subarray(0, n).toString("utf8").split("\n")[0]!;
}

/** One run with the output in OUTPUT; CPU and peak RSS when the command is bench/measure.js. */
function runOnce(name: string, command: string[], ok: number[]): Sample {
  const start = process.hrtime.bigint();
  // Output goes to a real file, as with `> out`: not /dev/null, where GNU grep stops at the first
  // match, and not a pipe into this process, whose growing buffer a child's peak RSS would
  // inherit (Linux keeps the parent's RSS at fork in the child's maxrss across exec).
  const out = openSync(OUTPUT, "w");
  const run = spawnSync(command[0]!, command.slice(1), { stdio: ["ignore", out, "pipe"], env: { ...process.env, TZ: "UTC" }, maxBuffer: 64 * 1024 * 1024 });
  closeSync(out);
  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const stderr = run.stderr?.toString() ?? "";
  if (run.status === null || !ok.includes(run.status)) {
    throw new Error(`${name} failed (${run.status ?? run.signal ?? run.error?.message}): ${stderr.slice(0, 500)}`);
  }
  const usage = /esa-dane-bench maxRSS=(\d+) userCPU=(\d+) systemCPU=(\d+)/.exec(stderr);
  return {
    wallSeconds,
    cpuSeconds: usage ? (Number(usage[2]) + Number(usage[3])) / 1e6 : null,
    rssMb: usage ? Number(usage[1]) / 1024 : null,
    status: run.status,
  };
}

function summarise(samples: Sample[], mb: number, grepSeconds: number): Omit<Measured, "outputMd5" | "firstLine"> {
  const wallSeconds = median(samples.map((s) => s.wallSeconds));
  const cpuTimes = samples.map((s) => s.cpuSeconds);
  const rss = samples.map((s) => s.rssMb).filter((r): r is number => r !== null);
  return {
    wallSeconds,
    mbPerSecond: mb / wallSeconds,
    cpuSeconds: cpuTimes.every((c): c is number => c !== null) ? median(cpuTimes) : null,
    peakRssMb: rss.length > 0 ? Math.max(...rss) : null,
    vsGrep: wallSeconds / grepSeconds,
    exitStatus: samples[samples.length - 1]!.status,
    wallRuns: samples.map((s) => s.wallSeconds),
    cpuRuns: cpuTimes,
  };
}

function gitCommit(dir: string): string | null {
  const head = spawnSync("git", ["-C", dir, "rev-parse", "--short", "HEAD"], { encoding: "utf8" });
  if (head.status !== 0) return null;
  const status = spawnSync("git", ["-C", dir, "status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" });
  return `${head.stdout.trim()}${status.stdout.trim() === "" ? "" : "+changes"}`;
}

function version(label: "old" | "new", dir: string): Version {
  const cli = join(dir, CLI_IN_CHECKOUT);
  if (!existsSync(cli)) throw new UsageError(`--${label}: no built CLI at ${cli} (run npm ci or npm run build in ${dir})`);
  return { label, dir, cli, commit: gitCommit(dir) };
}

function list(text: string | undefined, fallback: string): string[] {
  return (text ?? fallback).split(",").map((item) => item.trim()).filter((item) => item !== "");
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return `${line(head)}\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|\n${rows.map(line).join("\n")}\n`;
}

const seconds = (s: number) => `${s.toFixed(2)} s`;
const ratio = (r: number | null) => (r === null ? "-" : `${r.toFixed(2)}x`);

async function main(argv: string[]): Promise<void> {
  const { values } = parseOptions(argv, {
    file: { type: "string" },
    size: { type: "string" },
    seed: { type: "string" },
    gzip: { type: "boolean" },
    runs: { type: "string" },
    old: { type: "string" },
    workers: { type: "string" },
    commands: { type: "string" },
    "startup-runs": { type: "string" },
    json: { type: "boolean" },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const runs = wholeNumber("runs", values.runs, 3, 1);
  const startupRuns = wholeNumber("startup-runs", values["startup-runs"], 5, 0);
  const workerCounts = list(values.workers, "0").map((w) => wholeNumber("workers", w, 0, 0));
  const names = list(values.commands, "report,deliveries,alert,parse");
  for (const name of names) if (!["report", "deliveries", "alert", "parse"].includes(name)) throw new UsageError(`--commands: unknown command '${name}' (report, deliveries, alert, parse)`);
  const current = version("new", resolve(here, "..", ".."));
  const old = values.old === undefined ? null : version("old", resolve(values.old));

  let file = values.file;
  if (file === undefined) {
    const size = values.size ?? "100MB";
    const seed = String(wholeNumber("seed", values.seed, 1, 0));
    file = join("bench", "corpus", `mail_logs_d-${size}-seed${seed}.log${values.gzip ? ".gz" : ""}`);
    if (!existsSync(file)) {
      process.stderr.write(`generating ${file} ...\n`);
      const gen = spawnSync(process.execPath, [join(here, "gen-corpus.js"), "--size", size, "--seed", seed, "--out", file, ...(values.gzip ? ["--gzip"] : [])], { stdio: ["ignore", "ignore", "inherit"] });
      if (gen.status !== 0) throw new Error("corpus generation failed");
    }
  } else if (!existsSync(file)) {
    throw new UsageError(`--file: no such file ${file}`);
  }
  const mb = statSync(file).size / 1e6;
  const progress = (text: string) => process.stderr.write(`${text}\n`);

  // Warm the page cache so that the first tool measured is not penalised, and each CLI's code.
  spawnSync("cat", [file], { stdio: ["ignore", "ignore", "ignore"] });
  for (const v of old ? [old, current] : [current]) spawnSync(process.execPath, [v.cli, "--help"], { stdio: "ignore" });

  const gz = file.endsWith(".gz");
  const floorCommands: [string, string[]][] = gz
    ? [
        ["zcat | wc -l", ["sh", "-c", 'zcat "$1" | wc -l', "sh", file]],
        [`zcat | grep -c '${EVERY_LINE}'`, ["sh", "-c", `zcat "$1" | grep -c '${EVERY_LINE}'`, "sh", file]],
      ]
    : [
        ["wc -l", ["wc", "-l", file]],
        [`grep -c '${EVERY_LINE}'`, ["grep", "-c", EVERY_LINE, file]],
      ];
  const floorSamples = floorCommands.map(([name, command]) => {
    const samples = Array.from({ length: runs }, () => runOnce(name, command, [0, 1]));
    return { name, samples, count: Number(/\d+/.exec(readFileSync(OUTPUT, "utf8"))?.[0] ?? Number.NaN) };
  });
  const grepSeconds = median(floorSamples[1]!.samples.map((s) => s.wallSeconds));
  const floor: FloorResult[] = floorSamples.map(({ name, samples, count }) => {
    const wallSeconds = median(samples.map((s) => s.wallSeconds));
    return { command: name, wallSeconds, mbPerSecond: mb / wallSeconds, vsGrep: wallSeconds / grepSeconds, count };
  });

  const commands: BenchCommand[] = [];
  for (const name of names) {
    if (name === "report") {
      commands.push({ args: ["report", "--format", "json"], ok: [0] });
      for (const w of workerCounts) commands.push({ args: ["report", "--format", "json", "--workers", String(w)], ok: [0] });
    } else if (name === "alert") {
      // Monitoring-plugin exit statuses: WARNING and CRITICAL are verdicts, UNKNOWN is a failure.
      commands.push({ args: ["alert"], ok: [0, 1, 2] });
    } else {
      commands.push({ args: [name], ok: [0] });
    }
  }

  const results: CommandResult[] = [];
  for (const command of commands) {
    const name = command.args.join(" ");
    const versions = old ? [old, current] : [current];
    const samples = new Map<Version, Sample[]>(versions.map((v) => [v, []]));
    const outputs = new Map<Version, { md5: string; firstLine: string }>();
    for (let run = 0; run < runs; run++) {
      for (const v of versions) {
        const sample = runOnce(`${v.label} ${name}`, [process.execPath, measure, v.cli, ...command.args, file, "--stats", "none"], command.ok);
        samples.get(v)!.push(sample);
        progress(`${name}: ${v.label} run ${run + 1}/${runs} ${seconds(sample.wallSeconds)}`);
        // Every run writes the same output; the last one's stands for all.
        if (run === runs - 1) outputs.set(v, { md5: md5(OUTPUT), firstLine: firstLine(OUTPUT) });
      }
    }
    const measured = (v: Version): Measured => ({ ...summarise(samples.get(v)!, mb, grepSeconds), outputMd5: outputs.get(v)!.md5, firstLine: outputs.get(v)!.firstLine });
    const newer = measured(current);
    const older = old ? measured(old) : null;
    results.push({
      command: name,
      old: older,
      new: newer,
      speedup: older
        ? { wall: older.wallSeconds / newer.wallSeconds, cpu: older.cpuSeconds !== null && newer.cpuSeconds !== null ? older.cpuSeconds / newer.cpuSeconds : null }
        : null,
    });
  }

  const startup: Record<string, number> = {};
  const startupSamples = new Map<string, number[]>();
  for (let run = 0; run < startupRuns; run++) {
    for (const v of old ? [old, current] : [current]) {
      const key = `esa-dane --help (${v.label})`;
      startupSamples.set(key, [...(startupSamples.get(key) ?? []), runOnce(key, [process.execPath, v.cli, "--help"], [0]).wallSeconds]);
    }
    startupSamples.set("node -e 0", [...(startupSamples.get("node -e 0") ?? []), runOnce("node -e 0", [process.execPath, "-e", "0"], [0]).wallSeconds]);
  }
  for (const [key, walls] of startupSamples) startup[key] = median(walls);
  rmSync(OUTPUT, { force: true });

  const machine = `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  const describe = (v: Version) => `${v.dir}${v.commit ? ` (${v.commit})` : ""}`;
  const benchRssMb = process.memoryUsage.rss() / 2 ** 20;
  if (values.json) {
    const json = { machine, file: { path: file, megabytes: mb }, runs, benchRssMb, new: current, old, floor, commands: results, startupSeconds: startup };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }

  const out: string[] = [];
  out.push(`machine: ${machine}`);
  out.push(`file: ${file} (${mb.toFixed(1)} MB), median of ${runs} run(s), page cache warm, output to a file`);
  out.push(`new: ${describe(current)}`);
  if (old) out.push(`old: ${describe(old)}; runs alternated old, new, old, new, ...`);
  out.push("");
  const head = ["command", "version", "wall", "MB/s", "CPU", "peak RSS", "wall vs grep", "speed-up wall", "speed-up CPU", "output md5"];
  const rows: string[][] = floor.map((f) => [f.command, "-", seconds(f.wallSeconds), f.mbPerSecond.toFixed(1), "-", "-", ratio(f.vsGrep), "-", "-", "-"]);
  const row = (command: string, label: string, m: Measured, speedup: CommandResult["speedup"]) => [
    `esa-dane ${command}`,
    label,
    seconds(m.wallSeconds),
    m.mbPerSecond.toFixed(1),
    m.cpuSeconds === null ? "-" : seconds(m.cpuSeconds),
    m.peakRssMb === null ? "-" : `${m.peakRssMb.toFixed(0)} MB`,
    ratio(m.vsGrep),
    speedup ? ratio(speedup.wall) : "-",
    speedup ? ratio(speedup.cpu) : "-",
    m.outputMd5.slice(0, 8),
  ];
  for (const r of results) {
    if (r.old) rows.push(row(r.command, "old", r.old, null));
    rows.push(row(r.command, old ? "new" : "-", r.new, r.speedup));
  }
  out.push(table(head, rows));
  out.push(`wc -l: ${floor[0]!.count} lines; grep -c '${EVERY_LINE}': ${floor[1]!.count} (the pattern is on every line).`);
  out.push("CPU: user + system of the whole process, worker threads included. Peak RSS: the largest of the runs; never below");
  out.push(`this bench's own ${benchRssMb.toFixed(0)} MB (inherited at fork), for every row alike. Speed-up: old / new (above 1: new is faster).`);
  for (const r of results.filter((r) => r.command === "alert")) {
    const verdict = (m: Measured) => {
      const text = m.firstLine.split(" | ")[0]!;
      return `exit ${m.exitStatus}, ${JSON.stringify(text.length > 90 ? `${text.slice(0, 90)}...` : text)}`;
    };
    out.push(`alert: ${r.old ? `old ${verdict(r.old)}; new ` : ""}${verdict(r.new)}`);
  }
  const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;
  if (startupRuns > 0) out.push(`\nstart-up, median of ${startupRuns} run(s): ${Object.entries(startup).map(([k, s]) => `${k} ${ms(s)}`).join("; ")}`);
  // Node reads that whole bundle at every start: a sandbox setting, not esa-dane's cost.
  if (process.env["NODE_EXTRA_CA_CERTS"]) out.push("(NODE_EXTRA_CA_CERTS is set: Node loads those certificates at every start-up)");
  process.stdout.write(`${out.join("\n")}\n`);
}

runScript(import.meta, "bench", main);
