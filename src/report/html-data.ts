// The data the HTML page carries (as JSON) for its script: the domain rows, each row's latest
// attempts, the time line and the alert episodes. Rows and attempts are arrays under a header
// of column names: on a log of thousands of domains the keys would be most of the page.
// Every string that comes from the log is made terminal-safe here (control characters and bidi
// overrides visible as \xNN); the page shows it with textContent only, so markup stays text.
import type { Attempt, AttemptRecord } from "../correlate/types.js";
import { sourceFile, sourceLine, sourceRanges } from "../correlate/sources.js";
import { attemptRecord } from "../output/attempt-record.js";
import { escapeTerminal } from "../output/escape.js";
import { evaluateBothModes } from "../policy/evaluate.js";
import { rowKey, type ReportData } from "./aggregate.js";
import { BUCKET_COLUMNS, type Timeline } from "./timeline.js";
import { verdict } from "./verdict.js";

/** Newest attempts shown per row when the row is opened. */
export const ATTEMPTS_PER_ROW = 10;
/**
 * Attempts embedded in the whole page, handed out in report order (problem rows first): on a
 * log of thousands of domains the rows at the end, which need no attention, show only counts,
 * and the page stays a few megabytes.
 */
export const ATTEMPTS_PER_PAGE = 5000;
/** Source ranges (`file:12-40`) shown per attempt. */
const SOURCE_RANGES = 6;

export const DOMAIN_COLUMNS = [
  "name",
  "problems",
  "attempts",
  "dane-success",
  "tls-fallback",
  "dane-fail",
  "undetermined",
  "outside-table",
  "bogus-mx",
  "bogus-a",
  "bogus-tlsa",
  "resolver-fallbacks",
  "mismatches",
  "mx-hosts",
  "mx-hosts-capped",
  "first-seen",
  "last-seen",
] as const;

export const ATTEMPT_COLUMNS = [
  "start",
  "appliance",
  "dcid",
  "mx-host",
  "ip",
  "mx",
  "a",
  "tlsa",
  "cert",
  "mandatory",
  "mandatory-row",
  "opportunistic",
  "opportunistic-row",
  "mode",
  "decision",
  "row",
  "flags",
  "resolvers",
  "observed",
  "source",
  "source-more",
  "domain-candidates",
] as const;

type Cell = string | number | boolean | null | string[] | number[][];

/**
 * Rows (domains, or MX hosts with --by mx) embedded in the page, in report order (problem rows
 * first): a log of tens of thousands of domains would otherwise make a page of tens of megabytes.
 * The page says how many more there are, and that `--format json` has them all.
 */
export const ROWS_PER_PAGE = 5000;

/** An attempt's source lines as ranges of consecutive lines: at most SOURCE_RANGES, and how many more. */
export function lineRanges(refs: readonly number[]): { ranges: [number, number][]; more: number } {
  return sourceRanges(refs, SOURCE_RANGES);
}

function attemptCells(r: AttemptRecord, source: { ranges: [number, number, number][]; more: number }): Cell[] {
  const text = (s: string | null) => (s === null ? null : escapeTerminal(s));
  // The record names the row of its own mode only; the page shows both (the evaluation is cached).
  const rows = evaluateBothModes(r.evidence);
  return [
    r.start,
    text(r.host),
    r.dcid,
    text(r.mxHost),
    text(r.ip),
    r.evidence.mx,
    r.evidence.a,
    r.evidence.tlsa,
    r.evidence.cert,
    r.decisionByMode.mandatory,
    rows.mandatory.row,
    r.decisionByMode.opportunistic,
    rows.opportunistic.row,
    r.mode,
    r.decision,
    r.row,
    [...r.flags],
    r.resolvers.map(escapeTerminal),
    r.observed,
    source.ranges,
    source.more,
    r.domainCandidates.map(escapeTerminal),
  ];
}

/** What the page needs of an attempt (attemptRecord's inputs): not its recipients, missing inputs and the rest. */
export type KeptAttempt = Pick<Attempt, "record" | "startMs" | "endMs" | "utcKnown" | "sources">;

/**
 * The newest ATTEMPTS_PER_ROW attempts of each report row, and how many each row had. The
 * attempts are kept as they came: only the few thousand the page shows are formatted (times,
 * source lines), at the end, rather than every attempt of the log as it closes.
 */
export class AttemptSamples {
  private readonly rows = new Map<string, { total: number; kept: KeptAttempt[] }>();

  constructor(private readonly by: "domain" | "mx") {}

  add(attempt: Attempt): void {
    const key = rowKey(this.by, attempt.record);
    let row = this.rows.get(key);
    if (row === undefined) {
      row = { total: 0, kept: [] };
      this.rows.set(key, row);
    }
    row.total++;
    // Newest first, at most ATTEMPTS_PER_ROW: attempts close in roughly time order, so most go
    // in at the front; of equal start times the one that closed first stays first.
    const kept = row.kept;
    const start = startOf(attempt);
    if (kept.length === ATTEMPTS_PER_ROW && start <= startOf(kept[kept.length - 1]!)) return;
    let at = kept.length;
    while (at > 0 && startOf(kept[at - 1]!) < start) at--;
    kept.splice(at, 0, { record: attempt.record, startMs: attempt.startMs, endMs: attempt.endMs, utcKnown: attempt.utcKnown, sources: attempt.sources });
    if (kept.length > ATTEMPTS_PER_ROW) kept.pop();
  }

