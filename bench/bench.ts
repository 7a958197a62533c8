// `npm run bench`: throughput and peak memory of esa-dane next to grep and wc on the same file,
// in the same run, median of several runs. Honest by construction: every tool reads the same
// bytes from the page cache (a warm-up run first), and the ratios are computed, not claimed.
//
//   npm run bench -- [--size 100MB] [--seed 1] [--runs 3] [--file path] [--gzip]
//
// Rows: wc -l and grep -c as the floor; parse, deliveries and report on one thread (the default);
// report with 1 and 2 worker threads; then the start-up time of --help.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "..", "src", "cli", "main.js");
const measure = join(here, "measure.js");
const OUTPUT = join(tmpdir(), `esa-dane-bench-${process.pid}.out`);

interface Result {
  name: string;
  seconds: number;
  rssMb: number | null;
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs a command `runs` times; returns the median wall time and the largest peak RSS. */
function time(name: string, command: string[], runs: number, rssFromMeasure: boolean): Result {
  const seconds: number[] = [];
  let rss: number | null = null;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    // Output goes to a real file, as with `> out`: not /dev/null, where GNU grep stops at the first
    // match, and not a pipe into this process, whose growing buffer a child's peak RSS would
    // inherit (Linux keeps the parent's RSS at fork in the child's maxrss across exec).
    const out = openSync(OUTPUT, "w");
    const run = spawnSync(command[0]!, command.slice(1), { stdio: ["ignore", out, "pipe"], env: { ...process.env, TZ: "UTC" } });
    closeSync(out);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (run.status !== 0 && !(command[0] === "grep" && run.status === 1)) {
      throw new Error(`${name} failed (${run.status}): ${run.stderr.toString().slice(0, 500)}`);
    }
    seconds.push(elapsed);
    if (rssFromMeasure) {
      const match = /maxRSS=(\d+)/.exec(run.stderr.toString());
      if (match) rss = Math.max(rss ?? 0, Number(match[1]) / 1024);
    }
  }
  return { name, seconds: median(seconds), rssMb: rss };
}

async function main(argv: string[]): Promise<void> {
  const runs = Number(arg(argv, "runs") ?? "3");
  let file = arg(argv, "file");
  if (file === undefined) {
    const size = arg(argv, "size") ?? "100MB";
    const seed = arg(argv, "seed") ?? "1";
    const gzip = argv.includes("--gzip");
    file = join("bench", "corpus", `mail_logs_d-${size}-seed${seed}.log${gzip ? ".gz" : ""}`);
    if (!existsSync(file)) {
      process.stderr.write(`generating ${file} ...\n`);
      const gen = spawnSync(process.execPath, [join(here, "gen-corpus.js"), "--size", size, "--seed", seed, "--out", file, ...(gzip ? ["--gzip"] : [])], { stdio: "inherit" });
      if (gen.status !== 0) throw new Error("corpus generation failed");
    }
  }
  const bytes = statSync(file).size;
  const mb = bytes / 1e6;
  process.stdout.write(`machine: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n`);
  process.stdout.write(`file: ${file} (${mb.toFixed(1)} MB), median of ${runs} run(s), page cache warm\n\n`);
  const cat = file.endsWith(".gz") ? ["zcat", file] : null;
  // Warm the page cache so the first tool measured is not penalised.
  spawnSync("cat", [file], { stdio: ["ignore", "ignore", "ignore"] });
  const results: Result[] = [];
  if (cat === null) {
    results.push(time("wc -l", ["wc", "-l", file], runs, false));
    results.push(time("grep -c 'TLS success.*for'", ["grep", "-c", "TLS success.*for", file], runs, false));
  } else {
    results.push(time("zcat | wc -l", ["sh", "-c", `zcat '${file}' | wc -l`], runs, false));
    results.push(time("zcat | grep -c 'TLS success.*for'", ["sh", "-c", `zcat '${file}' | grep -c 'TLS success.*for'`], runs, false));
  }
  const commands = [["parse"], ["deliveries"], ["report", "--format", "json"], ["report", "--format", "json", "--workers", "1"], ["report", "--format", "json", "--workers", "2"]];
  for (const command of commands) {
    results.push(time(`esa-dane ${command.join(" ")}`, [process.execPath, measure, cli, ...command, file, "--stats", "none"], runs, true));
  }
  const grep = results[1]!;
  const rows = results.map((r) => [
    r.name,
    `${r.seconds.toFixed(2)} s`,
    `${(mb / r.seconds).toFixed(1)} MB/s`,
    r.rssMb === null ? "-" : `${r.rssMb.toFixed(0)} MB`,
    `${(r.seconds / grep.seconds).toFixed(1)}x`,
  ]);
  const head = ["command", "time", "throughput", "peak RSS", "time vs grep"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  process.stdout.write(`${line(head)}\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|\n${rows.map(line).join("\n")}\n`);
  const helpRuns = Math.max(5, runs);
  const help = time("esa-dane --help", [process.execPath, cli, "--help"], helpRuns, false);
  const bare = time("node -e 0", [process.execPath, "-e", "0"], helpRuns, false);
  const ms = (r: Result) => `${(r.seconds * 1000).toFixed(0)} ms`;
  process.stdout.write(`\nesa-dane --help: ${ms(help)}; Node start-up alone (node -e 0): ${ms(bare)}; median of ${helpRuns} runs\n`);
  // Node reads that whole bundle at every start: a sandbox setting, not esa-dane's cost.
  if (process.env["NODE_EXTRA_CA_CERTS"]) process.stdout.write("(NODE_EXTRA_CA_CERTS is set: Node loads those certificates at every start-up)\n");
  rmSync(OUTPUT, { force: true });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
