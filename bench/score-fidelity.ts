// Scores `esa-dane deliveries` and `report` against the ground truth that gen-truth.ts wrote:
// how many of the attempts the log shows are found, how many of their fields are right, and for
// how many domains the report's per-domain counts equal the truth.
//
//   npm run fidelity -- DIR [--show 5] [--json] [--deliveries out.ndjson]
//
// Matching: a connection by appliance + DCID; an attempt without connection (dcid null) by
// appliance + MX host or domain (the truth's, or its actual domain where the truth says the log
// cannot tell) + start time within 30 s, nearest first, one to one. Attempts the truth marks
// invisible (no line in the log) are left out of every figure.
import { spawnSync } from "node:child_process";
import { attemptRecord } from "../src/output/attempt-record.js";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDestinationControls } from "../src/correlate/destination-controls.js";
import { analyse } from "../src/pipeline.js";
import { ReportBuilder } from "../src/report/aggregate.js";
import { parseOptions, runScript, UsageError, wholeNumber } from "./cli-args.js";
import type { Manifest, TruthAttempt } from "./gen-truth.js";

const DEFAULT_CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const MATCH_WINDOW_MS = 30_000;
/** The flags the truth models; the others (mismatch, undetermined) follow from the mode. */
const SCORED_FLAGS = ["bogus", "resolver-fallback", "dane-success", "cached"];
const DECISIONS = ["dane-success", "tls-fallback", "dane-fail", "undetermined", "outside-table"] as const;

export const FIELDS = ["evidence", "decisionByMode", "observed", "flags", "mids", "mxHost", "domain"] as const;
export type Field = (typeof FIELDS)[number];

/** The part of a `deliveries` NDJSON record the scorer reads. */
export interface DeliveryRecord {
  host: string | null;
  start: string | null;
  dcid: number | null;
  mids: number[];
  domain: string | null;
  domainCandidates?: string[];
  mxHost: string | null;
  evidence: { mx: string; a: string; tlsa: string; cert: string };
  decisionByMode: { mandatory: string; opportunistic: string };
  observed: string;
  flags: string[];
}

export interface ReportDomain {
  name: string;
  attempts: number;
  byMode: Record<string, Record<string, number>>;
}

export interface Score {
  scenario: string;
  attempts: number;
  found: number;
  fieldsRight: Record<Field, number>;
  /** Tool records no truth attempt matched (all scenarios only). */
  extra: number;
}

export interface FidelityResult {
  scores: Score[];
  domains: { total: number; equal: number; unequal: { name: string; truth: string; report: string }[] };
  misses: TruthAttempt[];
  wrong: { field: Field; truth: TruthAttempt; got: DeliveryRecord }[];
  extras: DeliveryRecord[];
}

export const pct = (n: number, of: number): number => (of === 0 ? 100 : (100 * n) / of);

