// `esa-dane alert` on generated logs: a resolver outage, one broken domain, clean days;
// incremental reading across rotation, and following a growing file.
import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BogusDetector, DEFAULT_DETECTOR, type DetectorOptions } from "../src/alert/detector.js";
import { readText } from "../src/input/read.js";
import { follow, readIncrementally, type FileCursor } from "../src/input/incremental.js";
import { Analysis } from "../src/pipeline.js";
import { spawn } from "node:child_process";
import { BIN, runCli } from "./helpers/cli.js";
import { answer, at, connection, dns, HEADER, queries } from "./helpers/logtext.js";

const DOMAINS = Array.from({ length: 30 }, (_, i) => `d${i}.example`);

function normal(t: number, i: number): string[] {
  const domain = DOMAINS[i % DOMAINS.length]!;
  const ip = `198.51.100.${(i % 30) + 1}`;
  return [...dns(t, domain, `mx.${domain}`, ip, { mx: "secure", a: "secure", tlsa: "secure" }), ...connection(t + 3, 1000 + i, 5000 + i, ip, domain, `u@${domain}`)];
}

/** The primary fails; the secondary, without DNSSEC, answers Bogus. */
function outage(t: number, i: number): string[] {
  const domain = DOMAINS[i % DOMAINS.length]!;
  return [...queries(t, domain, "MX", ["10.0.0.53", "10.0.1.53"], ["10.0.0.53"]), ...answer(t, domain, "MX", [`mx.${domain}`], "bogus", 300)];
}

function brokenDomain(t: number): string[] {
  return [...queries(t, "broken.example", "MX", ["10.0.0.53"]), ...answer(t, "broken.example", "MX", ["mx.broken.example"], "bogus", 300)];
}

function build(parts: { from: number; to: number; every: number; make: (t: number, i: number) => string[] }[]): string {
  const lines = [...HEADER];
  let i = 0;
  const events: [number, string[]][] = [];
  for (const part of parts) for (let t = part.from; t < part.to; t += part.every) events.push([t, part.make(t, i++)]);
  events.sort((a, b) => a[0] - b[0]);
  for (const [, block] of events) lines.push(...block);
  return `${lines.join("\n")}\n`;
}

function detect(text: string, options: Partial<DetectorOptions> = {}) {
  const detector = new BogusDetector({ ...DEFAULT_DETECTOR, ...options });
  const analysis = new Analysis({}, { lookup: (l) => detector.add(l) });
  readText(text, "gen.log", {}, analysis.records);
  analysis.finish();
  detector.flush();
  return detector;
}

const HOUR = 3600;
const outageLog = build([
  { from: 0, to: 2 * HOUR, every: 60, make: normal },
  { from: 2 * HOUR, to: 2 * HOUR + 1200, every: 10, make: outage },
  { from: 2 * HOUR + 1200, to: 3 * HOUR, every: 60, make: normal },
]);

