// The log window in time buckets, for the HTML report's chart: attempts by decision, Bogus
// answers by record type, resolver failures and fallbacks; and the alert episodes, found by the
// alert command's own detector and attribution (src/alert/), fed the same lookups with the same
// bucket size. At the report's bucket size that is the report's own detector, which already
// sees every lookup: a second one would double the detector's cost for the same episodes.
// Streaming: memory grows with the number of non-empty buckets, not of lines.
import { BogusDetector, DEFAULT_DETECTOR, type AlertEvent, type DetectorOptions, type Level } from "../alert/detector.js";
import { describeAlert, episodeLine } from "../alert/output.js";
import type { Attempt, DnsLookup } from "../correlate/types.js";

/** What each bucket row holds, in order (the page's JSON carries rows as arrays under this header). */
export const BUCKET_COLUMNS = [
  "start",
  "dane-success",
  "tls-fallback",
  "dane-fail",
  "undetermined",
  "other-decision",
  "bogus-mx",
  "bogus-a",
  "bogus-aaaa",
  "bogus-tlsa",
  "bogus-other",
  "resolver-failures",
  "resolver-fallbacks",
] as const;
export type BucketColumn = (typeof BUCKET_COLUMNS)[number];

const INDEX = Object.fromEntries(BUCKET_COLUMNS.map((c, i) => [c, i])) as Record<BucketColumn, number>;

export interface AlertEpisode {
  fromMs: number;
  /** End of the episode: the bucket where it cleared, or the end of the data while still active. */
  toMs: number;
  /** The worst level it reached. */
  level: Exclude<Level, "OK">;
  kind: AlertEvent["kind"];
  /** Still active at the end of the data. */
  open: boolean;
  /** The alert command's description of it (terminal-safe text, not yet escaped for HTML). */
  text: string;
}

/**
 * Bars drawn (and embedded in the page) at most: about two pixels each across the chart. A log
 * of more buckets than that (a month of 5-minute buckets is 8640) is drawn in wider bars, a
 * whole number of buckets each: more would be narrower than a pixel, and the page's chart
 * would grow with the time the log spans (about 500 bytes a bar).
 */
export const MAX_BARS = 600;
/** Bar widths tried, in buckets, smallest first (with 5-minute buckets: 10, 15, 30 min, 1, 2, 3, 6, 12 h, 1 day, 1 week). */
const BAR_BUCKETS = [1, 2, 3, 6, 12, 24, 36, 72, 144, 288, 2016];

export interface Timeline {
  bucketMs: number;
  /** Width of the bars drawn: bucketMs, or a multiple of it when the buckets would be more than MAX_BARS. */
  barMs: number;
  /** Non-empty bars in time order, each a row of BUCKET_COLUMNS (start in epoch milliseconds), the sums of their buckets. */
  buckets: number[][];
  episodes: AlertEpisode[];
  /** Attempts without a start time: counted in the report, not placeable on the time line. */
  untimedAttempts: number;
}

/** Same rule, same bucket size: the one detector's episodes are the time line's. */
function sameOptions(a: DetectorOptions, b: DetectorOptions): boolean {
  return (Object.keys(a) as (keyof DetectorOptions)[]).every((key) => a[key] === b[key]);
}

export class TimelineBuilder {
  private readonly buckets = new Map<number, number[]>();
  private readonly detector: BogusDetector;
  /** The detector is this builder's own, fed here (not one the caller feeds the same lookups). */
  private readonly feedsDetector: boolean;
  private untimed = 0;

  /**
   * `shared`: a detector the caller feeds every lookup this builder sees (the report's); used
   * when its options are alert's defaults at this bucket size, else the builder runs its own.
   */
  constructor(
    readonly bucketMs: number,
    shared?: BogusDetector,
  ) {
    const options = { ...DEFAULT_DETECTOR, bucketMs };
    this.feedsDetector = shared === undefined || !sameOptions(shared.options, options);
    this.detector = this.feedsDetector ? new BogusDetector(options) : shared!;
  }

  private row(timeMs: number): number[] {
    const start = Math.floor(timeMs / this.bucketMs) * this.bucketMs;
    let row = this.buckets.get(start);
    if (row === undefined) {
      row = BUCKET_COLUMNS.map(() => 0);
      row[0] = start;
      this.buckets.set(start, row);
    }
    return row;
  }

