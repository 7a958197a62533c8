// `esa-dane alert` in-process: logs written by the log builder go through the real pipeline
// (readText -> Analysis -> BogusDetector), and the incremental readers (--state, --follow) are
// checked for reading every line exactly once across appends, rotation and truncation.
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BogusDetector, DEFAULT_DETECTOR, type AlertEvent, type DetectorOptions } from "../src/alert/detector.js";
import { detectorOptions, parseDuration } from "../src/alert/options.js";
import { EXIT_CODE, pluginOutput, pluginState } from "../src/alert/output.js";
import type { FileStats } from "../src/input/accounting.js";
import { follow } from "../src/input/follow.js";
import { readIncrementally, type FileCursor } from "../src/input/incremental.js";
import { readText } from "../src/input/read.js";
import type { RecordSink } from "../src/input/records.js";
import { Analysis } from "../src/pipeline.js";
import { cleanDayScenario, lineIndexAt, LogBuilder, MINUTE, oneDomainBogusScenario, outageScenario, stamp, T0, type Scenario } from "./helpers/log-builder.js";

const FIRST_LINE = /^DANE BOGUS (OK|WARNING|CRITICAL|UNKNOWN) - .* \| bogus=\d+;\d+;\d+;0/;
const BUCKET = 5 * MINUTE;

interface Run {
  detector: BogusDetector;
  events: AlertEvent[];
  output: string;
  exit: number;
  lines: number;
}

/** What `esa-dane alert FILE` does without --state: the whole log, then the last bucket closed. */
function alert(text: string, options: Partial<DetectorOptions> = {}): Run {
  const detector = new BogusDetector({ ...DEFAULT_DETECTOR, ...options });
  const analysis = new Analysis({ mode: "unknown" }, { lookup: (lookup) => detector.add(lookup) });
  const stats = readText(text, "mail_logs_d.current", {}, analysis.records);
  analysis.finish();
  detector.flush();
  const state = pluginState(detector, []);
  return { detector, events: detector.events, output: pluginOutput(detector, { state, problems: [], linesRead: stats.read, withEvents: true }), exit: EXIT_CODE[state], lines: stats.read };
}

describe("alert: resolver outage (primary SERVER FAILED, secondary without DNSSEC answers Bogus)", () => {
  let scenario: Scenario;
  let run: Run;
  beforeAll(() => {
    scenario = outageScenario();
    run = alert(scenario.text);
  });

  it("fires exactly once, CRITICAL, resolver-wide, at the first Bogus bucket (resolver-wide does not wait for --hold), naming the secondary", () => {
    const fires = run.events.filter((e) => e.event === "fire" || e.event === "escalate");
    expect(fires).toHaveLength(1);
    const fire = fires[0]!;
    expect(fire).toMatchObject({ event: "fire", level: "CRITICAL", kind: "resolver-wide", provisional: false });
    expect(fire.sinceMs).toBe(scenario.marks["outageStart"]);
    expect(fire.atMs).toBe(scenario.marks["outageStart"]!);
    expect(fire.resolvers[0]).toMatchObject({ resolver: "10.0.1.53" });
    expect(fire.evidence.topResolver).toBe("10.0.1.53");
    expect(fire.evidence.topShare).toBe(1);
    expect(fire.evidence.rules).toContain("after-fallback");
    expect(fire.domainCount).toBe(25);
    // The primary is named as the one that failed, not as the source of the Bogus answers.
    expect(fire.resolvers.find((r) => r.resolver === "10.0.0.53")).toMatchObject({ bogus: 0 });
    expect(fire.resolvers.find((r) => r.resolver === "10.0.0.53")!.failures).toBeGreaterThan(0);
  });

  it("clears after the outage, at the second quiet bucket", () => {
    const clears = run.events.filter((e) => e.event === "clear");
    expect(clears).toHaveLength(1);
    expect(clears[0]!.atMs).toBe(scenario.marks["outageEnd"]! + BUCKET);
    expect(run.events.map((e) => e.event)).toEqual(["fire", "clear"]);
    expect(run.detector.levelNow).toBe("OK");
  });

  it("nothing before the outage: no bucket above OK before it starts", () => {
    const before = run.detector.timeline.filter((row) => row.startMs < scenario.marks["outageStart"]!);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((row) => row.level === "OK" && row.bogus === 0)).toBe(true);
    const during = run.detector.timeline.filter((row) => row.startMs >= scenario.marks["outageStart"]! && row.startMs < scenario.marks["outageEnd"]!);
    expect(during.map((row) => [row.bogus, row.level])).toEqual(Array(4).fill([25, "CRITICAL"]));
  });

  it("the plugin output: CRITICAL, exit 2, first line with perfdata, the events after it", () => {
    expect(run.exit).toBe(2);
    const lines = run.output.trimEnd().split("\n");
    expect(lines[0]).toMatch(FIRST_LINE);
    expect(lines[0]).toMatch(/^DANE BOGUS CRITICAL - resolver-wide Bogus burst 2024-03-11T10:00Z to 2024-03-11T10:20Z \(cleared\): 100 new Bogus answers for 30 domains: 10\.0\.0\.53 failed 100 queries \(SERVER FAILED\); 10\.0\.1\.53 answered them/);
    expect(lines[0]).toMatch(/\| bogus=0;5;20;0 chronic=0;;;0 domains=0;;;0 bogus_max=25;5;20;0 baseline=[\d.]+;;;0 alerts=1;;;0$/);
    // One episode: the status line says it all.
    expect(lines).toHaveLength(1);
  });
});

