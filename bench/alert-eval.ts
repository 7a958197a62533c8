// How `esa-dane alert` does at its defaults on generated days (test/helpers/alert-day.ts),
// through the real pipeline, in this process:
//   - false alarms: clean days (chronic broken domains, stray Bogus answers, stray fallbacks to a
//     secondary without DNSSEC, the tech note's harmless warnings; traffic and noise drawn at
//     random per day): the share of days with any alert, and the alerts per day;
//   - detection: outages of several sizes (deliveries a minute) and lengths, starting at random
//     instants (any alignment with the buckets): found or missed, resolver-wide and naming the
//     secondary or not, and the delay from the outage start to the end of the bucket that fired
//     (when a run reading the log up to then reports it).
//
//   npm run build && npm run alert:eval -- [--clean 30] [--outages 40] [--seed 1] [--form syslog|file] [--appliances 1|2]
//   npm run alert:eval -- --write-examples DIR    (writes the README's example days, syslog form, and exits)
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { alertDay, detectDay, DAY_T0, random, syslogText, type AlertDaySpec } from "../test/helpers/alert-day.js";
import { DEFAULT_DETECTOR } from "../src/alert/detector.js";

const MINUTE = 60_000;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const examples = arg("write-examples", "");
if (examples !== "") {
  // A day with two appliances, five chronically broken domains each, noise; with and without a
  // 20-minute outage of esa1's primary resolver at 03:07:20.
  const spec = { seed: 11, hours: 24, appliances: 2 as const };
  writeFileSync(join(examples, "outage-day.log"), syslogText(alertDay({ ...spec, outage: { startMs: DAY_T0 + 187 * MINUTE + 20_000, minutes: 20 } })));
  writeFileSync(join(examples, "clean-day.log"), syslogText(alertDay(spec)));
  process.exit(0);
}

const cleanDays = Number(arg("clean", "30"));
const outages = Number(arg("outages", "40"));
const seed = Number(arg("seed", "1"));
const form = arg("form", "syslog") as "syslog" | "file";
const appliances = Number(arg("appliances", "1")) as 1 | 2;

/** Traffic and noise of one generated day, drawn at random. */
function dayShape(rand: () => number): Omit<AlertDaySpec, "seed"> {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)]!;
  return {
    appliances,
    perMinute: pick([2, 4, 6, 10]),
    population: pick([100, 200, 400]),
    signedShare: pick([0.2, 0.4, 0.6]),
    chronicDomains: pick([2, 5, 10]),
    strayBogusPerHour: pick([0.5, 1, 3]),
    strayFallbackShare: pick([1 / 1000, 1 / 400, 1 / 100]),
  };
}