  addAttempt(attempt: Attempt): void {
    if (attempt.startMs === null) {
      this.untimed++;
      return;
    }
    const decision = attempt.record.decision;
    const column: BucketColumn = decision === "dane-success" || decision === "tls-fallback" || decision === "dane-fail" || decision === "undetermined" ? decision : "other-decision";
    this.row(attempt.startMs)[INDEX[column]]!++;
  }

  addLookup(lookup: DnsLookup): void {
    if (this.feedsDetector) this.detector.add(lookup);
    if (lookup.startMs === null) return;
    const row = this.row(lookup.startMs);
    if (lookup.status === "bogus") {
      const type = lookup.qtype.toUpperCase();
      const column: BucketColumn = type === "MX" ? "bogus-mx" : type === "A" ? "bogus-a" : type === "AAAA" ? "bogus-aaaa" : type === "TLSA" ? "bogus-tlsa" : "bogus-other";
      row[INDEX[column]]!++;
    }
    row[INDEX["resolver-failures"]]! += lookup.failures.length;
    if (lookup.fallback) row[INDEX["resolver-fallbacks"]]!++;
  }

  finish(): Timeline {
    // Closing the open bucket twice is harmless: a shared detector may have been flushed already.
    this.detector.flush();
    const buckets = [...this.buckets.values()].sort((a, b) => a[0]! - b[0]!);
    const last = buckets[buckets.length - 1];
    const endMs = last === undefined ? 0 : last[0]! + this.bucketMs;
    const barMs = barWidth(buckets, this.bucketMs);
    return { bucketMs: this.bucketMs, barMs, buckets: barMs === this.bucketMs ? buckets : inBars(buckets, barMs), episodes: episodesOf(this.detector, endMs), untimedAttempts: this.untimed };
  }
}

/** The narrowest bar, a whole number of buckets, that draws the buckets in at most MAX_BARS bars. */
function barWidth(buckets: readonly number[][], bucketMs: number): number {
  const bars = (width: number) => new Set(buckets.map((b) => Math.floor(b[0]! / width))).size;
  if (buckets.length <= MAX_BARS) return bucketMs;
  for (const n of BAR_BUCKETS) if (bars(n * bucketMs) <= MAX_BARS) return n * bucketMs;
  let width = BAR_BUCKETS[BAR_BUCKETS.length - 1]! * bucketMs;
  while (bars(width) > MAX_BARS) width *= 2;
  return width;
}

/** Buckets (in time order) summed into bars of `barMs`, each starting at a multiple of it. */
function inBars(buckets: readonly number[][], barMs: number): number[][] {
  const bars: number[][] = [];
  for (const bucket of buckets) {
    const start = Math.floor(bucket[0]! / barMs) * barMs;
    let bar = bars[bars.length - 1];
    if (bar === undefined || bar[0] !== start) {
      bar = BUCKET_COLUMNS.map(() => 0);
      bar[0] = start;
      bars.push(bar);
    }
    for (let i = 1; i < bucket.length; i++) bar[i]! += bucket[i]!;
  }
  return bars;
}

/**
 * The detector's fire / escalate / clear events as spans of time (shaded from the fire to the
 * clear), each with the words `esa-dane alert` prints for that episode: its status line, whose
 * window ends with the episode's last bucket above the rule, as the report's verdict says too.
 */
function episodesOf(detector: BogusDetector, endMs: number): AlertEpisode[] {
  const episodes: AlertEpisode[] = [];
  let current: AlertEpisode | null = null;
  for (const event of detector.events) {
    if (event.event === "fire" || current === null) {
      current = { fromMs: event.sinceMs, toMs: endMs, level: event.level === "OK" ? "WARNING" : event.level, kind: event.kind, open: true, text: describeAlert(event) };
      episodes.push(current);
    }
    if (event.event === "escalate" && event.level !== "OK") {
      current.level = event.level;
      current.kind = event.kind;
    }
    if (event.event === "clear") {
      current.toMs = event.atMs;
      current.text = describeAlert(event, event.atMs);
      current.kind = event.kind;
      current.open = false;
      current = null;
    }
  }
  const active = detector.activeAlert();
  if (current !== null && active !== null) current.kind = active.kind;
  const reports = new Map(detector.episodes().map((e) => [e.sinceMs, e]));
  for (const episode of episodes) {
    const report = reports.get(episode.fromMs);
    // The detector reports every episode its events open; the event's own words stay only if one were missing.
    if (report !== undefined) episode.text = episodeLine(report, false);
  }
  return episodes;
}