describe("alert: one domain turning Bogus", () => {
  let scenario: Scenario;
  let run: Run;
  beforeAll(() => {
    scenario = oneDomainBogusScenario();
    run = alert(scenario.text, { warning: 5, minCount: 3 });
  });

  it("a domain-specific WARNING naming the domain and the MX record", () => {
    const fires = run.events.filter((e) => e.event !== "clear");
    expect(fires).toHaveLength(1);
    expect(fires[0]).toMatchObject({ event: "fire", level: "WARNING", kind: "domain-specific", sinceMs: scenario.marks["bogusStart"], atMs: scenario.marks["bogusStart"]! + BUCKET });
    expect(fires[0]!.domains).toEqual([{ domain: "broken.example", records: { MX: 10 } }]);
    expect(fires[0]!.domainCount).toBe(1);
    expect(run.exit).toBe(1);
    expect(run.output).toMatch(FIRST_LINE);
    expect(run.output.split("\n")[0]).toContain("Bogus DNSSEC for broken.example (MX 60)");
    expect(run.events.at(-1)).toMatchObject({ event: "clear", atMs: scenario.marks["bogusEnd"]! + BUCKET });
  });

  it("every bucket of the hour counts the domain's 5 Bogus MX answers, none from other domains", () => {
    const rows = run.detector.timeline.filter((row) => row.bogus > 0);
    expect(rows).toHaveLength(12);
    expect(rows.every((row) => row.bogus === 5 && row.domains === 1)).toBe(true);
  });

  it("with --warning above the count, no alert", () => {
    expect(alert(scenario.text, { warning: 6, critical: 20 }).events).toEqual([]);
  });
});

describe("alert: hostile domain names in the plugin output", () => {
  it("the first line keeps its form: no ESC, and the only `|` is the one before the perfdata", () => {
    const builder = new LogBuilder({ start: T0 });
    const names = ["evil|x.example", "\u001b[31mred.example", "<b>bold</b>.example"];
    for (let minute = 0; minute < 15; minute++) {
      names.forEach((domain, i) => builder.delivery({ domain, mxHost: `mx.${domain}`, ip: "192.0.2.66", at: T0 + minute * MINUTE + i * 10_000, mx: "bogus", extraLookups: false }));
    }
    const run = alert(builder.text());
    // The names do reach the detector (else this test would prove nothing).
    expect(run.events.length).toBeGreaterThan(0);
    expect(run.events[0]!.domains.map((d) => d.domain).sort()).toEqual([...names].sort());
    expect(run.output).not.toContain("\u001b");
    const first = run.output.split("\n")[0]!;
    expect(first).toMatch(FIRST_LINE);
    expect(first.split("|")).toHaveLength(2);
    expect(first).toContain("evil\\x7cx.example");
    expect(first).toContain("\\x1b[31mred.example");
  });
});

