// Issue 11 through the built binary (TZ=UTC), on generated days (test/helpers/alert-day.ts):
// chronically broken domains, random noise, DANE-signed domains validating, and a resolver
// outage (primary SERVER FAILED, the secondary without DNSSEC answering Bogus) starting off a
// bucket boundary. With the outage, in the file and syslog forms, one and two appliances: a
// resolver-wide CRITICAL naming the secondary within 15 minutes of the start, exit 2, on the first
// line. The same days without it: no alert, exit 0, the chronic domains listed as standing.
// Then: the worst episode leads the output; --state runs over pieces give the one-run episodes;
// a dead feed is UNKNOWN; `report` and `alert` give the same verdict.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertDay, DAY_T0, fileTexts, syslogText, type AlertDay } from "./helpers/alert-day.js";
import { runCliAsync, type CliResult } from "./helpers/cli.js";
import { brokenDomainLines, deliveryLines, render, type Line } from "./helpers/generate-log.js";

const MINUTE = 60_000;
/** 03:07:20 UTC: two minutes into a bucket, 20 minutes long. */
const OUTAGE = { startMs: DAY_T0 + 3 * 60 * MINUTE + 7 * MINUTE + 20_000, minutes: 20 };

// Syslog lines carry no year: the generated days are in 2024.
const esaDane = (args: string[]): Promise<CliResult> => runCliAsync([...args, "--year", "2024"]);

const firstLine = (r: CliResult) => r.stdout.split("\n")[0]!;
const head = (r: CliResult) => firstLine(r).split(" | ")[0]!;
interface JsonEvent {
  event: string;
  level: string;
  kind: string;
  atMs: number;
  evidence: { topResolver: string };
  appliances: { host: string | null; kind: string; evidence: { topResolver: string } }[];
}
const events = (r: CliResult) => (r.stdout.trim() === "" ? [] : r.stdout.trim().split("\n").map((l) => JSON.parse(l) as JsonEvent));

let dir: string;
const files: Record<string, string[]> = {};
const day = (name: string, generated: AlertDay, form: "file" | "syslog") => {
  const texts = form === "syslog" ? [syslogText(generated)] : fileTexts(generated);
  files[name] = texts.map((text, i) => {
    const path = join(dir, `${name}-${i}.log`);
    writeFileSync(path, text);
    return path;
  });
};

