// The built `esa-dane alert` as cron and a monitoring system run it (node dist/src/cli/main.js,
// TZ=UTC): exit status 0/1/2/3 and the plugin's first line; JSON events; --state over runs
// across a rotation (every line read once, by the accounting; each alert reported once);
// --follow across a rotation, stopped with SIGTERM.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI_ENV, BIN, ROOT } from "./helpers/cli.js";
import * as gen from "./helpers/generate-log.js";

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function esaDane(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: CLI_ENV, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const firstLine = (r: Result) => r.stdout.split("\n")[0]!;
const dir = mkdtempSync(join(tmpdir(), "esa-dane-alert-cli-"));
const appliance = gen.appliance({ utcOffsetSeconds: -21600 });
const write = (name: string, lines: gen.Line[]) => {
  const path = join(dir, name);
  writeFileSync(path, gen.render(appliance, lines));
  return path;
};
// Shorter cuts of the scenarios than test/alert.detect.test.ts reads in-process: each run here
// starts a process, and those full days are checked there.
const within = (lines: gen.Line[], from: number, to: number) => lines.filter((l) => l.ms >= from && l.ms < to);
const outage = write("outage.log", within(gen.resolverOutage(), gen.OUTAGE.fromMs - 20 * gen.MINUTE, gen.OUTAGE.toMs + 30 * gen.MINUTE));
const broken = write("broken.log", within(gen.brokenDomain(), gen.T0 + 40 * gen.MINUTE, gen.T0 + 2 * gen.HOUR + 20 * gen.MINUTE));
const quiet = write("quiet.log", within(gen.quietDay({ strayBogusAtMs: gen.T0 + 3 * gen.HOUR + 7 * gen.MINUTE }), gen.T0, gen.T0 + 6 * gen.HOUR));
const PERFDATA = /\| bogus=\d+;5;20;0 chronic=\d+;;;0 domains=\d+;;;0 bogus_max=\d+;5;20;0 baseline=[\d.]+;;;0 alerts=\d+;;;0$/;

describe("esa-dane alert, the plugin", () => {
  it("exits 2, 1, 0 for a resolver outage, a broken domain and a quiet day, with the plugin's first line; JSON events", async () => {
    const [critical, warning, ok, json] = await Promise.all([esaDane(["alert", outage, "--verbose"]), esaDane(["alert", broken]), esaDane(["alert", quiet]), esaDane(["alert", outage, "--format", "json"])]);
    expect(critical.status).toBe(2);
    expect(firstLine(critical)).toMatch(
      /^DANE BOGUS CRITICAL - resolver-wide Bogus burst 2024-03-11T09:00Z to 2024-03-11T09:20Z \(cleared\): 100 new Bogus answers for 30 domains: 10\.0\.0\.53 failed 300 queries \(SERVER FAILED\); 10\.0\.1\.53 answered them: 100 Bogus for 30 domains that validated before, nothing Secure/,
    );
    expect(firstLine(critical)).toMatch(PERFDATA);
    const lines = critical.stdout.split("\n");
    expect(lines[1]).toBe("bucket               bogus chronic domains baseline level");
    expect(critical.stdout).toMatch(/\n2024-03-11T09:00Z\s+25\s+0\s+25\s+0\.00 CRITICAL\n/);
    expect(critical.stderr).toBe("");
    expect(warning.status).toBe(1);
    expect(firstLine(warning)).toMatch(/^DANE BOGUS WARNING - domain-specific Bogus DNSSEC for broken\.example \(MX 60\) 2024-03-11T09:00Z to 2024-03-11T10:00Z \(cleared\): 60 Bogus answers for 1 domain from 10\.0\.0\.53/);
    expect(ok.status).toBe(0);
    // The stray Bogus answer is counted as chronic (a domain never seen validating, from a resolver that validates others).
    expect(firstLine(ok)).toMatch(/^DANE BOGUS OK - no Bogus spike in 72 buckets of 5 min \(\d+ lines\) \| bogus=0;5;20;0 chronic=0;;;0 domains=0;;;0 bogus_max=0;5;20;0 /);
    expect(ok.stdout.split("\n")).toHaveLength(2);
    // --format json: one object per alert event.
    const events = json.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => [e.event, e.level, e.kind, e.at, e.since])).toEqual([
      ["fire", "CRITICAL", "resolver-wide", "2024-03-11T09:00Z", "2024-03-11T09:00Z"],
      ["clear", "OK", "resolver-wide", "2024-03-11T09:25Z", "2024-03-11T09:00Z"],
    ]);
    expect(events[0]).toMatchObject({ bogus: 25, domainCount: 25, bucket: { bogus: 25, chronic: 0, domains: 25 }, baseline: 0, evidence: { topResolver: "10.0.1.53", topShare: 1 } });
    expect(json.status).toBe(2);
  });

  it("exits 3 UNKNOWN for unreadable input, bad usage and a bad state file, with coded errors", async () => {
    const garbage = join(dir, "garbage.state");
    writeFileSync(garbage, "{ not json");
    const missing = join(dir, "nope.log");
    const small = write("small.log", gen.quietDay().filter((l) => l.ms < gen.T0 + 10 * gen.MINUTE));
    const [alone, withOthers, json, badBucket, badFlag, badState, stateWrite, followMissing, badYear] = await Promise.all([
      esaDane(["alert", missing]),
      esaDane(["alert", missing, outage]),
      esaDane(["alert", missing, "--format", "json"]),
      esaDane(["alert", quiet, "--bucket", "soon"]),
      esaDane(["alert", quiet, "--no-such-flag"]),
      esaDane(["alert", quiet, "--state", garbage]),
      esaDane(["alert", small, "--state", join(dir, "no-such-dir", "alert.state")]),
      // Following a name that is not there would wait forever: it is refused at once.
      esaDane(["alert", missing, small, "--follow", "--poll-ms", "20"]),
      // An option shared with the other commands, checked by yargs: still UNKNOWN here.
      esaDane(["alert", quiet, "--year", "123"]),
    ]);
    expect([alone.status, firstLine(alone)]).toEqual([3, expect.stringMatching(/^DANE BOGUS UNKNOWN - .*nope\.log: no such file or directory \| bogus=0;5;20;0/)]);
    expect(alone.stdout.split("\n")[1]).toMatch(/^error E_INPUT .*nope\.log: no such file or directory$/);
    // The other input's alert is still told, after what could not be read.
    expect([withOthers.status, firstLine(withOthers)]).toEqual([3, expect.stringMatching(/^DANE BOGUS UNKNOWN - .*nope\.log: no such file or directory; and in what was read: resolver-wide Bogus burst /)]);
    expect(json.status).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ event: "error", code: "E_INPUT", message: "no such file or directory" });
    expect([badBucket.status, firstLine(badBucket)]).toEqual([3, "DANE BOGUS UNKNOWN - --bucket: expected a duration such as 30s, 5m or 1h, got 'soon'"]);
    expect(badFlag.status).toBe(3);
    expect([badYear.status, badYear.stderr]).toEqual([3, expect.stringContaining("--year takes a year such as 2024")]);
    expect([badState.status, firstLine(badState)]).toEqual([3, expect.stringMatching(/^DANE BOGUS UNKNOWN - .*garbage\.state: not an esa-dane alert state file/)]);
    expect([stateWrite.status, stateWrite.stdout.split("\n")[1]]).toEqual([3, expect.stringMatching(/^error E_STATE_WRITE .*alert\.state: cannot write the state \(no such file or directory\)/)]);
    expect([followMissing.status, firstLine(followMissing)]).toEqual([3, expect.stringMatching(/^DANE BOGUS UNKNOWN - .*nope\.log: no such file or directory$/)]);
  });
});