describe("alert: detector options (--bucket and the thresholds)", () => {
  const args = { bucket: "5m", "min-count": 3, warning: 5, critical: 20, factor: 4, alpha: 0.3, hold: 2, chronic: "1h" };

  it("--bucket durations: 30s, 5m, 1h; anything else is a usage error", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    for (const bad of ["5x", "0m", "five", "5", "", "-5m", "1.5h"]) {
      expect(parseDuration(bad), bad).toBeNull();
      expect(detectorOptions({ ...args, bucket: bad }), bad).toMatchObject({ error: { code: "E_USAGE" } });
    }
    expect(detectorOptions(args)).toEqual({ options: DEFAULT_DETECTOR });
  });

  it("thresholds: warning above critical, hold 0, alpha 0, factor below 1 are usage errors", () => {
    expect(detectorOptions({ ...args, warning: 30, critical: 20 })).toMatchObject({ error: { code: "E_USAGE" } });
    expect(detectorOptions({ ...args, hold: 0 })).toMatchObject({ error: { code: "E_USAGE" } });
    expect(detectorOptions({ ...args, "min-count": 1.5 })).toMatchObject({ error: { code: "E_USAGE" } });
    expect(detectorOptions({ ...args, alpha: 0 })).toMatchObject({ error: { code: "E_USAGE" } });
    expect(detectorOptions({ ...args, factor: 0.5 })).toMatchObject({ error: { code: "E_USAGE" } });
  });

  it("1h buckets with hold 1: the outage fires CRITICAL in the 10:00 bucket", () => {
    const run = alert(outageScenario().text, { bucketMs: 3_600_000, hold: 1 });
    expect(run.events.filter((e) => e.event === "fire")).toEqual([expect.objectContaining({ level: "CRITICAL", kind: "resolver-wide", atMs: Date.UTC(2024, 2, 11, 10) })]);
    expect(run.exit).toBe(2);
  });
});