const cases = [
  { name: "file-1", form: "file" as const, appliances: 1 as const },
  { name: "syslog-1", form: "syslog" as const, appliances: 1 as const },
  { name: "file-2", form: "file" as const, appliances: 2 as const },
  { name: "syslog-2", form: "syslog" as const, appliances: 2 as const },
];
const SECONDARIES = ["10.0.1.53", "10.8.1.53"];
const runs: Record<string, { text: CliResult; json: CliResult | null }[]> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "esa-dane-alert-days-"));
  for (const c of cases) {
    const spec = { seed: 11, hours: 5, perMinute: 4, appliances: c.appliances, chronicDomains: 5 };
    // The outage hits every appliance of the day: each one's secondary must be named.
    day(`${c.name}-outage`, alertDay({ ...spec, outage: { ...OUTAGE, appliances: [0, 1] } }), c.form);
    day(`${c.name}-clean`, alertDay(spec), c.form);
  }
  const jobs = Object.entries(files).flatMap(([name, paths]) => paths.map((path, i) => ({ name, i, path })));
  // The first appliance of a two-appliance day is, byte for byte, the one-appliance day (same
  // seed, its lines drawn first): the binary runs once per distinct text and the cases share it.
  const byText = new Map<string, Promise<{ text: CliResult; json: CliResult | null }>>();
  // The clean days need no JSON run: no event is the same as the OK status line with exit 0.
  const runOnce = (job: (typeof jobs)[number]) => {
    const key = `${job.name.endsWith("-outage")}\n${readFileSync(job.path, "utf8")}`;
    if (!byText.has(key)) byText.set(key, (async () => ({ text: await esaDane(["alert", job.path]), json: job.name.endsWith("-outage") ? await esaDane(["alert", job.path, "--format", "json"]) : null }))());
    return byText.get(key)!;
  };
  const results = await Promise.all(jobs.map(async (job) => ({ job, ...(await runOnce(job)) })));
  for (const { job, text, json } of results) (runs[job.name] ??= [])[job.i] = { text, json };
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("generated days with a resolver outage", () => {
  for (const c of cases) {
    it(`${c.name}: resolver-wide CRITICAL naming the secondary within 15 minutes, exit 2, on the first line`, () => {
      const perFile = runs[`${c.name}-outage`]!;
      // The file form: one file per appliance, each watched on its own; syslog: one stream.
      expect(perFile).toHaveLength(c.form === "file" ? c.appliances : 1);
      perFile.forEach(({ text, json: result }, i) => {
        const json = result!;
        const secondaries = c.form === "file" ? [SECONDARIES[i]!] : SECONDARIES.slice(0, c.appliances);
        expect(text.status).toBe(2);
        expect(json.status).toBe(2);
        for (const secondary of secondaries) expect(head(text)).toMatch(new RegExp(`^DANE BOGUS CRITICAL - resolver-wide Bogus burst 2024-03-11T03:05Z to 2024-03-11T03:\\d\\dZ \\(cleared\\): .*${secondary.replaceAll(".", "\\.")} answered them: \\d+ Bogus for (\\d+ domains, )?\\d+ domains that validated before, nothing Secure`));
        const fire = events(json).find((e) => e.event === "fire")!;
        expect([fire.level, fire.kind]).toEqual(["CRITICAL", "resolver-wide"]);
        expect(fire.appliances.filter((a) => a.kind === "resolver-wide").map((a) => a.evidence.topResolver).sort()).toEqual(secondaries);
        // Judged when its bucket ends: that is when a run reading the log can report it.
        expect(fire.atMs + 5 * MINUTE - OUTAGE.startMs).toBeLessThanOrEqual(15 * MINUTE);
        expect(fire.atMs + 5 * MINUTE).toBeGreaterThan(OUTAGE.startMs);
        // Nothing else fired all day: one episode, the status line alone says it.
        expect(events(json).filter((e) => e.event !== "clear")).toHaveLength(1);
        expect(text.stdout.trimEnd().split("\n")).toHaveLength(1);
      });
      if (c.appliances === 2 && c.form === "syslog") expect(head(perFile[0]!.text)).toMatch(/esa1\.example\.com: 10\.0\.0\.53 failed \d+ queries \(SERVER FAILED\); 10\.0\.1\.53 answered them: .*; esa2\.example\.com: 10\.8\.0\.53 failed \d+ queries \(SERVER FAILED\); 10\.8\.1\.53 answered them/);
    });
  }
});

describe("the same days without the outage", () => {
  for (const c of cases) {
    it(`${c.name}: no alert, exit 0; the chronic domains are a standing condition`, () => {
      for (const { text } of runs[`${c.name}-clean`]!) {
        expect(text.status).toBe(0);
        const chronic = c.form === "syslog" ? 5 * c.appliances : 5;
        expect(head(text)).toMatch(new RegExp(`^DANE BOGUS OK - no Bogus spike in 60 buckets of 5 min \\(\\d+ lines\\); standing: ${chronic} domain\\(s\\) chronically Bogus`));
        expect(head(text)).toMatch(/; standing: \d+ domain\(s\) chronically Bogus, not alerted on: (esa\d\.example\.com: )?chronic\d\.broken\.example \(MX since 2024-03-11T00:0\d(:\d\d)?Z\)/);
        expect(head(text)).toMatch(/\d+ Bogus answers for \d+ domains from 10\.[08]\.0\.53 \(\d+; it answered \d+ Secure\).*: resolvers that validate other domains, so these domains' own DNSSEC is broken/);
        expect(text.stdout.trimEnd().split("\n")).toHaveLength(1);
      }
    });
  }
});

describe("the status line is the worst episode", () => {
  it("a domain-specific WARNING before and after a resolver-wide CRITICAL: the CRITICAL leads, the others follow one a line", async () => {
    const generated = alertDay({ seed: 12, hours: 6, perMinute: 4, outage: OUTAGE });
    const { appliance: app } = generated.appliances[0]!;
    const extra: Line[] = [];
    // Two domains that validate, then break for 30 minutes (their mail retried every minute): at 01:00 and at 05:00.
    for (const [domain, breakAt, id] of [["early.example", DAY_T0 + 60 * MINUTE, 700_000], ["late.example", DAY_T0 + 300 * MINUTE, 710_000]] as const) {
      for (let ms = DAY_T0 + 30_000, n = id; ms < breakAt; ms += 10 * MINUTE, n++) extra.push(...deliveryLines({ ms, domain, dcid: n, mid: n, mx: "secure" }));
      for (let ms = breakAt + 10_000, n = id + 500; ms < breakAt + 30 * MINUTE; ms += MINUTE / 2, n++) extra.push(...brokenDomainLines(ms, domain, n));
    }
    const path = join(dir, "worst.log");
    writeFileSync(path, render(app, [...generated.appliances[0]!.lines, ...extra]));
    const r = await esaDane(["alert", path]);
    expect(r.status).toBe(2);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^DANE BOGUS CRITICAL - resolver-wide Bogus burst 2024-03-11T03:05Z to .*10\.0\.1\.53 answered them/);
    // The others, worst first, then the latest first.
    // (A stray Bogus answer of the random noise may fall into one of them.)
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^WARNING domain-specific Bogus DNSSEC for late\.example \(MX 60\)(, d\d+\.example \(MX 1\))? 2024-03-11T05:00Z to 2024-03-11T05:30Z \(cleared\): \d+ Bogus answers for \d domains? from 10\.0\.0\.53/),
      expect.stringMatching(/^WARNING domain-specific Bogus DNSSEC for early\.example \(MX 60\)(, d\d+\.example \(MX 1\))? 2024-03-11T01:00Z to 2024-03-11T01:30Z \(cleared\): /),
    ]);
  });
});