function parseTime(text: string | null): number {
  if (text === null) return Number.NaN;
  // Lines without a known offset come out in local time without a zone; the generator writes those in UTC.
  return Date.parse(/Z$|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
}

const sameSet = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && [...a].map(String).sort().join("\u0000") === [...b].map(String).sort().join("\u0000");

export function fieldRight(field: Field, truth: TruthAttempt, got: DeliveryRecord): boolean {
  switch (field) {
    case "evidence":
      return (["mx", "a", "tlsa", "cert"] as const).every((k) => got.evidence[k] === truth.evidence[k]);
    case "decisionByMode":
      return got.decisionByMode.mandatory === truth.decisionByMode.mandatory && got.decisionByMode.opportunistic === truth.decisionByMode.opportunistic;
    case "observed":
      return got.observed === truth.observed;
    case "flags":
      return sameSet(
        got.flags.filter((f) => SCORED_FLAGS.includes(f)),
        truth.flags,
      );
    case "mids":
      return sameSet(got.mids, truth.mids);
    case "mxHost":
      return got.mxHost === truth.mxHost;
    case "domain":
      return got.domain === truth.domain && (truth.domain !== null || sameSet(got.domainCandidates ?? [], truth.domainCandidates));
  }
}

/** Pairs truth attempts with tool records (see the head comment). */
export function matchAttempts(truth: readonly TruthAttempt[], records: readonly DeliveryRecord[]): { pairs: Map<TruthAttempt, DeliveryRecord>; extras: DeliveryRecord[] } {
  const pairs = new Map<TruthAttempt, DeliveryRecord>();
  const used = new Set<DeliveryRecord>();
  const byConnection = new Map<string, DeliveryRecord>();
  for (const r of records) if (r.dcid !== null) byConnection.set(`${r.host}|${r.dcid}`, r);
  for (const t of truth) {
    if (t.dcid === null) continue;
    const r = byConnection.get(`${t.host}|${t.dcid}`);
    if (r !== undefined && !used.has(r)) {
      pairs.set(t, r);
      used.add(r);
    }
  }
  const candidates: { t: TruthAttempt; r: DeliveryRecord; dt: number }[] = [];
  const loose = records.filter((r) => r.dcid === null);
  for (const t of truth) {
    if (t.dcid !== null) continue;
    const tMs = Date.parse(t.start);
    for (const r of loose) {
      if (r.host !== t.host) continue;
      const sameTarget = (t.mxHost !== null && r.mxHost === t.mxHost) || (r.domain !== null && (r.domain === t.domain || r.domain === t.actual.domain));
      if (!sameTarget) continue;
      const dt = Math.abs(parseTime(r.start) - tMs);
      if (dt <= MATCH_WINDOW_MS) candidates.push({ t, r, dt });
    }
  }
  candidates.sort((x, y) => x.dt - y.dt);
  for (const { t, r } of candidates) {
    if (pairs.has(t) || used.has(r)) continue;
    pairs.set(t, r);
    used.add(r);
  }
  return { pairs, extras: records.filter((r) => !used.has(r)) };
}

/** Per-domain decision counts the report should show, from the visible truth. */
function truthDomainCounts(truth: readonly TruthAttempt[]): Map<string, string> {
  const counts = new Map<string, { attempts: number; byMode: Record<string, Record<string, number>> }>();
  for (const t of truth) {
    if (t.domain === null) continue;
    let c = counts.get(t.domain);
    if (c === undefined) {
      c = { attempts: 0, byMode: { mandatory: {}, opportunistic: {} } };
      counts.set(t.domain, c);
    }
    c.attempts++;
    for (const mode of ["mandatory", "opportunistic"] as const) c.byMode[mode]![t.decisionByMode[mode]] = (c.byMode[mode]![t.decisionByMode[mode]] ?? 0) + 1;
  }
  return new Map([...counts].map(([name, c]) => [name, countsKey(c.attempts, c.byMode)]));
}

function countsKey(attempts: number, byMode: Record<string, Record<string, number>>): string {
  const mode = (m: string) => DECISIONS.map((d) => `${d}=${byMode[m]?.[d] ?? 0}`).join(" ");
  return `attempts=${attempts} mandatory[${mode("mandatory")}] opportunistic[${mode("opportunistic")}]`;
}

export function scoreFidelity(truthAll: readonly TruthAttempt[], records: readonly DeliveryRecord[], reportDomains: readonly ReportDomain[]): FidelityResult {
  const truth = truthAll.filter((t) => !t.invisible);
  const { pairs, extras } = matchAttempts(truth, records);
  const tags = ["all", ...[...new Set(truth.flatMap((t) => t.tags))].sort()];
  const wrong: FidelityResult["wrong"] = [];
  const scores = tags.map((scenario): Score => {
    const subset = scenario === "all" ? truth : truth.filter((t) => t.tags.includes(scenario));
    const fieldsRight = Object.fromEntries(FIELDS.map((f) => [f, 0])) as Record<Field, number>;
    let found = 0;
    for (const t of subset) {
      const got = pairs.get(t);
      if (got === undefined) continue;
      found++;
      for (const f of FIELDS) {
        if (fieldRight(f, t, got)) fieldsRight[f]++;
        else if (scenario === "all") wrong.push({ field: f, truth: t, got });
      }
    }
    return { scenario, attempts: subset.length, found, fieldsRight, extra: scenario === "all" ? extras.length : 0 };
  });
  const expected = truthDomainCounts(truth);
  // Attempts without a domain form a row of their own ("(unknown domain)"): not a domain, not compared.
  const reported = new Map(reportDomains.filter((d) => !d.name.startsWith("(")).map((d) => [d.name, countsKey(d.attempts, d.byMode)]));
  const names = [...new Set([...expected.keys(), ...reported.keys()])].sort();
  const unequal = names.filter((n) => expected.get(n) !== reported.get(n)).map((name) => ({ name, truth: expected.get(name) ?? "(none)", report: reported.get(name) ?? "(none)" }));
  return {
    scores,
    domains: { total: names.length, equal: names.length - unequal.length, unequal },
    misses: truth.filter((t) => !pairs.has(t)),
    wrong,
    extras,
  };
}

/** Field accuracy over all scored fields of the attempts found. */
export function fieldAccuracy(score: Score): number {
  const right = FIELDS.reduce((sum, f) => sum + score.fieldsRight[f], 0);
  return pct(right, score.found * FIELDS.length);
}

// ---- running esa-dane on a corpus ----

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
}