describe("alert: no false alarms", () => {
  const falseAlarms: AlertEvent[] = [];
  afterAll(() => {
    // Reported in the run's output: the false-alarm count over the clean scenarios.
    console.log(`false alarms over the clean day and the day with a stray Bogus: ${falseAlarms.length}`);
  });

  it("a clean day (24 h, a delivery every 5 minutes): OK, exit 0, no events", () => {
    const run = alert(cleanDayScenario().text);
    falseAlarms.push(...run.events);
    expect(run.events).toEqual([]);
    expect(run.exit).toBe(0);
    expect(run.detector.timeline.every((row) => row.bogus === 0)).toBe(true);
    expect(run.output).toMatch(/^DANE BOGUS OK - no Bogus spike in 288 buckets of 5 min \(\d+ lines\) \| bogus=0;5;20;0/);
  });

  it("a day with a single stray Bogus: counted, but no alert", () => {
    const run = alert(cleanDayScenario([T0 + 13 * 60 * MINUTE + 90_000]).text);
    falseAlarms.push(...run.events);
    expect(run.detector.timeline.reduce((n, row) => n + row.bogus, 0)).toBe(1);
    expect(run.events).toEqual([]);
    expect(run.exit).toBe(0);
    expect(run.output).toMatch(FIRST_LINE);
    expect(run.output).toMatch(/bogus_max=1;5;20;0/);
  });

  it("stray Bogus in consecutive buckets, each below --min-count (but above factor x baseline 0): no alert", () => {
    const at = T0 + 6 * 60 * MINUTE;
    // 1 then 2: each above 4 x the baseline (0, then 0.3), both below --min-count 3.
    const run = alert(cleanDayScenario([at + 60_000, at + BUCKET + 60_000, at + BUCKET + 120_000]).text);
    falseAlarms.push(...run.events);
    expect(run.detector.timeline.filter((row) => row.bogus > 0).map((row) => row.bogus)).toEqual([1, 2]);
    expect(run.events).toEqual([]);
    expect(run.exit).toBe(0);
  });

  it("the false-alarm count is 0", () => {
    expect(falseAlarms).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------
// --state (readIncrementally) and --follow (follow): every line exactly once.

/** Lines with unique markers (`MID n ready ... <m-n@...>`, an unknown line) among realistic delivery lines. */
class Writer {
  private n = 0;
  private t = T0;
  readonly written: string[] = [];
  constructor(private readonly builder = new LogBuilder({ start: T0 })) {}

  header(): string {
    return `${this.builder.render(this.builder.header(this.t)).join("\n")}\n`;
  }

  /** `count` marker lines, with a delivery's lines between every few of them. */
  lines(count: number): string {
    const out: string[] = [];
    const b = new LogBuilder({ start: this.t });
    for (let i = 0; i < count; i++) {
      this.t += 1000;
      const id = ++this.n;
      this.written.push(`m-${id}`);
      out.push(`${stamp(this.t)} Info: MID ${900000 + id} ready 100 bytes from <m-${id}@example.com>`);
    }
    // IDs unique across chunks, as on one appliance.
    b.delivery({ domain: `d${this.n}.example`, mxHost: `mx.d${this.n}.example`, ip: "192.0.2.7", at: this.t, extraLookups: false, dcid: 300000 + this.n, mid: 500000 + this.n, icid: 700000 + this.n });
    this.t += 10_000;
    const delivery = b.textLines().slice(3);
    return `${[...out, ...delivery].join("\n")}\n`;
  }
}

/** A sink that remembers the markers seen (and counts everything). */
function markerSink(): { sink: RecordSink; markers: string[] } {
  const markers: string[] = [];
  return {
    markers,
    sink: {
      event: () => undefined,
      malformed: () => undefined,
      unknown: (line) => {
        const m = /<(m-\d+)@example\.com>/.exec(line.text);
        if (m !== null) markers.push(m[1]!);
      },
    },
  };
}

const linesIn = (text: string) => text.split("\n").length - 1;
const sumRead = (files: readonly FileStats[]) => files.reduce((n, f) => n + f.read, 0);

describe("alert --state: readIncrementally reads each line exactly once across runs and rotation", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "esa-dane-state-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("append, rotate (.current -> .@...s), new .current, truncate", async () => {
    const current = join(dir, "mail_logs_d.current");
    const rotated = join(dir, "mail_logs_d.@20240311T100000.s");
    const w = new Writer();
    const { sink, markers } = markerSink();
    let cursors: FileCursor[] = [];
    let written = 0;
    const write = (text: string, append = true) => {
      if (append) appendFileSync(current, text);
      else writeFileSync(current, text);
      written += linesIn(text);
    };
    const run = async () => {
      const result = await readIncrementally([current], cursors, {}, sink);
      expect(result.errors).toEqual([]);
      cursors = result.cursors;
      return result;
    };

    // Run 1: a fresh file.
    write(w.header() + w.lines(10), false);
    const r1 = await run();
    expect(sumRead(r1.files)).toBe(written);
    let total = sumRead(r1.files);

    // Run 2: nothing new.
    const r2 = await run();
    expect(sumRead(r2.files)).toBe(0);

    // Run 3: lines appended, and a last line still being written (no newline yet).
    write(w.lines(7));
    appendFileSync(current, `${stamp(T0)} Info: MID 1 ready 100 bytes from <partial`);
    const r3 = await run();
    total += sumRead(r3.files);
    expect(total).toBe(written);
    // Its end arrives: read once, whole.
    appendFileSync(current, "@example.com>\n");
    written += 1;
    const r4 = await run();
    expect(sumRead(r4.files)).toBe(1);
    total += 1;

    // Run 5: more lines in .current, then rotation, then a new .current with its own lines.
    write(w.lines(5));
    renameSync(current, rotated);
    write(w.header() + w.lines(4), false);
    const r5 = await run();
    expect(r5.files.map((f) => f.file)).toEqual([rotated, current]);
    expect(r5.warnings).toEqual([]);
    total += sumRead(r5.files);
    expect(total).toBe(written);

    // Run 6: more lines.
    write(w.lines(3));
    const r6 = await run();
    total += sumRead(r6.files);
    expect(total).toBe(written);

    // Truncation: the file starts over, shorter than before; read from its start.
    const restart = w.header() + w.lines(1);
    expect(restart.length).toBeLessThan(readFileSync(current, "utf8").length);
    truncateSync(current, 0);
    write(restart);
    const r7 = await run();
    expect(sumRead(r7.files)).toBe(linesIn(restart));
    total += sumRead(r7.files);
    expect(total).toBe(written);

    // Every marker exactly once.
    expect(markers).toEqual(w.written);
    expect(new Set(markers).size).toBe(markers.length);
  });

  it("the detector goes on across runs: the outage fires once when its log is read in three runs", async () => {
    const path = join(dir, "outage.current");
    const scenario = outageScenario();
    const lines = scenario.text.split("\n").slice(0, -1);
    // Cut in the middle of the first Bogus bucket (the fire is judged on the open bucket, provisionally),
    // in the middle of the fourth, and at the end.
    const start = scenario.marks["outageStart"]!;
    const cuts = [lineIndexAt(lines, start + 150_000), lineIndexAt(lines, start + 3 * BUCKET + 150_000), lines.length];
    let from = 0;
    let cursors: FileCursor[] = [];
    let state: ReturnType<BogusDetector["snapshot"]> | undefined;
    const events: AlertEvent[] = [];
    let read = 0;
    for (const cut of cuts) {
      appendFileSync(path, `${lines.slice(from, cut).join("\n")}\n`);
      from = cut;
      const detector = new BogusDetector(DEFAULT_DETECTOR, state);
      const analysis = new Analysis({ mode: "unknown" }, { lookup: (lookup) => detector.add(lookup) });
      const result = await readIncrementally([path], cursors, {}, analysis.records);
      analysis.finish();
      detector.judgeOpenBucket();
      state = detector.snapshot();
      cursors = result.cursors;
      read += sumRead(result.files);
      events.push(...detector.events);
    }
    expect(read).toBe(lines.length);
    const fires = events.filter((e) => e.event === "fire" || e.event === "escalate");
    expect(fires.map((e) => [e.event, e.level, e.kind, e.resolvers[0]?.resolver, e.atMs])).toEqual([["fire", "CRITICAL", "resolver-wide", "10.0.1.53", start]]);
    // Reported by the first run, on the bucket still open.
    expect(fires[0]!.provisional).toBe(true);
    expect(events.filter((e) => e.event === "clear")).toHaveLength(1);
  });
});

describe("alert --follow: follow() sees every line once across appends, rotation and truncation", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "esa-dane-follow-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("append after start, rename with the old file still written to, new file, append, truncate", async () => {
    const current = join(dir, "mail_logs_d.current");
    const rotated = join(dir, "mail_logs_d.@20240311T100000.s");
    const w = new Writer();
    let written = 0;
    const write = (path: string, text: string, append = true) => {
      if (append) appendFileSync(path, text);
      else writeFileSync(path, text);
      written += linesIn(text);
    };
    write(current, w.header() + w.lines(5), false);
    const { sink, markers } = markerSink();
    const controller = new AbortController();
    // Each step runs after a poll, before the next one: no timing involved.
    const steps: (() => void)[] = [
      () => write(current, w.lines(3)),
      () => {
        write(current, w.lines(2));
        renameSync(current, rotated);
        // The appliance still writes to the old file before it opens the new one.
        write(rotated, w.lines(2));
      },
      () => write(current, w.header() + w.lines(4), false),
      () => write(current, w.lines(3)),
      () => {
        truncateSync(current, 0);
        write(current, w.header() + w.lines(1));
      },
      () => write(current, w.lines(2)),
      // A second rotation between two polls: last lines, rename, new file, all at once.
      () => {
        write(current, w.lines(2));
        renameSync(current, join(dir, "mail_logs_d.@20240311T110000.s"));
        write(current, w.header() + w.lines(2), false);
      },
      () => write(current, w.lines(1)),
      () => controller.abort(),
    ];
    let polls = 0;
    const seenAfterPoll: number[] = [];
    const result = await follow([current], {}, sink, {
      signal: controller.signal,
      pollMs: 1,
      onPoll: (files) => {
        seenAfterPoll.push(sumRead(files));
        steps[polls++]?.();
      },
    });
    expect(polls).toBe(steps.length);
    expect(result.errors).toEqual([]);
    expect(sumRead(result.files)).toBe(written);
    expect(markers).toEqual(w.written);
    expect(new Set(markers).size).toBe(markers.length);
    // Each poll caught up with everything written before it.
    expect(seenAfterPoll.at(-1)).toBe(written);
    // The cursor of the name followed ends at the end of the new file (one of the rotated file may be kept too).
    const last = result.cursors.find((c) => c.path === current);
    expect(last).toMatchObject({ offset: readFileSync(current).length });
  });
});