describe("detection", () => {
  it("a resolver outage fires one resolver-wide CRITICAL in the right bucket, and clears after", () => {
    const detector = detect(outageLog);
    const fired = detector.events.filter((e) => e.event !== "clear");
    expect(fired).toHaveLength(1);
    const alert = fired[0]!;
    // The outage starts at 10:00Z; held for 2 buckets of 5 min, it fires in the 10:05 bucket.
    expect(new Date(alert.atMs).toISOString()).toBe("2024-03-11T10:05:00.000Z");
    expect(new Date(alert.sinceMs).toISOString()).toBe("2024-03-11T10:00:00.000Z");
    expect(alert).toMatchObject({ level: "CRITICAL", kind: "resolver-wide" });
    expect(alert.resolvers[0]).toEqual({ resolver: "10.0.1.53", bogus: 60 });
    expect(alert.domains).toHaveLength(30);
    const clear = detector.events.find((e) => e.event === "clear")!;
    // The outage ends at 10:20; two quiet buckets later, at 10:25, it clears.
    expect(new Date(clear.atMs).toISOString()).toBe("2024-03-11T10:25:00.000Z");
    expect(detector.worst).toBe("CRITICAL");
  });

  it("one domain turning Bogus fires a domain-specific alert naming it", () => {
    const detector = detect(build([{ from: 0, to: 3 * HOUR, every: 60, make: normal }, { from: HOUR, to: 2 * HOUR, every: 60, make: (t) => brokenDomain(t) }]));
    const fired = detector.events.filter((e) => e.event === "fire");
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ kind: "domain-specific", level: "WARNING", domains: [{ domain: "broken.example", records: { MX: 10 } }] });
  });

  it("a clean day and a day with one stray Bogus fire nothing", () => {
    const day = (t: number, i: number) => normal(t, i);
    expect(detect(build([{ from: 0, to: 24 * HOUR, every: 300, make: day }])).events).toEqual([]);
    const stray = detect(build([{ from: 0, to: 24 * HOUR, every: 300, make: day }, { from: 12 * HOUR + 7, to: 12 * HOUR + 8, every: 1, make: (t) => brokenDomain(t) }]));
    expect(stray.events).toEqual([]);
    expect(stray.timeline.reduce((n, b) => n + b.bogus, 0)).toBe(1);
  });

  it("needs the minimum count even when the baseline is zero", () => {
    const two = detect(build([{ from: 0, to: HOUR, every: 60, make: normal }, { from: 1800, to: 1800 + 600, every: 300, make: (t) => brokenDomain(t) }]), { factor: 1 });
    expect(two.events).toEqual([]);
  });
});

describe("the command", () => {
  const dir = mkdtempSync(join(tmpdir(), "esa-dane-alert-"));
  const outageFile = join(dir, "outage.log");
  writeFileSync(outageFile, outageLog);
  const clean = join(dir, "clean.log");
  writeFileSync(clean, build([{ from: 0, to: 6 * HOUR, every: 300, make: normal }]));

  it("speaks the monitoring-plugin convention", () => {
    const critical = runCli(["alert", outageFile]);
    expect(critical.status).toBe(2);
    expect(critical.stdout.split("\n")[0]).toMatch(/^DANE BOGUS CRITICAL - cleared: resolver-wide Bogus burst .* \| bogus=\d+;5;20;0 /);
    const ok = runCli(["alert", clean]);
    expect([ok.status, ok.stdout.split("\n")[0]]).toEqual([0, expect.stringMatching(/^DANE BOGUS OK - no Bogus spike .* \| bogus=0;5;20;0 /)]);
    const missing = runCli(["alert", join(dir, "nope.log")]);
    expect([missing.status, missing.stdout.split("\n")[0]]).toEqual([3, expect.stringMatching(/^DANE BOGUS UNKNOWN - cannot read .*nope\.log/)]);
    expect(runCli(["alert", clean, "--bucket", "soon"]).status).toBe(3);
    expect(runCli(["alert", clean, "--no-such-flag"]).status).toBe(3);
  });

  it("--follow prints alerts as they fire and its status when stopped", async () => {
    const child = spawn(process.execPath, [BIN, "alert", outageFile, "--follow", "--poll-ms", "20"], { env: { ...process.env, TZ: "UTC" } });
    let stdout = "";
    let stderr = "";
    let stopped = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      // Stop it once both events are out, as an admin would with Ctrl-C.
      if (!stopped && stdout.includes(" clear OK ")) stopped = child.kill("SIGTERM");
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const result = { status, stdout, stderr };
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^2024-03-11T10:05Z fire CRITICAL resolver-wide: /);
    expect(lines[1]).toMatch(/^2024-03-11T10:25Z clear OK resolver-wide: /);
    expect(lines[2]).toMatch(/^DANE BOGUS CRITICAL - /);
    expect(lines).toHaveLength(3);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(2);
  });

  it("prints one JSON object per alert event, and the time line with --verbose", () => {
    const json = runCli(["alert", outageFile, "--format", "json"]).stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(json.map((e) => [e.event, e.level, e.kind, e.at])).toEqual([
      ["fire", "CRITICAL", "resolver-wide", "2024-03-11T10:05Z"],
      ["clear", "OK", "resolver-wide", "2024-03-11T10:25Z"],
    ]);
    expect(runCli(["alert", outageFile, "--verbose"]).stdout).toMatch(/2024-03-11T10:05Z\s+30\s+30\s+[\d.]+ CRITICAL/);
  });
});

