// Generated days for `esa-dane alert` (issue 11), seeded: ordinary traffic over a population of
// domains (part of them DANE-signed, validating normally), a few chronically broken domains (a
// few Bogus MX answers every 5 minutes, all day), random noise (stray Bogus answers, stray
// fallbacks to the secondary resolver, the tech note's harmless AAAA/CNAME warnings), and an
// optional resolver outage of chosen size and length: the primary answers SERVER FAILED and the
// secondary, which has no DNSSEC, answers Bogus for every signed domain. One or two appliances,
// in the file form (one text per appliance) or the syslog form (one stream). Line writing is
// generate-log.ts's.
import { BogusDetector, DEFAULT_DETECTOR, type DetectorOptions } from "../../src/alert/detector.js";
import { readText } from "../../src/input/read.js";
import { Analysis } from "../../src/pipeline.js";
import { appliance, brokenDomainLines, cnameBothFailLines, deliveryLines, prefix, render, type Appliance, type Line } from "./generate-log.js";
import { prng } from "../../bench/gen-corpus.js";

export const DAY_T0 = Date.UTC(2024, 2, 11, 0, 0, 0);
const MINUTE = 60_000;

export interface OutageSpec {
  startMs: number;
  minutes: number;
  /** Appliances (indexes) whose primary fails; default the first. */
  appliances?: readonly number[];
}

export interface AlertDaySpec {
  seed: number;
  startMs?: number;
  hours?: number;
  appliances?: 1 | 2;
  /** Mean deliveries a minute per appliance (random arrivals). */
  perMinute?: number;
  /** Domains mailed; `signedShare` of them DANE-signed. */
  population?: number;
  signedShare?: number;
  /** Domains whose DNSSEC is broken all day. */
  chronicDomains?: number;
  /** Mean stray Bogus answers an hour per appliance (a signed domain Bogus once, from the primary). */
  strayBogusPerHour?: number;
  /** Share of deliveries whose lookups fail at the primary and go to the secondary (without DNSSEC). */
  strayFallbackShare?: number;
  outage?: OutageSpec | null;
}

export interface ApplianceDay {
  appliance: Appliance;
  primary: string;
  secondary: string;
  lines: Line[];
}

export interface AlertDay {
  spec: Required<Omit<AlertDaySpec, "outage">> & { outage: OutageSpec | null };
  appliances: ApplianceDay[];
}

/** The corpus generator's seeded PRNG: the same seed gives the same day. */
export const random = prng;

const RESOLVERS: [string, string][] = [
  ["10.0.0.53", "10.0.1.53"],
  ["10.8.0.53", "10.8.1.53"],
];

