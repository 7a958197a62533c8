// `esa-dane report` through the built binary (dist/src/cli/main.js, env TZ=UTC): golden output of
// every format over samples/, the exit codes, --output written atomically.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, runCliAsync, type CliResult } from "./helpers/cli.js";

const scratch = mkdtempSync(join(tmpdir(), "esa-dane-report-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const report = (format: string, ...extra: string[]) => runCli(["report", "samples/", "--year", "2024", "--format", format, "--stats", "none", ...extra], { env: { TZ: "UTC" } });

// Each format once (the spawns are the slow part); the tests below share the results.
const FORMATS = [
  ["table", "txt"],
  ["json", "json"],
  ["csv", "csv"],
  ["markdown", "md"],
  ["tlsrpt", "ndjson"],
  ["prometheus", "prom"],
] as const;
/** The binary, asynchronously: the six formats run side by side. */
const reportAsync = (format: string): Promise<CliResult> => runCliAsync(["report", "samples/", "--year", "2024", "--format", format, "--stats", "none"]);
const results = new Map<string, CliResult>();
beforeAll(async () => {
  const done = await Promise.all(FORMATS.map(([format]) => reportAsync(format)));
  FORMATS.forEach(([format], i) => results.set(format, done[i]!));
});
const resultOf = (format: string) => results.get(format)!;

describe("esa-dane report: golden output over samples/", () => {
  // Table: not a TTY, so color is off and the width is 160.
  it.each(FORMATS)("--format %s matches golden/report/samples.%s (exit 0)", async (format, ext) => {
    const result = resultOf(format);
    expect(result.status).toBe(0);
    // Only the warnings that the samples mix files in UTC with files of no known zone.
    expect(result.stderr.split("\n").filter((line) => line !== "" && !line.includes("lines have no known time zone"))).toEqual([]);
    await expect(result.stdout).toMatchFileSnapshot(`golden/report/samples.${ext}`);
  });

  it("the table is plain text (no color)", () => {
    const { stdout } = resultOf("table");
    expect(stdout).not.toContain("\u001b");
    expect(stdout).toMatch(/^DANE report, /);
  });

  // Every section (verdict, domains, resolvers, accounting) fits the width: 160 when not a TTY.
  it("no line of the table is wider than the width (160 when not a TTY)", () => {
    const { stdout } = resultOf("table");
    for (const line of stdout.split("\n")) expect([...line].length).toBeLessThanOrEqual(160);
  });

  it("the samples' expected outcomes (samples/README.md) show in the JSON", () => {
    const json = JSON.parse(resultOf("json").stdout) as { domains: { name: string; attempts: number; decisions: Record<string, number>; observed: Record<string, number>; bogus: Record<string, number>; resolverFallbacks: number; cached: number }[]; totals: { attempts: number } };
    const by = new Map(json.domains.map((d) => [d.name, d]));
    // a (R) and d (C, cached): two DANE successes.
    expect(by.get("dane-ok.example")).toMatchObject({ attempts: 2, decisions: { "dane-success": 2 }, cached: 1 });
    // c: Bogus MX after a fallback to the secondary; dane-fail in both modes.
    expect(by.get("bogus-mx.example")).toMatchObject({ attempts: 1, decisions: { "dane-fail": 1 }, bogus: { mx: 1, a: 0, tlsa: 0 }, resolverFallbacks: 1 });
    // e1 (connection error, undetermined) and e2 (dane-success).
    // e1's observed outcome is no-connection (the connection timed out before any TLS).
    expect(by.get("multi-mx.example")).toMatchObject({ attempts: 2, decisions: { "dane-success": 1, undetermined: 1 }, observed: { "dane-success": 1, "no-connection": 1, plaintext: 0 } });
    // b and f2: modes disagree, undetermined.
    expect(by.get("no-dnssec.example")).toMatchObject({ attempts: 1, decisions: { undetermined: 1 } });
    expect(by.get("signed-nodane.example")).toMatchObject({ attempts: 1, decisions: { undetermined: 1 } });
    expect(by.get("dane-two.example")).toMatchObject({ attempts: 1, decisions: { "dane-success": 1 } });
    // T1 ietf.org undetermined (cert missing), T2 thinkbeyond.ch undetermined (modes differ).
    expect(by.get("ietf.org")).toMatchObject({ attempts: 1, decisions: { undetermined: 1 } });
    expect(by.get("thinkbeyond.ch")).toMatchObject({ attempts: 1, decisions: { undetermined: 1 } });
    // s1 / s2 from the syslog file.
    expect(by.get("example.org")).toMatchObject({ attempts: 1, decisions: { "dane-success": 1 } });
    expect(by.get("example.net")).toMatchObject({ attempts: 1, decisions: { undetermined: 1 } });
    // i1, i2, i3: internal deliveries to example.com, undetermined without a mode.
    expect(by.get("example.com")).toMatchObject({ attempts: 3, decisions: { undetermined: 3 } });
    // 15 attempts in all: README rows T1 T2 i1 a b e1 e2 i2 c i3 d f2 f1 s1 s2, in 11 domains.
    expect(json.totals.attempts).toBe(15);
    expect(by.size).toBe(11);
  });
});

describe("esa-dane report: exit codes", () => {
  it("2 when one input is missing while the others are still read", () => {
    const missing = join(scratch, "no-such-file.log");
    const result = runCli(["report", "samples/mail_logs_d.@20240311T083000.s", missing, "samples/mail_logs_d.current", "--format", "json"], { env: { TZ: "UTC" } });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("no-such-file.log");
    const json = JSON.parse(result.stdout) as { domains: { name: string }[]; stats: { files: { name?: string; file?: string; read: number; error?: string | null }[] } };
    const names = json.domains.map((d) => d.name);
    // Domains of both readable files are reported.
    expect(names).toContain("dane-ok.example");
    expect(names).toContain("bogus-mx.example");
    expect(names).toContain("dane-two.example");
    const read = json.stats.files.filter((f) => f.read > 0);
    expect(read).toHaveLength(2);
  });

  it("1 for a bad --format, with a message and nothing on stdout", () => {
    const result = report("xml");
    expect(result.status).toBe(1);
    expect(result.stderr.length).toBeGreaterThan(0);
    expect(result.stdout).toBe("");
  });

  it("1 for an unreadable --since", () => {
    const result = report("json", "--since", "yesterday-ish");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("--since");
  });
});

describe("esa-dane report --output", () => {
  it("writes the file atomically: same text as stdout, nothing on stdout, no temporary left", () => {
    const out = join(scratch, "report.prom");
    const result = report("prometheus", "--output", out);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(readFileSync(out, "utf8")).toBe(resultOf("prometheus").stdout);
    expect(readdirSync(scratch).filter((f) => f.includes(".tmp"))).toEqual([]);
  });
});