describe("incremental reading", () => {
  const line = (i: number) => `${at(i)} Info: Start MID ${i} ICID 1`;
  const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => line(from + k)).join("\n") + "\n";

  async function readNew(paths: string[], cursors: FileCursor[]) {
    const seen: number[] = [];
    const result = await readIncrementally(paths, cursors, {}, { event: (e) => e.kind === "message-start" && seen.push(e.mid), malformed: () => {} });
    return { seen, cursors: result.cursors, read: result.files.reduce((n, f) => n + f.read, 0) };
  }

  it("reads every line exactly once across runs, rotation and truncation", async () => {
    const dir = mkdtempSync(join(tmpdir(), "esa-dane-state-"));
    const current = join(dir, "mail_logs_d.current");
    writeFileSync(current, lines(0, 10) + `${at(10)} Info: Start MID 10`); // an unfinished last line
    let run = await readNew([current], []);
    expect(run.seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    appendFileSync(current, ` ICID 1\n${lines(11, 15)}`);
    run = await readNew([current], run.cursors);
    expect(run.seen).toEqual([10, 11, 12, 13, 14]);
    // Rotation: more lines, then the file is renamed and a new one started.
    appendFileSync(current, lines(15, 18));
    const rotated = join(dir, "mail_logs_d.@20240311T090000.s");
    renameSync(current, rotated);
    writeFileSync(current, lines(18, 20));
    run = await readNew([rotated, current], run.cursors);
    expect(run.seen).toEqual([15, 16, 17, 18, 19]);
    expect(run.read).toBe(5);
    // Truncated in place: read from the start again.
    writeFileSync(current, lines(30, 31));
    run = await readNew([rotated, current], run.cursors);
    expect(run.seen).toEqual([30]);
    // Nothing new: nothing read.
    run = await readNew([rotated, current], run.cursors);
    expect(run.seen).toEqual([]);
  });

  it("keeps the detector and the cursors in the --state file between cron runs", () => {
    const dir = mkdtempSync(join(tmpdir(), "esa-dane-cron-"));
    const file = join(dir, "mail_logs_d.current");
    const state = join(dir, "alert.state");
    const all = outageLog.split("\n");
    const cut = all.findIndex((l) => l.includes("10:06:"));
    writeFileSync(file, `${all.slice(0, cut).join("\n")}\n`);
    const first = runCli(["alert", file, "--state", state]);
    appendFileSync(file, `${all.slice(cut).join("\n")}`);
    const second = runCli(["alert", file, "--state", state]);
    const third = runCli(["alert", file, "--state", state]);
    expect([first.status, second.status]).toEqual([2, 2]);
    expect(second.stdout).toContain("clear OK resolver-wide");
    expect(third.status).toBe(0);
  });

  it("--follow sees lines appended after start and after a rotation", async () => {
    const dir = mkdtempSync(join(tmpdir(), "esa-dane-follow-"));
    const current = join(dir, "mail_logs_d.current");
    writeFileSync(current, lines(0, 3));
    const seen: number[] = [];
    const controller = new AbortController();
    let rounds = 0;
    const steps = [
      () => appendFileSync(current, lines(3, 5)),
      () => {
        appendFileSync(current, lines(5, 6));
        renameSync(current, join(dir, "mail_logs_d.@20240311T090000.s"));
        writeFileSync(current, lines(6, 8));
      },
      () => appendFileSync(current, lines(8, 9)),
      () => controller.abort(),
    ];
    await follow([current], {}, { event: (e) => e.kind === "message-start" && seen.push(e.mid), malformed: () => {} }, controller.signal, 5, () => {
      steps[rounds++]?.();
    });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