describe("esa-dane alert --state, run by cron", () => {
  it("refuses a state file another live run holds, takes over a lock whose process is gone, and leaves no lock", async () => {
    const cron = mkdtempSync(join(tmpdir(), "esa-dane-alert-lock-"));
    const state = join(cron, "alert.state");
    const lock = `${state}.lock`;
    // This test process is alive: its pid in the lock means a run in progress.
    writeFileSync(lock, `${process.pid} 2024-03-11T09:00:00.000Z\n`);
    const held = await esaDane(["alert", quiet, "--state", state, "--format", "json"]);
    expect(held.status).toBe(3);
    expect(JSON.parse(held.stdout)).toMatchObject({ event: "error", code: "E_STATE_LOCKED" });
    expect(existsSync(state)).toBe(false);
    expect(readFileSync(lock, "utf8")).toContain(String(process.pid));
    // A process that has exited: its lock is stale.
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid!;
    writeFileSync(lock, `${gone} 2024-03-11T09:00:00.000Z\n`);
    const run = await esaDane(["alert", quiet, "--state", state]);
    expect(run.status).toBe(0);
    expect(existsSync(state)).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it("reads every line once over runs across a rotation, and reports each alert event once", async () => {
    const cron = mkdtempSync(join(tmpdir(), "esa-dane-alert-cron-"));
    const current = join(cron, "mail_logs_d.current");
    const state = join(cron, "alert.state");
    const all = within(gen.resolverOutage(), gen.OUTAGE.fromMs - 20 * gen.MINUTE, gen.OUTAGE.toMs + 30 * gen.MINUTE);
    const at = (hh: number, mm: number) => Date.UTC(2024, 2, 11, hh, mm);
    let written = 0;
    /** The lines of [from, to) as the appliance writes them; `header`: the first lines of a new file. */
    const part = (from: number, to: number, header: boolean) => {
      const lines = gen.renderLines(appliance, all.filter((l) => l.ms >= from && l.ms < to), { header });
      written += lines.length;
      return `${lines.join("\n")}\n`;
    };
    const runs: Result[] = [];
    const cronRun = async () => runs.push(await esaDane(["alert", current, "--state", state, "--format", "json", "--stats", "json"]));

    writeFileSync(current, part(at(8, 40), at(8, 50), true));
    await cronRun(); // 1: quiet
    appendFileSync(current, part(at(8, 50), at(9, 7), false));
    await cronRun(); // 2: the 09:00 bucket, resolver-wide, fired once closed
    appendFileSync(current, part(at(9, 7), at(9, 12), false)); // unseen by any run before the rotation
    renameSync(current, join(cron, "mail_logs_d.@20240311T091200.s"));
    writeFileSync(current, part(at(9, 12), at(9, 16), true));
    await cronRun(); // 3: still active; the fire is not reported again
    appendFileSync(current, part(at(9, 16), at(10, 0), false));
    await cronRun(); // 4: it clears
    await cronRun(); // 5: nothing new

    const read = runs.map((r) => (JSON.parse(r.stderr) as { total: { read: number } }).total.read);
    expect(read.reduce((a, b) => a + b, 0)).toBe(written);
    expect(read[4]).toBe(0);
    const events = runs.map((r) => (r.stdout.trim() === "" ? [] : r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string; level: string; kind: string; at: string; provisional: boolean })));
    expect(events.map((list) => list.map((e) => `${e.event} ${e.level} ${e.kind} ${e.at}${e.provisional ? " (open bucket)" : ""}`))).toEqual([
      [],
      ["fire CRITICAL resolver-wide 2024-03-11T09:00Z"],
      [],
      ["clear OK resolver-wide 2024-03-11T09:25Z"],
      [],
    ]);
    // CRITICAL while the alert is active, and for the run that saw it clear; then OK.
    expect(runs.map((r) => r.status)).toEqual([0, 2, 2, 2, 0]);
    const saved = JSON.parse(readFileSync(state, "utf8")) as { version: number; cursors: { path: string }[]; detector: { baseline: number } };
    expect(saved.version).toBe(3);
    // A run with nothing new shows the baseline it carries.
    const idle = await esaDane(["alert", current, "--state", state]);
    expect(firstLine(idle)).toContain(` baseline=${saved.detector.baseline.toFixed(2)};;;0 `);
    expect(saved.cursors.map((c) => c.path.slice(cron.length + 1)).sort()).toEqual(["mail_logs_d.@20240311T091200.s", "mail_logs_d.current"]);
  });
});