describe("--state over pieces of a generated day", () => {
  it("gives the episodes of one run (two appliances, syslog), each line read once", async () => {
    const lines = readFileSync(files["syslog-2-outage"]![0]!, "utf8").split("\n").slice(0, -1);
    const oneRun = runs["syslog-2-outage"]![0]!.text;
    const cron = mkdtempSync(join(dir, "cron-"));
    const log = join(cron, "esa.log");
    const state = join(cron, "alert.state");
    writeFileSync(log, "");
    const heads: string[] = [];
    // Cuts before, inside (twice) and after the outage, and one at the end.
    const cutAt = (ms: number) => lines.findIndex((l) => l.slice(11, 19) >= new Date(ms).toISOString().slice(11, 19));
    const cuts = [cutAt(OUTAGE.startMs - 30 * MINUTE), cutAt(OUTAGE.startMs + 150_000), cutAt(OUTAGE.startMs + 11 * MINUTE), cutAt(OUTAGE.startMs + 45 * MINUTE), lines.length];
    expect(cuts.every((c, i) => c > 0 && (i === 0 || c > cuts[i - 1]!))).toBe(true);
    let from = 0;
    let read = 0;
    for (const cut of cuts) {
      appendFileSync(log, `${lines.slice(from, cut).join("\n")}\n`);
      from = cut;
      const r = await esaDane(["alert", log, "--state", state, "--stats", "json"]);
      read += (JSON.parse(r.stderr.trim()) as { total: { read: number } }).total.read;
      heads.push(head(r));
    }
    expect(read).toBe(lines.length);
    expect(heads[0]).toMatch(/^DANE BOGUS OK - no Bogus spike/);
    expect(heads[1]).toMatch(/^DANE BOGUS CRITICAL - resolver-wide Bogus burst since 2024-03-11T03:05Z \(active, bucket still open\)/);
    expect(heads[2]).toMatch(/^DANE BOGUS CRITICAL - resolver-wide Bogus burst since 2024-03-11T03:05Z \(active/);
    // The run that saw it clear tells the episode as the single run does, word for word (the
    // standing clause after it counts the chronic answers of each run's own lines).
    const episode = (text: string) => text.split("; standing: ")[0];
    expect(episode(heads[3]!)).toBe(episode(head(oneRun)));
    expect(heads[4]).toMatch(/^DANE BOGUS OK - no Bogus spike in \d+ buckets of 5 min \(\d+ lines\); standing: 10 domain\(s\) chronically Bogus/);
  });
});

describe("a dead feed is UNKNOWN", () => {
  it("no line at all; with --state, no new line for longer than --stale", async () => {
    const empty = join(dir, "empty.log");
    writeFileSync(empty, "");
    const none = await esaDane(["alert", empty]);
    expect([none.status, firstLine(none)]).toEqual([3, expect.stringMatching(/^DANE BOGUS UNKNOWN - no log line read: is the log feed dead\? \| /)]);
    expect(none.stdout.split("\n")[1]).toBe("error E_NO_LINES: no log line read: is the log feed dead?");

    const cron = mkdtempSync(join(dir, "stale-"));
    const state = join(cron, "alert.state");
    const log = join(cron, "esa.log");
    writeFileSync(log, "");
    const first = await esaDane(["alert", log, "--state", state, "--format", "json"]);
    expect([first.status, JSON.parse(first.stdout)]).toEqual([3, expect.objectContaining({ event: "error", code: "E_NO_LINES" })]);
    writeFileSync(log, readFileSync(files["file-1-clean"]![0]!, "utf8"));
    expect((await esaDane(["alert", log, "--state", state])).status).toBe(0);
    // Nothing new since: fine for now...
    expect((await esaDane(["alert", log, "--state", state])).status).toBe(0);
    // ...but not after two hours of wall-clock time without a new line (the state says when one last came).
    const saved = JSON.parse(readFileSync(state, "utf8")) as { newestLineReadAtMs: number };
    writeFileSync(state, JSON.stringify({ ...saved, newestLineReadAtMs: Date.now() - 2 * 3_600_000 }));
    const stale = await esaDane(["alert", log, "--state", state]);
    expect([stale.status, firstLine(stale)]).toEqual([3, expect.stringMatching(/^DANE BOGUS UNKNOWN - no new log line for 120 min \(last read at .*, --stale 1h\): is the log feed dead\? \| /)]);
    expect(stale.stdout).toMatch(/\nerror E_STALE: no new log line/);
    expect((await esaDane(["alert", log, "--state", state, "--stale", "3h"])).status).toBe(0);
  });
});

describe("report and alert give the same verdict", () => {
  it("on samples/: a resolver problem, the secondary answering after the primary failed", async () => {
    const [report, alert] = await Promise.all([esaDane(["report", "samples/"]), esaDane(["alert", "samples/", "--min-count", "1", "--warning", "1", "--hold", "1", "--format", "json"])]);
    const reason = "10.0.0.53 failed 1 query (SERVER FAILED); 10.0.1.53 answered them: 1 Bogus for 1 domain, nothing Secure";
    expect(report.stdout.replace(/\s+/g, " ")).toContain(`1 domain had Bogus DNSSEC answers (bogus-mx.example: MX): a resolver problem, not the domain's. ${reason}`);
    const fired = events(alert);
    expect(fired.map((e) => [e.event, e.kind])).toEqual([["fire", "resolver-wide"], ["clear", "resolver-wide"]]);
    expect((fired[0] as unknown as { reason: string }).reason).toContain(reason);
  });

  it("on a generated outage day: report tells the outage, in alert's words, and the standing chronic domains apart", async () => {
    const path = files["syslog-1-outage"]![0]!;
    const report = await esaDane(["report", path, "--format", "json"]);
    const verdict = (JSON.parse(report.stdout) as { verdict: string[] }).verdict;
    const alert = head(runs["syslog-1-outage"]![0]!.text);
    const reason = /\(cleared\): \d+ new Bogus answers for \d+ domains: (.*?); standing: /.exec(alert)![1]!;
    expect(reason).toMatch(/^esa1\.example\.com: 10\.0\.0\.53 failed \d+ queries \(SERVER FAILED\); 10\.0\.1\.53 answered them: /);
    expect(verdict[0]).toMatch(/^CRITICAL alert 2024-03-11T03:05Z to 2024-03-11T03:30Z: \d+ domains had Bogus DNSSEC answers \(.*\): a resolver problem, not the domains'\. /);
    expect(verdict[0]).toContain(` ${reason}. Mail to them stays queued`);
    // The chronic domains: a standing condition in both, with the same cause.
    expect(alert).toMatch(/; standing: 5 domain\(s\) chronically Bogus, not alerted on: .*from 10\.0\.0\.53 \(\d+; it answered \d+ Secure\).*: resolvers that validate other domains/);
    const chronic = verdict.find((v) => v.startsWith("Chronically Bogus"));
    expect(chronic).toMatch(/: chronic\d\.broken\.example: MX.* \d+ Bogus answers for \d+ domains from 10\.0\.0\.53 \(\d+; it answered \d+ Secure\).*: resolvers that validate other domains/);
    expect(alert.split("; standing: ")[1]!.split(": ").slice(-3).join(": ")).toBe(chronic!.split(". ").slice(-1)[0]!.replace(/\.$/, "").split(": ").slice(-3).join(": "));
  });
});
