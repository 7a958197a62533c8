// `esa-dane alert` through the built binary (env TZ=UTC), on logs written by the log builder:
// exit codes (monitoring-plugin convention), the first line, --format json, --state across runs.
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, runCliAsync, type CliResult } from "./helpers/cli.js";
import { cleanDayScenario, lineIndexAt, outageScenario } from "./helpers/log-builder.js";

const FIRST_LINE = /^DANE BOGUS (OK|WARNING|CRITICAL|UNKNOWN) - .* \| bogus=\d+;\d+;\d+;0/;

/** The binary, asynchronously, so that independent runs go side by side. */
const alertAsync = (...args: string[]): Promise<CliResult> => runCliAsync(["alert", ...args]);
const alert = (...args: string[]) => runCli(["alert", ...args], { env: { TZ: "UTC" } });

let dir: string;
let outageText: string;
const runs: Record<string, CliResult> = {};
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "esa-dane-alert-cli-"));
  outageText = outageScenario().text;
  writeFileSync(join(dir, "outage.log"), outageText);
  writeFileSync(join(dir, "clean.log"), cleanDayScenario().text);
  const missing = join(dir, "no-such.log");
  const jobs: Record<string, string[]> = {
    clean: [join(dir, "clean.log")],
    outage: [join(dir, "outage.log")],
    json: [join(dir, "outage.log"), "--format", "json"],
    missing: [missing],
    mixed: [join(dir, "outage.log"), missing],
    bucket: [join(dir, "clean.log"), "--bucket", "5x"],
  };
  const results = await Promise.all(Object.values(jobs).map((args) => alertAsync(...args)));
  Object.keys(jobs).forEach((name, i) => (runs[name] = results[i]!));
  // Six processes side by side on a shared 2-core machine: more than the default 10 s hook budget.
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("esa-dane alert: exit codes and the first line", () => {
  it("0 for a clean day", () => {
    const r = runs["clean"]!;
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(FIRST_LINE);
    expect(r.stdout).toMatch(/^DANE BOGUS OK - no Bogus spike in 288 buckets of 5 min \(\d+ lines\) \| bogus=0;5;20;0 .*alerts=0;;;0$/m);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
  });

  it("2 for the resolver outage: one CRITICAL resolver-wide fire naming the secondary, then a clear", () => {
    const r = runs["outage"]!;
    // The output, verbatim, for the record.
    console.log(r.stdout);
    expect(r.status).toBe(2);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(FIRST_LINE);
    expect(lines[0]).toMatch(/^DANE BOGUS CRITICAL - resolver-wide Bogus burst 2024-03-11T10:00Z to 2024-03-11T10:20Z \(cleared\): 100 new Bogus answers for 30 domains: 10\.0\.0\.53 failed 100 queries \(SERVER FAILED\); 10\.0\.1\.53 answered them/);
    // One episode: nothing follows the status line.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/alerts=1;;;0$/);
  });

  it("3 for a missing input, alone or with readable ones", () => {
    const alone = runs["missing"]!;
    expect(alone.status).toBe(3);
    expect(alone.stdout).toMatch(FIRST_LINE);
    expect(alone.stdout).toMatch(/^DANE BOGUS UNKNOWN - .*no-such\.log/);
    const mixed = runs["mixed"]!;
    expect(mixed.status).toBe(3);
    expect(mixed.stdout).toMatch(FIRST_LINE);
    expect(mixed.stdout).toMatch(/^DANE BOGUS UNKNOWN - .*no-such\.log.*; and in what was read: .*10\.0\.1\.53/);
  });

  it("3 for a bad --bucket", () => {
    const r = runs["bucket"]!;
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^DANE BOGUS UNKNOWN - --bucket/);
  });
});

describe("esa-dane alert --format json", () => {
  it("one JSON object per event", () => {
    const r = runs["json"]!;
    expect(r.status).toBe(2);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string; level: string; kind: string; at: string; since: string; resolvers: { resolver: string }[] });
    expect(events.map((e) => [e.event, e.level, e.kind, e.at, e.since])).toEqual([
      ["fire", "CRITICAL", "resolver-wide", "2024-03-11T10:00Z", "2024-03-11T10:00Z"],
      ["clear", "OK", "resolver-wide", "2024-03-11T10:25Z", "2024-03-11T10:00Z"],
    ]);
    expect(events[0]!.resolvers[0]!.resolver).toBe("10.0.1.53");
  });
});

describe("esa-dane alert --state: cron runs across rotation", () => {
  it("reads each line once (--stats json), and runs over pieces of the log give the same episode as one run", () => {
    const lines = outageText.split("\n").slice(0, -1);
    const stateDir = mkdtempSync(join(dir, "state-"));
    const current = join(stateDir, "mail_logs_d.current");
    const rotated = join(stateDir, "mail_logs_d.@20240311T100000.s");
    const state = join(stateDir, "alert.state");
    // The first run ends in the middle of the second Bogus bucket, the second in the fourth.
    const a = lineIndexAt(lines, Date.UTC(2024, 2, 11, 10, 7, 30));
    const b = lineIndexAt(lines, Date.UTC(2024, 2, 11, 10, 17, 30));
    const chunk = (from: number, to: number) => `${lines.slice(from, to).join("\n")}\n`;
    const outputs: string[] = [];
    let read = 0;
    const run = () => {
      const r = alert(current, "--state", state, "--stats", "json");
      expect(r.stdout).toMatch(FIRST_LINE);
      outputs.push(r.stdout);
      read += (JSON.parse(r.stderr.trim().split("\n").at(-1)!) as { total: { read: number } }).total.read;
      return r;
    };
    const episode = (stdout: string) => stdout.split(" | ")[0]!;
    writeFileSync(current, chunk(0, a));
    const first = run();
    expect(first.status).toBe(2);
    expect(episode(first.stdout)).toMatch(/^DANE BOGUS CRITICAL - resolver-wide Bogus burst since 2024-03-11T10:00Z \(active, bucket still open\): 35 new Bogus answers for 30 domains: .*10\.0\.1\.53 answered them/);
    expect(read).toBe(a);
    appendFileSync(current, chunk(a, b));
    const second = run();
    expect(episode(second.stdout)).toMatch(/^DANE BOGUS CRITICAL - resolver-wide Bogus burst since 2024-03-11T10:00Z \(active/);
    // Rotation: the old file gets its last lines, is renamed, and a new .current starts (with its header).
    appendFileSync(current, chunk(b, b + 40));
    renameSync(current, rotated);
    writeFileSync(current, `${lines.slice(0, 3).join("\n")}\n${chunk(b + 40, lines.length)}`);
    const third = run();
    expect(read).toBe(lines.length + 3);
    // The episode, as the run that saw it clear tells it, is the one-run episode, word for word.
    expect(third.status).toBe(2);
    expect(episode(third.stdout)).toBe(episode(runs["outage"]!.stdout));
    // Nothing new: nothing read, nothing reported again, and the feed is not stale yet.
    const idle = run();
    expect(read).toBe(lines.length + 3);
    expect([idle.status, idle.stdout]).toEqual([0, expect.stringMatching(/^DANE BOGUS OK - no Bogus spike/)]);
  });

  it("3 for a state file that is not one", () => {
    const bad = join(dir, "bad.state");
    writeFileSync(bad, "not json");
    const r = alert(join(dir, "clean.log"), "--state", bad);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^DANE BOGUS UNKNOWN - /);
  });
});