describe("esa-dane alert --follow", () => {
  it("prints alerts as they fire from lines appended after start and after a rotation, and its status on SIGTERM", async () => {
    const live = mkdtempSync(join(tmpdir(), "esa-dane-alert-follow-"));
    const current = join(live, "mail_logs_d.current");
    const state = join(live, "alert.state");
    const all = within(gen.resolverOutage(), gen.OUTAGE.fromMs - 20 * gen.MINUTE, gen.OUTAGE.toMs + 30 * gen.MINUTE);
    const part = (from: number, to: number) => all.filter((l) => l.ms >= from && l.ms < to);
    const rotateAt = gen.OUTAGE.fromMs + 30 * gen.MINUTE;
    writeFileSync(current, gen.render(appliance, part(0, gen.OUTAGE.fromMs)));

    const child = spawn(process.execPath, [BIN, "alert", current, "--follow", "--poll-ms", "20", "--state", state], { cwd: ROOT, env: CLI_ENV });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    const until = async (text: string) => {
      while (!stdout.includes(text)) await new Promise((r) => setTimeout(r, 20));
    };

    appendFileSync(current, gen.render(appliance, part(gen.OUTAGE.fromMs, rotateAt), { header: false }));
    await until(" fire CRITICAL resolver-wide");
    renameSync(current, join(live, "mail_logs_d.@20240311T093000.s"));
    writeFileSync(current, gen.render(appliance, part(rotateAt, Infinity)));
    await until(" clear OK resolver-wide");
    child.kill("SIGTERM");
    const status = await closed;

    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^2024-03-11T09:00Z fire CRITICAL resolver-wide: resolver-wide Bogus burst since 2024-03-11T09:00Z: 25 new Bogus answers for 25 domains: 10\.0\.0\.53 failed \d+ queries \(SERVER FAILED\); 10\.0\.1\.53 answered them/);
    expect(lines[1]).toMatch(/^2024-03-11T09:25Z clear OK resolver-wide: /);
    expect(lines[2]).toMatch(/^DANE BOGUS CRITICAL - resolver-wide Bogus burst 2024-03-11T09:00Z to 2024-03-11T09:20Z \(cleared\): /);
    expect(lines).toHaveLength(3);
    expect([status, stderr]).toEqual([2, ""]);
    expect(JSON.parse(readFileSync(state, "utf8"))).toMatchObject({ version: 3, writer: "esa-dane alert" });
  });
});