export function alertDay(input: AlertDaySpec): AlertDay {
  const spec = {
    startMs: DAY_T0,
    hours: 24,
    appliances: 1 as 1 | 2,
    perMinute: 6,
    population: 200,
    signedShare: 0.4,
    chronicDomains: 5,
    strayBogusPerHour: 1,
    strayFallbackShare: 1 / 400,
    ...input,
    outage: input.outage ?? null,
  };
  const rand = random(spec.seed);
  const endMs = spec.startMs + spec.hours * 60 * MINUTE;
  const signed = (i: number) => Math.floor((i + 1) * spec.signedShare) > Math.floor(i * spec.signedShare);
  const days: ApplianceDay[] = [];
  for (let a = 0; a < spec.appliances; a++) {
    const [primary, secondary] = RESOLVERS[a]!;
    const app = appliance({ host: `esa${a + 1}.example.com`, serial: `4229A5E2D3B1C7E8F9A${a}-1B2C3D4E5F60` });
    const lines: Line[] = [];
    let id = 100_000 * (a + 1);
    const outage = spec.outage !== null && (spec.outage.appliances ?? [0]).includes(a) ? spec.outage : null;
    const inOutage = (ms: number) => outage !== null && ms >= outage.startMs && ms < outage.startMs + outage.minutes * MINUTE;
    // Ordinary traffic: exponential gaps between deliveries.
    for (let ms = spec.startMs + Math.floor(-Math.log(1 - rand()) * (MINUTE / spec.perMinute)); ms < endMs; ms += Math.max(1, Math.floor(-Math.log(1 - rand()) * (MINUTE / spec.perMinute)))) {
      const i = Math.floor(rand() * spec.population);
      const isSigned = signed(i);
      const fallback = inOutage(ms) || rand() < spec.strayFallbackShare;
      // The secondary has no DNSSEC: signed domains come back Bogus from it, unsigned ones Insecure.
      const status = isSigned ? (fallback ? "bogus" : "secure") : "insecure";
      const n = id++;
      lines.push(
        ...deliveryLines({
          ms,
          domain: `d${i}.example`,
          dcid: n,
          mid: n,
          ip: `198.51.100.${(i % 200) + 1}`,
          mx: status,
          tlsa: isSigned ? status : "skip",
          via: fallback ? { failed: [primary], answeredBy: secondary } : { answeredBy: primary },
          aaaa: n % 10 === 0,
        }),
      );
      if (n % 30 === 0) lines.push(...cnameBothFailLines(ms + 5000, `d${i}-example.mail.protection.outlook.com`, [primary, secondary]));
    }
    // Chronically broken domains: their queued mail retried every 5 minutes, a few Bogus MX answers each time.
    for (let c = 0; c < spec.chronicDomains; c++) {
      for (let slot = spec.startMs; slot < endMs; slot += 5 * MINUTE) {
        const answers = 1 + Math.floor(rand() * 3);
        for (let k = 0; k < answers; k++) {
          const ms = slot + Math.floor(rand() * 5 * MINUTE);
          const via = inOutage(ms) ? secondary : primary;
          lines.push(...brokenDomainLines(ms, `chronic${c}.broken.example`, id++, "MX", via));
        }
      }
    }
    // Stray Bogus answers: a signed domain Bogus once (a re-signing hiccup).
    for (let ms = spec.startMs + Math.floor(-Math.log(1 - rand()) * (60 * MINUTE / Math.max(spec.strayBogusPerHour, 1e-9))); ms < endMs; ms += Math.max(1, Math.floor(-Math.log(1 - rand()) * (60 * MINUTE / spec.strayBogusPerHour)))) {
      let i = Math.floor(rand() * spec.population);
      while (!signed(i)) i = (i + 1) % spec.population;
      lines.push(...brokenDomainLines(ms, `d${i}.example`, id++, "MX", primary));
    }
    days.push({ appliance: app, primary, secondary, lines });
  }
  return { spec, appliances: days };
}

/** The file form: one text per appliance (each with its header). */
export function fileTexts(day: AlertDay): string[] {
  return day.appliances.map((a) => render(a.appliance, a.lines));
}

/** The syslog form: every appliance's lines in one stream, in time order, each with its hostname. */
export function syslogText(day: AlertDay): string {
  const all: { ms: number; text: string }[] = [];
  for (const a of day.appliances) {
    const app: Appliance = { ...a.appliance, form: "syslog" };
    for (const line of a.lines) all.push({ ms: line.ms, text: `${prefix(app, line.ms, line.level)}${line.message}` });
  }
  all.sort((x, y) => x.ms - y.ms);
  return all.map((l) => `${l.text}\n`).join("");
}

/**
 * Runs the detector in this process over a day, through the real pipeline (grammar, correlator):
 * the syslog form as one stream, the file form one detector per appliance (each appliance's
 * file is watched on its own, as its own cron job would).
 */
export function detectDay(day: AlertDay, form: "file" | "syslog", options: Partial<DetectorOptions> = {}): BogusDetector[] {
  const texts = form === "syslog" ? [syslogText(day)] : fileTexts(day);
  return texts.map((text) => {
    const detector = new BogusDetector({ ...DEFAULT_DETECTOR, ...options });
    const analysis = new Analysis({}, { lookup: (lookup) => detector.add(lookup) });
    readText(text, form, { year: 2024, zone: "UTC" }, analysis.records);
    analysis.finish();
    detector.flush();
    return detector;
  });
}