  /** The row's newest attempts (at most `limit`, newest first) and the number it had. */
  take(key: string, limit: number): { total: number; shown: KeptAttempt[] } {
    const row = this.rows.get(key);
    if (row === undefined) return { total: 0, shown: [] };
    return { total: row.total, shown: row.kept.slice(0, limit) };
  }
}

const startOf = (attempt: KeptAttempt) => attempt.startMs ?? Number.NEGATIVE_INFINITY;

/** A range's file and its first and last line numbers. */
function locate(from: number, to: number): { file: string; first: number; last: number } {
  return { file: sourceFile(from), first: sourceLine(from), last: sourceLine(to) };
}

/**
 * The shown attempts as cells, their source lines as ranges into one list of files. The files
 * are listed in reading order (the order of their lines' references), so the list does not
 * depend on which attempt closed first.
 */
function attemptTables(shown: KeptAttempt[][]): { sourceFiles: string[]; cells: Cell[][][] } {
  // A reference of each file: references of different files compare as the files' reading order.
  const fileRef = new Map<string, number>();
  const located = shown.map((attempts) =>
    attempts.map((attempt) => {
      const { ranges, more } = lineRanges(attempt.sources);
      const lines = ranges.map(([from, to]) => {
        const range = locate(from, to);
        if (!fileRef.has(range.file)) fileRef.set(range.file, from);
        return range;
      });
      return { lines, more };
    }),
  );
  const files = [...fileRef.keys()].sort((a, b) => fileRef.get(a)! - fileRef.get(b)!);
  const index = new Map(files.map((file, i) => [file, i]));
  const cells = shown.map((attempts, i) =>
    attempts.map((attempt, j) => {
      const { lines, more } = located[i]![j]!;
      // The record without its `file:line` list: the page has the ranges instead.
      const record = attemptRecord({ ...attempt, sources: [] });
      return attemptCells(record, { ranges: lines.map((r) => [index.get(r.file)!, r.first, r.last]), more });
    }),
  );
  return { sourceFiles: files.map(escapeTerminal), cells };
}

export interface PageData {
  /** What the rows are: recipient domains, or MX hosts with `--by mx`. */
  by: "domain" | "mx";
  from: string | null;
  to: string | null;
  verdict: string[];
  /** `rows`: all the report's rows; `domains` holds the first ROWS_PER_PAGE of them. */
  totals: { attempts: number; rows: number; linesRead: number };
  domainColumns: readonly string[];
  domains: Cell[][];
  attemptColumns: readonly string[];
  /** The files that attempts' `source` ranges point into, by index. */
  sourceFiles: string[];
  /** Per domain row (same order): its attempt count and its newest attempts. */
  attempts: { total: number; shown: Cell[][] }[];
  /** `buckets`: the bars drawn, of `barMs` each (`bucketMs`, or a multiple of it on a long log). */
  timeline: { bucketMs: number; barMs: number; columns: readonly string[]; buckets: number[][]; untimedAttempts: number };
  episodes: { from: string; to: string; level: string; kind: string; open: boolean; text: string }[];
}

/** How much of the report the page embeds (the defaults keep it a few megabytes for any log). */
export interface PageLimits {
  rows: number;
  attempts: number;
}

/** Assembles the page's data; no clock time, so the same input gives the same bytes. */
export function pageData(report: ReportData, timeline: Timeline, samples: AttemptSamples, limits: PageLimits = { rows: ROWS_PER_PAGE, attempts: ATTEMPTS_PER_PAGE }): PageData {
  const rows = report.domains.slice(0, limits.rows);
  let budget = limits.attempts;
  const taken = rows.map((d) => {
    const row = samples.take(d.name, Math.min(ATTEMPTS_PER_ROW, budget));
    budget -= row.shown.length;
    return row;
  });
  const { sourceFiles, cells } = attemptTables(taken.map((row) => row.shown));
  const attempts = taken.map((row, i) => ({ total: row.total, shown: cells[i]! }));
  return {
    by: report.by,
    from: report.from,
    to: report.to,
    verdict: verdict(report).map(escapeTerminal),
    totals: { attempts: report.totals.attempts, rows: report.domains.length, linesRead: report.stats.total.read },
    domainColumns: DOMAIN_COLUMNS,
    domains: rows.map((d) => [
      escapeTerminal(d.name),
      [...d.problems],
      d.attempts,
      d.decisions["dane-success"],
      d.decisions["tls-fallback"],
      d.decisions["dane-fail"],
      d.decisions.undetermined,
      d.decisions["outside-table"],
      d.bogus.mx,
      d.bogus.a,
      d.bogus.tlsa,
      d.resolverFallbacks,
      d.mismatches,
      d.mxHosts.map(escapeTerminal),
      d.mxHostsCapped,
      d.firstSeen,
      d.lastSeen,
    ]),
    attemptColumns: ATTEMPT_COLUMNS,
    sourceFiles,
    attempts,
    timeline: { bucketMs: timeline.bucketMs, barMs: timeline.barMs, columns: BUCKET_COLUMNS, buckets: timeline.buckets, untimedAttempts: timeline.untimedAttempts },
    episodes: timeline.episodes.map((e) => ({ from: new Date(e.fromMs).toISOString(), to: new Date(e.toMs).toISOString(), level: e.level, kind: e.kind, open: e.open, text: e.text })),
  };
}