const quantile = (sorted: readonly number[], q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
const minutes = (ms: number) => (ms / MINUTE).toFixed(1);

const rand = random(seed);
const o = DEFAULT_DETECTOR;
console.log(`alert-eval: defaults bucket ${o.bucketMs / MINUTE}m, min-count ${o.minCount}, warning ${o.warning}, critical ${o.critical}, factor ${o.factor}, alpha ${o.alpha}, hold ${o.hold}, chronic ${o.chronicMs / MINUTE}m; form ${form}, ${appliances} appliance(s), seed ${seed}`);

// ---- Clean days ----
let daysWithAlert = 0;
let falseEpisodes = 0;
let bogusSeen = 0;
let chronicSeen = 0;
for (let d = 0; d < cleanDays; d++) {
  const shape = dayShape(rand);
  const day = alertDay({ seed: seed * 100_000 + d, ...shape });
  const detectors = detectDay(day, form);
  const episodes = detectors.flatMap((det) => det.episodes());
  for (const det of detectors) for (const row of det.timeline) {
    bogusSeen += row.bogus;
    chronicSeen += row.chronic;
  }
  if (episodes.length > 0) {
    daysWithAlert++;
    falseEpisodes += episodes.length;
    console.log(`  clean day ${d} (${JSON.stringify(shape)}): ${episodes.map((e) => `${e.level} ${e.kind} ${new Date(e.sinceMs).toISOString()} ${e.reason.slice(0, 160)}`).join(" | ")}`);
  }
}
console.log(`clean days: ${cleanDays}, days with an alert: ${daysWithAlert} (${((100 * daysWithAlert) / Math.max(1, cleanDays)).toFixed(1)}%), alerts: ${falseEpisodes}; Bogus answers counted new: ${bogusSeen}, chronic: ${chronicSeen}`);

// ---- Outages ----
const sizes = [1, 2, 4, 8, 16];
const lengths = [5, 10, 20, 60];
const rows: { perMinute: number; minutes: number; rate: number; found: boolean; named: boolean; critical: boolean; delayMs: number | null }[] = [];
for (let t = 0; t < outages; t++) {
  const perMinute = sizes[t % sizes.length]!;
  const length = lengths[Math.floor(t / sizes.length) % lengths.length]!;
  const shape = { ...dayShape(rand), perMinute };
  // Six hours; the outage starts between 2 h and 3 h in, at any second.
  const startMs = DAY_T0 + 2 * 60 * MINUTE + Math.floor(rand() * 60 * MINUTE);
  const day = alertDay({ seed: seed * 100_000 + 50_000 + t, hours: 6, ...shape, outage: { startMs, minutes: length } });
  const secondary = day.appliances[0]!.secondary;
  const detectors = detectDay(day, form);
  // The first appliance's outage: its file's detector, or the one syslog stream.
  const events = detectors[0]!.events.filter((e) => e.event !== "clear" && e.atMs + o.bucketMs > startMs);
  const hit = events.find((e) => e.kind === "resolver-wide" && e.appliances.some((a) => a.kind === "resolver-wide" && a.evidence.topResolver === secondary));
  const first = events[0];
  if (hit === undefined && process.argv.includes("--verbose")) {
    console.log(`  missed: ${perMinute}/min ${length}m at ${new Date(startMs).toISOString()} ${JSON.stringify(shape)}: ${detectors[0]!.timeline.filter((r) => r.startMs >= startMs - o.bucketMs && r.startMs < startMs + (length + 5) * MINUTE).map((r) => `${r.bogus}/${r.chronic} ${r.level}`).join(", ")}; events ${events.map((e) => `${e.kind} ${JSON.stringify(e.evidence)}`).join(" | ")}`);
  }
  // The outage's size as the detector sees it: new Bogus answers per 5 minutes while it lasts.
  const during = detectors[0]!.timeline.filter((r) => r.startMs + o.bucketMs > startMs && r.startMs < startMs + length * MINUTE);
  const rate = (during.reduce((n, r) => n + r.bogus, 0) / (length * MINUTE)) * 5 * MINUTE;
  rows.push({
    rate,
    perMinute,
    minutes: length,
    found: first !== undefined,
    named: hit !== undefined,
    critical: hit?.level === "CRITICAL",
    delayMs: hit === undefined ? null : hit.atMs + o.bucketMs - startMs,
  });
}
console.log("outages (lengths 5, 10, 20, 60 min; 1-16 deliveries/min, 20-60% of domains signed), by new Bogus answers per 5 min during the outage -> named the secondary, resolver-wide, CRITICAL; delay from the outage start to the end of the bucket that fired");
const classes: [string, (rate: number) => boolean][] = [
  ["< 3", (r) => r < 3],
  ["3-5", (r) => r >= 3 && r < 5],
  ["5-10", (r) => r >= 5 && r < 10],
  ["10-20", (r) => r >= 10 && r < 20],
  [">= 20", (r) => r >= 20],
];
for (const [label, inClass] of classes) {
  const of = rows.filter((r) => inClass(r.rate));
  if (of.length === 0) continue;
  const delays = of.flatMap((r) => (r.delayMs === null ? [] : [r.delayMs])).sort((a, b) => a - b);
  const missed = of.filter((r) => !r.named).map((r) => `${r.minutes}m at ${r.perMinute}/min`);
  console.log(
    `  ${label.padStart(5)} Bogus/5 min: ${of.filter((r) => r.named).length}/${of.length} named (${of.filter((r) => r.critical).length} CRITICAL)` +
      (delays.length > 0 ? `, delay median ${minutes(quantile(delays, 0.5))} min, max ${minutes(delays[delays.length - 1]!)} min` : "") +
      (missed.length > 0 ? `; not named: ${missed.join(", ")}` : ""),
  );
}
const all = rows.flatMap((r) => (r.delayMs === null ? [] : [r.delayMs])).sort((a, b) => a - b);
const sizable = rows.filter((r) => r.rate >= o.warning).flatMap((r) => (r.delayMs === null ? [] : [r.delayMs])).sort((a, b) => a - b);
console.log(`outages of --warning (${o.warning}) or more new Bogus answers per 5 min: ${sizable.length}/${rows.filter((r) => r.rate >= o.warning).length} named, delay median ${minutes(quantile(sizable, 0.5))} min, max ${minutes(sizable[sizable.length - 1] ?? NaN)} min`);
console.log(`all outages: ${rows.filter((r) => r.named).length}/${rows.length} named; delay median ${minutes(quantile(all, 0.5))} min, 90th percentile ${minutes(quantile(all, 0.9))} min, max ${minutes(all[all.length - 1] ?? NaN)} min`);