export function readTruth(dir: string, manifest: Manifest): TruthAttempt[] {
  return readFileSync(join(dir, manifest.truth), "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as TruthAttempt);
}

function runCli(cli: string, dir: string, manifest: Manifest, run: Manifest["runs"][number], command: string[]): string {
  const args = run.args.map((a) => (a === manifest.destControls ? join(dir, a) : a));
  const result = spawnSync(process.execPath, [cli, ...command, ...run.inputs.map((i) => join(dir, i)), ...args, "--stats", "none"], {
    env: { ...process.env, TZ: "UTC", NO_COLOR: "1" },
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`esa-dane ${command.join(" ")} failed (${result.status}): ${result.stderr.toString().slice(0, 500)}`);
  return result.stdout.toString();
}

/** `deliveries --format ndjson` over each run of the corpus; the host from the record or the run. */
export function runDeliveries(dir: string, manifest: Manifest, cli = DEFAULT_CLI): DeliveryRecord[] {
  return manifest.runs.flatMap((run) =>
    runCli(cli, dir, manifest, run, ["deliveries", "--format", "ndjson"])
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => {
        const r = JSON.parse(l) as DeliveryRecord;
        return { ...r, host: r.host ?? run.host };
      }),
  );
}

/** `report --format json` per run, per-domain counts summed over the runs (file-form appliances are run apart). */
export function runReport(dir: string, manifest: Manifest, cli = DEFAULT_CLI): ReportDomain[] {
  return sumDomains(manifest.runs.flatMap((run) => (JSON.parse(runCli(cli, dir, manifest, run, ["report", "--format", "json"])) as { domains: ReportDomain[] }).domains));
}

/** One row per domain, counts summed over the runs' reports. */
function sumDomains(rows: readonly ReportDomain[]): ReportDomain[] {
  const sum = new Map<string, ReportDomain>();
  for (const d of rows) {
    const acc = sum.get(d.name) ?? { name: d.name, attempts: 0, byMode: { mandatory: {}, opportunistic: {} } };
    acc.attempts += d.attempts;
    for (const mode of ["mandatory", "opportunistic"]) for (const [k, v] of Object.entries(d.byMode[mode] ?? {})) acc.byMode[mode]![k] = (acc.byMode[mode]![k] ?? 0) + v;
    sum.set(d.name, acc);
  }
  return [...sum.values()];
}

/**
 * The same as runDeliveries and runReport, in this process (no start-up per run: what the tests
 * use): the pipeline the commands run, with the options the manifest's arguments give them.
 */
export async function analyseInProcess(dir: string, manifest: Manifest): Promise<{ records: DeliveryRecord[]; domains: ReportDomain[]; malformed: number }> {
  const { controls, errors } = parseDestinationControls(readFileSync(join(dir, manifest.destControls), "utf8"));
  if (errors.length > 0) throw new Error(`${manifest.destControls}: ${errors[0]!.message}`);
  const records: DeliveryRecord[] = [];
  const domains: ReportDomain[] = [];
  let malformed = 0;
  for (const run of manifest.runs) {
    const year = run.args.indexOf("--year");
    const options = { host: run.host ?? undefined, year: year >= 0 ? Number(run.args[year + 1]) : undefined, mode: "unknown" as const, destinationControls: controls };
    const report = new ReportBuilder("domain");
    const { read, resolvers } = await analyse(
      run.inputs.map((i) => join(dir, i)),
      options,
      {
        attempt: (attempt) => {
          const record = attemptRecord(attempt);
          records.push({ ...record, host: record.host ?? run.host });
          report.add(attempt);
        },
      },
    );
    if (read.errors.length > 0) throw new Error(`${read.errors[0]!.input}: ${read.errors[0]!.message}`);
    domains.push(...report.finish(resolvers, read.files).domains);
    for (const file of read.files) malformed += file.malformed;
  }
  return { records, domains: sumDomains(domains), malformed };
}

/** Scores in this process; `malformed`: lines of the corpus the grammar could not parse (a generator bug). */
export async function scoreCorpusInProcess(dir: string): Promise<FidelityResult & { malformed: number }> {
  const manifest = readManifest(dir);
  const { records, domains, malformed } = await analyseInProcess(dir, manifest);
  return { ...scoreFidelity(readTruth(dir, manifest), records, domains), malformed };
}

export function scoreCorpus(dir: string, options: { cli?: string; deliveries?: DeliveryRecord[] } = {}): FidelityResult {
  const manifest = readManifest(dir);
  const truth = readTruth(dir, manifest);
  const records = options.deliveries ?? runDeliveries(dir, manifest, options.cli);
  return scoreFidelity(truth, records, runReport(dir, manifest, options.cli));
}

export function formatResult(result: FidelityResult): string {
  const head = ["scenario", "attempts", "found %", "fields %", ...FIELDS];
  const rows = result.scores.map((s) => [s.scenario, String(s.attempts), pct(s.found, s.attempts).toFixed(1), fieldAccuracy(s).toFixed(2), ...FIELDS.map((f) => pct(s.fieldsRight[f], s.found).toFixed(1))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const all = result.scores[0]!;
  return [
    line(head),
    ...rows.map(line),
    "",
    `extra records (no truth attempt): ${all.extra}`,
    `domains whose report counts equal the truth: ${result.domains.equal}/${result.domains.total} (${pct(result.domains.equal, result.domains.total).toFixed(1)} %)`,
  ].join("\n");
}

function formatExamples(result: FidelityResult, count: number): string {
  const out: string[] = [];
  const brief = (t: TruthAttempt) => JSON.stringify({ ...t, actual: undefined });
  if (result.misses.length > 0) out.push(`\nnot found (${result.misses.length}), first ${count}:`, ...result.misses.slice(0, count).map(brief));
  for (const field of FIELDS) {
    const list = result.wrong.filter((w) => w.field === field);
    if (list.length === 0) continue;
    out.push(`\n${field} wrong (${list.length}), first ${count}:`);
    for (const w of list.slice(0, count)) out.push(`  truth: ${brief(w.truth)}`, `  got:   ${JSON.stringify({ ...w.got, source: undefined, resolvers: undefined })}`);
  }
  if (result.extras.length > 0) out.push(`\nextra (${result.extras.length}), first ${count}:`, ...result.extras.slice(0, count).map((r) => JSON.stringify({ ...r, source: undefined })));
  return out.join("\n");
}

const HELP = `score-fidelity: scores esa-dane deliveries and report against a gen-truth corpus.

usage: npm run fidelity -- DIR [--show N] [--json] [--deliveries FILE]

  DIR                a directory written by npm run gen:truth
  --show N           print N examples of each kind of miss and wrong field
  --json             the figures as JSON
  --deliveries FILE  score this deliveries NDJSON instead of running esa-dane deliveries
  -h, --help         this text
`;

runScript(import.meta, "score-fidelity", (argv) => {
  const { values, positionals } = parseOptions(argv, { show: { type: "string" }, json: { type: "boolean" }, deliveries: { type: "string" } }, true);
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (positionals.length !== 1) throw new UsageError("expected one corpus directory");
  const dir = resolve(positionals[0]!);
  const deliveries = values.deliveries === undefined ? undefined : readFileSync(values.deliveries, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as DeliveryRecord);
  const result = scoreCorpus(dir, deliveries === undefined ? {} : { deliveries });
  if (values.json) {
    const summary = result.scores.map((s) => ({ ...s, foundPct: pct(s.found, s.attempts), fieldPct: fieldAccuracy(s) }));
    process.stdout.write(`${JSON.stringify({ scores: summary, domains: { ...result.domains, pct: pct(result.domains.equal, result.domains.total) } }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatResult(result)}\n`);
    const show = wholeNumber("show", values.show, 0, 0);
    if (show > 0) process.stdout.write(`${formatExamples(result, show)}\n`);
  }
});
