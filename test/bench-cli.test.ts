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
