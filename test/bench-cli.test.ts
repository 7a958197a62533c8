// The generators' command lines (issue 12 item 13): `--help` prints the usage and writes nothing;
// an unknown option or a bad value is a usage error (exit 1), not a 100 MB corpus.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_ENV } from "./helpers/cli.js";

const DIST_BENCH = fileURLToPath(new URL("../dist/bench/", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "esa-dane-bench-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
/** What the last run wrote in its working folder. */
let written: string[] = [];

/** Runs in a fresh folder, so that a default output path (bench/...) would show up there. */
function run(script: string, args: string[]) {
  const cwd = mkdtempSync(join(work, "cwd-"));
  const result = spawnSync(process.execPath, [join(DIST_BENCH, script), ...args], { cwd, env: CLI_ENV, encoding: "utf8" });
  written = readdirSync(cwd);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.each([
  ["gen-corpus.js", ["--size", "1KB"]],
  ["gen-truth.js", ["--messages", "5"]],
])("%s", (script, small) => {
  it("--help prints the usage and writes no corpus", () => {
    const out = join(work, `help-${script}`);
    const result = run(script, ["--help", ...small, "--out", out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm run gen:/m);
    expect(result.stdout).toContain("--seed");
    expect(existsSync(out)).toBe(false);
    expect(written).toEqual([]);
  });

  it("rejects an unknown option with exit 1 and says how to get help", () => {
    const out = join(work, `unknown-${script}`);
    const result = run(script, [...small, "--sise", "1KB", "--out", out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("--sise");
    expect(result.stderr).toContain("--help");
    expect(existsSync(out)).toBe(false);
    expect(written).toEqual([]);
  });

  it("rejects an option without its value", () => {
    const result = run(script, [...small, "--seed"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("--seed");
  });
});

// `npm run bench` end to end on a tiny generated log, with the repository itself as the old
// version: every row is there, for both versions, with numbers in every cell. No timing is
// asserted, only that each figure is a measurement (a number) where one is due.
describe("bench.js", () => {
  const ROOT = fileURLToPath(new URL("..", import.meta.url));
  const COMMANDS = ["report --format json", "report --format json --workers 0", "deliveries", "alert", "parse"];

  it("measures every command for old and new in one run and prints the table", () => {
    const result = run("bench.js", ["--size", "30KB", "--runs", "1", "--old", ROOT, "--startup-runs", "1"]);
    expect(result.stderr).not.toMatch(/failed/);
    expect(result.status).toBe(0);
    const rows = result.stdout.split("\n").filter((line) => line.startsWith("| "));
    const cells = (line: string) => line.split("|").slice(1, -1).map((cell) => cell.trim());
    expect(cells(rows[0]!)).toEqual(["command", "version", "wall", "MB/s", "CPU", "peak RSS", "wall vs grep", "speed-up wall", "speed-up CPU", "output md5"]);
    const body = rows.slice(1).map(cells);
    expect(body.map((row) => `${row[0]} (${row[1]})`)).toEqual([
      "wc -l (-)",
      "grep -c ': ' (-)",
      ...COMMANDS.flatMap((command) => [`esa-dane ${command} (old)`, `esa-dane ${command} (new)`]),
    ]);
    for (const row of body.slice(2)) {
      const [, version, wall, mbs, cpu, rss, vsGrep, speedupWall, speedupCpu, md5] = row;
      expect(wall).toMatch(/^\d+\.\d\d s$/);
      expect(mbs).toMatch(/^\d+\.\d$/);
      expect(cpu).toMatch(/^\d+\.\d\d s$/);
      expect(rss).toMatch(/^\d+ MB$/);
      expect(vsGrep).toMatch(/^\d+\.\d\dx$/);
      expect(md5).toMatch(/^[0-9a-f]{8}$/);
      if (version === "new") {
        expect(speedupWall).toMatch(/^\d+\.\d\dx$/);
        expect(speedupCpu).toMatch(/^\d+\.\d\dx$/);
      }
    }
    // Old and new are the same checkout here: the same output, row by row.
    for (let i = 2; i < body.length; i += 2) expect(body[i]![9]).toBe(body[i + 1]![9]);
    expect(result.stdout).toMatch(/^old: .* runs alternated old, new/m);
    expect(result.stdout).toMatch(/^alert: old exit [012], "DANE BOGUS \w+.*; new exit [012], "DANE BOGUS /m);
    expect(result.stdout).toMatch(/^start-up, median of 1 run\(s\): esa-dane --help \(old\) \d+ ms; esa-dane --help \(new\) \d+ ms; node -e 0 \d+ ms$/m);
    // The generated corpus went where the default path says, under the working folder.
    expect(written).toEqual(["bench"]);
  });

  it("--json gives the same measurements for machine use", () => {
    const result = run("bench.js", ["--size", "10KB", "--runs", "1", "--old", ROOT, "--startup-runs", "0", "--commands", "alert", "--json"]);
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout) as { floor: { count: number }[]; commands: { command: string; old: { cpuSeconds: number; exitStatus: number }; new: { peakRssMb: number }; speedup: { wall: number; cpu: number } }[] };
    expect(json.floor[1]!.count).toBe(json.floor[0]!.count);
    expect(json.commands.map((c) => c.command)).toEqual(["alert"]);
    expect(json.commands[0]!.old.cpuSeconds).toBeGreaterThan(0);
    expect(json.commands[0]!.new.peakRssMb).toBeGreaterThan(0);
    expect(json.commands[0]!.speedup.wall).toBeGreaterThan(0);
  });

  it("refuses an --old folder without a built CLI before measuring anything", () => {
    const result = run("bench.js", ["--size", "10KB", "--old", work]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("--old: no built CLI");
    expect(written).toEqual([]);
  });
});
