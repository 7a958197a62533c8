// Ground truth for `esa-dane deliveries`: simulates one to three appliances delivering mail with
// DANE, writes their debug logs (`mail_logs_d`) exactly as bench/log-lines.ts renders them, and
// beside them the truth of every delivery attempt, so that bench/score-fidelity.ts can score the
// correlator field by field.
//
//   npm run gen:truth -- --out bench/truth/all --scenario all --messages 3000 --seed 1
//
// What lands in the output directory:
//   <host>/mail_logs_d.@YYYYMMDDTHHMMSS.s[.gz] .. mail_logs_d.current   file form, one folder per appliance
//   syslog/mail_logs_d.log                     syslog form (every appliance in one stream)
//   dest-controls                              the modes (`--dest-controls`) the appliances were set to
//   manifest.json                              how to run esa-dane on it: runs [{ host, inputs, args }]
//   truth.ndjson                               one JSON object per delivery attempt (format below)
//
// truth.ndjson: the fields of the `deliveries` NDJSON contract (reference section 3) as a perfect
// reader of these logs would give them - `host`, `start` (ISO, UTC: the `New SMTP DCID` of a
// connection, the first logged lookup of an attempt without one), `dcid`, `mids`, `domain`,
// `domainCandidates`, `mxHost`, `ip`, `evidence {mx,a,tlsa,cert}`, `mode`, `decisionByMode`,
// `observed`, `flags` (only `bogus`, `resolver-fallback`, `dane-success`, `cached`) - plus:
//   `invisible`  true when the attempt left no line in the log at all (every answer came from the
//                appliance's cache and the decision failed, so no connection either). Such
//                attempts are in the file for completeness and EXCLUDED FROM SCORING: no reader
//                can find them.
//   `tags`       the scenarios the attempt belongs to (per-scenario scores).
//   `actual`     what the appliance really used: domain, mids and classifications (which may be
//                cached from before the log starts and so unknowable).
// "What a perfect reader would give" means:
//   evidence     a record's classification when its answer is in the log (in this attempt, or an
//                earlier one still within its TTL), else `unknown`; tlsa `unknown` when the
//                appliance did not look TLSA up (A not Secure); cert `success` only with
//                `TLS success ... for <domain>`, else `unknown`.
//                With domain null, mx is the candidates' common classification, else unknown.
//   decisionByMode  the policy table (src/policy) replayed on that evidence.
//   mode         the domain's mode in dest-controls (the default, opportunistic, when domain is null).
//   domain       the recipient domain when the attempt's own lines name it (its MX lookup, the
//                `for <domain>`, `Connection Error ... domain:`, the recipients of the messages on
//                the connection) or when the replayed cache maps the MX host to that domain
//                alone; else null, with `domainCandidates` the domains the replayed cache (answers
//                in the log, within TTL) maps the host to, sorted.
//   mids         the messages on the connection; for an attempt without connection, every message
//                queued for the domain (`To:` lines) before the attempt began and not delivered yet
//                (which of them the appliance's timer picked is not in the log; a message queued
//                while the attempt's lookups are out gets its own attempt); [] when domain is null.
//   flags        bogus: some evidence is bogus; resolver-fallback: a lookup of this attempt's chain
//                (MX, A/AAAA/CNAME and TLSA of its host) done in this attempt was retried at the
//                other resolver after SERVER FAILED; dane-success: observed dane-success;
//                cached: a record the decision used came from the cache, not from a lookup of
//                this delivery run.
//
// The appliance model, and the choices made where real behaviour is not documented:
//   - Per-appliance DNS cache keyed by (name, type), kept for the answer's TTL. The appliance logs
//     a lookup only when the record is not in its cache. Bogus answers are cached for their TTL
//     (the sample's Bogus MX carries TTL 300). NODATA answers (no TLSA, no AAAA, no CNAME) are
//     cached for their TTL too (negative caching, RFC 2308), though no encache line shows it.
//   - Lookup order per delivery: MX; then for the chosen host A, and when the A was looked up,
//     AAAA and CNAME each unless still cached; the primary resolver of esa1 and esa3 has the tech
//     note's AAAA limitation (`Unsupported qtype`, an error, so never cached), esa2's answers NODATA; TLSA of `_25._tcp.<host>` only when the A answer is
//     Secure (the tech note's thinkbeyond run, all Insecure, has no TLSA lookup).
//   - The decision follows the policy table for the domain's mode (dest-controls). DANE Fail: no
//     connection, no line; the message stays queued and is retried on its own timer, the bounce
//     profile's default backoff per message (60 s, doubling, at most 3600 s). A message arriving
//     while a run for its domain is under way waits for it. A run that connects delivers every
//     message queued for the domain on that connection. (Whether AsyncOS batches the retries of
//     several queued messages of one domain into one DNS resolution is not documented: here each
//     message's timer makes its own try, mostly answered from the cache.)
//   - Multi-MX: the first host times out (`Connection Error ... timeout`, 30 s) now and then; the
//     appliance then looks up the next host and connects there (sample e1/e2).
//   - Resolvers: 10.0.0.53 primary, 10.0.1.53 secondary. A rare SERVER FAILED at the primary
//     falls back to the secondary. In the outage scenario the primary fails every query for 20
//     minutes and the secondary cannot do DNSSEC: signed records come back Bogus, unsigned ones
//     Insecure; an empty answer keeps the NODATA form (classification of such an answer by a real
//     appliance is unknown; taken as no TLSA record).
//   - Warm cache: MX answers of the ordinary (not shared-host) domains are in the cache before the
//     log starts, each expiring at a random point within its TTL. Shared-host domains are left
//     out so that the host-to-domain mapping a reader replays is never contradicted by an
//     unlogged entry.
//   - IDs (MID, ICID, DCID) start at the same numbers on every appliance: they are unique per
//     appliance only, as on real ones.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { evaluateBothModes, evaluatePolicy, type PolicyInput } from "../src/policy/evaluate.js";
import type { Mode } from "../src/policy/table.js";
import { parseOptions, runScript, UsageError, wholeNumber } from "./cli-args.js";
import * as log from "./log-lines.js";
import { prng } from "./gen-corpus.js";

export const SCENARIOS = [
  "dane",
  "tlsa-nodata",
  "retries",
  "warm-cache",
  "shared-mx",
  "multi-mx",
  "outage",
  "interleaved",
  "syslog",
  "syslog-appliances",
  "file-appliances",
  "rotation",
] as const;
export type Scenario = (typeof SCENARIOS)[number];

const SCENARIO_HELP: Record<Scenario, string> = {
  dane: "DANE-signed domains: all Secure, `TLS success ... for <domain>`",
  "tlsa-nodata": "signed domains without TLSA (NODATA): fallback, or DANE Fail when Mandatory",
  retries: "domains whose decision fails (Mandatory without DNSSEC, Bogus TLSA, Bogus MX, Bogus A), retried with expiring TTLs",
  "warm-cache": "MX answers cached before the log starts",
  "shared-mx": "hosting providers' MX hosts serving several domains (some Mandatory: ambiguous retries)",
  "multi-mx": "domains with two MX hosts whose first one times out now and then",
  outage: "20 minutes of primary SERVER FAILED, the secondary (no DNSSEC) answering Bogus",
  interleaved: "four times the message rate, and bursts: concurrent deliveries whose lookups are out together",
  syslog: "syslog form (one appliance, hostname in each line)",
  "syslog-appliances": "three appliances in one syslog stream, the same IDs on each (wins over file-appliances)",
  "file-appliances": "two appliances in file form, each in its own folder (run with --host)",
  rotation: "file form split into rotated files (.@YYYYMMDDTHHMMSS.s), every other one gzipped, then .current (no effect on syslog)",
};

export interface TruthOptions {
  seed: number;
  messages: number;
  scenarios: ReadonlySet<Scenario>;
}

export type Evidence = { mx: string; a: string; tlsa: string; cert: string };

/** One line of truth.ndjson. */
export interface TruthAttempt {
  host: string;
  start: string;
  dcid: number | null;
  mids: number[];
  domain: string | null;
  domainCandidates: string[];
  mxHost: string | null;
  ip: string | null;
  evidence: Evidence;
  mode: Mode;
  decisionByMode: { mandatory: string; opportunistic: string };
  observed: "dane-success" | "tls" | "no-connection";
  flags: string[];
  invisible: boolean;
  tags: string[];
  actual: { domain: string; mids: number[]; mx: string; a: string; tlsa: string };
}

export interface Run {
  host: string | null;
  /** Paths relative to the corpus directory. */
  inputs: string[];
  args: string[];
}

export interface Manifest {
  seed: number;
  messages: number;
  scenarios: Scenario[];
  form: "file" | "syslog";
  appliances: string[];
  runs: Run[];
  truth: string;
  destControls: string;
}

// ---- the simulated world ----

type Kind = "dane" | "signed-notlsa" | "insecure" | "mandatory-insecure" | "bogus-mx" | "bogus-a" | "bogus-tlsa" | "hosted-signed" | "hosted-unsigned";

interface Host {
  name: string;
  ip: string;
  /** Classification of its A record (and TLSA) with a validating resolver. */
  signed: boolean;
  tlsa: "secure" | "nodata" | "bogus" | "none";
  aBogus: boolean;
  aTtl: number;
  tlsaTtl: number;
  shared: boolean;
}

interface Domain {
  name: string;
  kind: Kind;
  mode: Mode;
  mxSigned: boolean;
  mxBogus: boolean;
  mxTtl: number;
  hosts: Host[];
  /** Chance that the first of two hosts times out. */
  firstHostFails: number;
  weight: number;
  tags: string[];
}

interface CacheEntry {
  status: log.AnswerStatus | "nodata";
  records: (string | readonly [number, string])[];
  expires: number;
  /** Looked up inside the log (a reader can replay it); false for a warm entry from before. */
  logged: boolean;
}

/** One appliance's messages for one domain, not delivered yet. */
interface Queue {
  domain: Domain;
  mids: number[];
  /** A delivery run for the domain is under way. */
  busy: boolean;
  /** Per message: the wait before its next retry (bounce profile: 60 s, doubling, at most 3600 s). */
  backoffMs: Map<number, number>;
}

interface Line {
  ms: number;
  seq: number;
  message: log.Message;
}

interface ApplianceSim {
  name: string;
  form: log.LineForm;
  cache: Map<string, CacheEntry>;
  queues: Map<string, Queue>;
  lines: Line[];
  /** Queries sent and not answered yet, latest last. */
  outstanding: object[];
  /** Its primary resolver answers AAAA with the tech note's `Unsupported qtype` error. */
  aaaaUnsupported: boolean;
  mid: number;
  icid: number;
  dcid: number;
}

const PRIMARY = "10.0.0.53";
const SECONDARY = "10.0.1.53";
export const T0 = Date.UTC(2024, 2, 11, 8, 0, 0);
const MINUTE = 60_000;
const NODATA_TTL = 900;
const BOGUS_TTL = 300;

function makeWorld(random: () => number, options: TruthOptions): Domain[] {
  const has = (s: Scenario) => options.scenarios.has(s);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const domains: Domain[] = [];
  const count = Math.max(24, Math.round(options.messages / 12));
  let ipIndex = 0;
  const host = (name: string, signed: boolean, tlsa: Host["tlsa"], shared = false, aBogus = false): Host => {
    ipIndex++;
    return { name, ip: `198.51.${(ipIndex >> 8) & 255}.${ipIndex & 255}`, signed, tlsa, aBogus, aTtl: pick([300, 600, 3600]), tlsaTtl: pick([300, 1800, 3600]), shared };
  };
  const add = (name: string, kind: Kind, mode: Mode, weight: number, tags: string[], hostsOf: (name: string) => Host[], mxSigned: boolean, mxBogus = false, mxTtl = pick([1800, 3600, 3600, 86400])) => {
    const hosts = hostsOf(name);
    const multi = has("multi-mx") && hosts.length === 1 && !hosts[0]!.shared && random() < 0.3;
    if (multi) hosts.push(host(`mx2.${name}`, hosts[0]!.signed, hosts[0]!.tlsa, false, hosts[0]!.aBogus));
    domains.push({ name, kind, mode, mxSigned, mxBogus, mxTtl, hosts, firstHostFails: multi ? 0.35 : 0, weight, tags: multi ? [...tags, "multi-mx"] : tags });
  };
  for (let i = 0; i < count; i++) {
    const r = random();
    const name = `d${i}.example${i % 5 === 0 ? ".net" : ".com"}`;
    // Zipf-like popularity: a few domains get most of the mail, so caches are hit.
    const weight = 1 / (i + 1);
    if (has("dane") && r < 0.35) add(name, "dane", random() < 0.2 ? "mandatory" : "opportunistic", weight, ["dane"], (n) => [host(`mx1.${n}`, true, "secure")], true);
    else if (has("tlsa-nodata") && r < 0.55) add(name, "signed-notlsa", random() < 0.25 ? "mandatory" : "opportunistic", weight, ["tlsa-nodata"], (n) => [host(`mx1.${n}`, true, "nodata")], true);
    else add(name, "insecure", "opportunistic", weight, [], (n) => [host(`mx1.${n}`, false, "none")], false);
  }
  if (has("retries")) {
    // Failing domains get steady mail (weight of a top-10 domain) so their queues fill.
    const w = 0.15;
    add("nodnssec-mandatory.example", "mandatory-insecure", "mandatory", w, ["retries", "retry-mandatory-insecure"], (n) => [host(`mx.${n}`, false, "none")], false);
    add("partner-mandatory.example.net", "mandatory-insecure", "mandatory", w, ["retries", "retry-mandatory-insecure"], (n) => [host(`mail.${n}`, false, "none")], false);
    add("bogus-tlsa.example", "bogus-tlsa", "opportunistic", w, ["retries", "retry-bogus-tlsa"], (n) => [host(`mx.${n}`, true, "bogus")], true);
    add("bogus-tlsa-mand.example.com", "bogus-tlsa", "mandatory", w, ["retries", "retry-bogus-tlsa"], (n) => [host(`mx1.${n}`, true, "bogus")], true);
    add("bogus-mx.example", "bogus-mx", "opportunistic", w, ["retries", "retry-bogus-mx"], (n) => [host(`mx.${n}`, true, "secure")], true, true, BOGUS_TTL);
    add("bogus-a.example", "bogus-a", "opportunistic", w, ["retries", "retry-bogus-a"], (n) => [host(`mx.${n}`, true, "secure", false, true)], true);
  }
  if (has("shared-mx")) {
    // A DANE-capable provider (host Secure, TLSA Secure) and a plain one (all Insecure).
    const daneHost = host("mx.hoster.example", true, "secure", true);
    const plainHost = host("mail.plainhost.example.net", false, "none", true);
    const hosted = (i: number) => `customer${i}.example`;
    for (let i = 0; i < 6; i++) {
      const signed = i % 2 === 0;
      // customer1 (unsigned, Mandatory) fails M8 at every try: retries nobody can attribute.
      add(hosted(i), signed ? "hosted-signed" : "hosted-unsigned", i === 1 ? "mandatory" : "opportunistic", 0.1, ["shared-mx"], () => [daneHost], signed);
    }
    for (let i = 6; i < 10; i++) add(hosted(i), "hosted-unsigned", i === 7 ? "mandatory" : "opportunistic", 0.08, ["shared-mx"], () => [plainHost], false);
  }
  return domains;
}

// ---- a small discrete-event scheduler: each delivery run is a generator yielding delays (ms) ----

type Process = Generator<number, void, void>;

class Scheduler {
  now = 0;
  private seq = 0;
  private readonly heap: { at: number; seq: number; process: Process }[] = [];

  spawn(process: Process, at: number): void {
    this.heap.push({ at, seq: this.seq++, process });
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.less(parent, i)) break;
      [this.heap[parent], this.heap[i]] = [this.heap[i]!, this.heap[parent]!];
      i = parent;
    }
  }

  run(): void {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      const last = this.heap.pop()!;
      if (this.heap.length > 0) {
        this.heap[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < this.heap.length && this.less(l, m)) m = l;
          if (r < this.heap.length && this.less(r, m)) m = r;
          if (m === i) break;
          [this.heap[m], this.heap[i]] = [this.heap[i]!, this.heap[m]!];
          i = m;
        }
      }
      this.now = top.at;
      const step = top.process.next();
      if (!step.done) this.spawn(top.process, this.now + Math.max(0, Math.round(step.value)));
    }
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }
}

// ---- the simulation ----

interface Resolved {
  entry: CacheEntry;
  /** Looked up now (logged), not from the cache. */
  fresh: boolean;
  fallback: boolean;
}

/** What one delivery run has gathered so far: the lines it wrote and the lookups it did. */
interface RunState {
  firstLineMs: number | null;
  fallback: boolean;
}

export interface Corpus {
  /** Relative path -> content. */
  files: Map<string, string | Buffer>;
  truth: TruthAttempt[];
  manifest: Manifest;
}

export function generateTruthCorpus(options: TruthOptions): Corpus {
  const random = prng(options.seed);
  const has = (s: Scenario) => options.scenarios.has(s);
  const domains = makeWorld(random, options);
  const totalWeight = domains.reduce((sum, d) => sum + d.weight, 0);
  const pickDomain = () => {
    let r = random() * totalWeight;
    for (const d of domains) if ((r -= d.weight) <= 0) return d;
    return domains[domains.length - 1]!;
  };
  const syslog = has("syslog") || has("syslog-appliances");
  const count = has("syslog-appliances") ? 3 : has("file-appliances") ? 2 : 1;
  const names = ["esa1.example.com", "esa2.example.com", "esa3.example.com"].slice(0, count);
  const offsets = [3600, -21600, 0];
  const appliances: ApplianceSim[] = names.map((name, i) => ({
    name,
    form: syslog ? { form: "syslog", host: name, subscription: "mail_logs_d" } : { form: "file", utcOffsetSeconds: offsets[i]! },
    cache: new Map(),
    queues: new Map(),
    lines: [],
    outstanding: [],
    aaaaUnsupported: i % 2 === 0,
    mid: 441_000,
    icid: 773_000,
    dcid: 219_000,
  }));
  const gapMs = has("interleaved") ? 2_500 : 10_000;
  const spanMs = options.messages * gapMs;
  const outage = has("outage") ? { from: T0 + Math.round(spanMs * 0.4), to: T0 + Math.round(spanMs * 0.4) + 20 * MINUTE } : null;
  const secondaryDoesDnssec = !has("outage");
  const sched = new Scheduler();
  // Retries go on after the last message; the log stops an hour after it, as a rotation would.
  const endMs = T0 + spanMs + 60 * MINUTE;
  const truth: TruthAttempt[] = [];
  let lineSeq = 0;
  const uptimeStart = 1_900_000;

  const write = (app: ApplianceSim, messages: readonly log.Message[], run?: RunState) => {
    for (const message of messages) app.lines.push({ ms: sched.now, seq: lineSeq++, message });
    if (run !== undefined && run.firstLineMs === null && messages.length > 0) run.firstLineMs = sched.now;
  };

  if (has("warm-cache")) {
    for (const app of appliances) {
      for (const d of domains) {
        if (d.hosts.some((h) => h.shared) || d.mxBogus) continue;
        app.cache.set(`${d.name}|MX`, {
          status: d.mxSigned ? "secure" : "insecure",
          records: d.hosts.map((h, i) => [(i + 1) * 10, h.name] as const),
          expires: T0 + Math.floor(random() * d.mxTtl * 1000),
          logged: false,
        });
      }
    }
  }

  /** The answer a resolver gives for a record, as the world is at `now`. */
  const answer = (name: string, qtype: string, dnssec: boolean): { status: log.AnswerStatus | "nodata"; records: CacheEntry["records"]; ttl: number } => {
    const classify = (signed: boolean, bogus: boolean): log.AnswerStatus => (!signed ? "insecure" : bogus || !dnssec ? "bogus" : "secure");
    if (qtype === "MX") {
      const d = domains.find((x) => x.name === name)!;
      const status = classify(d.mxSigned, d.mxBogus);
      return { status, records: d.hosts.map((h, i) => [(i + 1) * 10, h.name] as const), ttl: status === "bogus" ? BOGUS_TTL : d.mxTtl };
    }
    const hostName = qtype === "TLSA" ? name.slice("_25._tcp.".length) : name;
    const h = domains.flatMap((d) => d.hosts).find((x) => x.name === hostName)!;
    if (qtype === "A") {
      const status = classify(h.signed, h.aBogus);
      return { status, records: [h.ip], ttl: status === "bogus" ? BOGUS_TTL : h.aTtl };
    }
    if (qtype === "TLSA") {
      if (h.tlsa === "nodata" || h.tlsa === "none") return { status: "nodata", records: [], ttl: NODATA_TTL };
      const status = classify(true, h.tlsa === "bogus");
      return { status, records: [log.tlsaValue(name)], ttl: status === "bogus" ? BOGUS_TTL : h.tlsaTtl };
    }
    return { status: "nodata", records: [], ttl: NODATA_TTL };
  };

  const outageNow = () => outage !== null && sched.now >= outage.from && sched.now < outage.to;

  /** The record from the cache, or looked up (and logged) now. */
  /**
   * The record from the cache, or looked up now: the query lines, the resolver's round trip, then
   * the answer lines. Concurrent deliveries' queries go out meanwhile; an answer comes only when
   * its query is the latest outstanding one (a `DNSSEC Response` line answers that one, the
   * reference says), so the log's answers nest like the tech note's and samples' do.
   */
  function* resolve(app: ApplianceSim, name: string, qtype: string, run: RunState): Generator<number, Resolved, void> {
    const key = `${name}|${qtype}`;
    const cached = app.cache.get(key);
    if (cached !== undefined && cached.expires > sched.now) return { entry: cached, fresh: false, fallback: false };
    const inOutage = outageNow();
    // As in gen-corpus: one query in 500 meets a SERVER FAILED at the primary and falls back.
    const stray = !inOutage && random() < 0.002;
    const failedAt = inOutage || stray ? [PRIMARY] : [];
    const dnssec = failedAt.length === 0 || secondaryDoesDnssec;
    const a = answer(name, qtype, dnssec);
    const lookup: log.Lookup = { name, qtype, failedAt, answeredBy: failedAt.length > 0 ? SECONDARY : PRIMARY, records: a.records, status: a.status === "nodata" ? "secure" : a.status, ttl: a.ttl, stamp: 0 };
    write(app, log.lookupQueryMessages(lookup), run);
    const token = {};
    app.outstanding.push(token);
    // A validating resolver's round trip: tens to hundreds of milliseconds.
    yield 30 + random() * random() * 900;
    while (app.outstanding[app.outstanding.length - 1] !== token) yield 10 + random() * 40;
    app.outstanding.pop();
    const entry: CacheEntry = { status: a.status, records: a.records, expires: sched.now + a.ttl * 1000, logged: true };
    app.cache.set(key, entry);
    lookup.stamp = (uptimeStart + Math.floor((sched.now - T0) / 1000) + a.ttl) * 1_250_468_524;
    write(app, log.lookupAnswerMessages(lookup), run);
    if (failedAt.length > 0) run.fallback = true;
    return { entry, fresh: true, fallback: failedAt.length > 0 };
  }

  /** A; when it was looked up (not cached), AAAA and CNAME after it, each from the cache if still there. */
  function* resolveAddress(app: ApplianceSim, host: Host, run: RunState): Generator<number, Resolved, void> {
    const a = yield* resolve(app, host.name, "A", run);
    if (a.fresh) {
      yield 40 + random() * 200;
      // A resolver with the tech note's AAAA limitation answers every AAAA query so (never cached).
      if (app.aaaaUnsupported && !outageNow()) write(app, log.aaaaUnsupportedMessages(host.name, PRIMARY), run);
      else yield* resolve(app, host.name, "AAAA", run);
      yield 20 + random() * 100;
      yield* resolve(app, host.name, "CNAME", run);
    }
    return a;
  }

  const evidenceOf = (r: Resolved | null): string => (r === null ? "unknown" : !r.entry.logged ? "unknown" : r.entry.status === "nodata" ? "nxdomain" : r.entry.status);
  const actualOf = (r: Resolved | null): string => (r === null ? "unknown" : r.entry.status === "nodata" ? "nxdomain" : r.entry.status);
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

  interface AttemptFacts {
    app: ApplianceSim;
    queue: Queue;
    run: RunState;
    startMs: number;
    dcid: number | null;
    mids: number[];
    queuedMids: number[];
    host: Host;
    mx: Resolved;
    a: Resolved | null;
    tlsa: Resolved | null;
    observed: TruthAttempt["observed"];
    ip: string | null;
    /** The attempt's own lines name the domain (its MX lookup, a connection). */
    namesDomain: boolean;
    fallback: boolean;
    /** The queue had failed before: this run is a retry. */
    retry: boolean;
    invisible: boolean;
  }

  const record = (f: AttemptFacts) => {
    const d = f.queue.domain;
    let domain: string | null = d.name;
    let candidates: string[] = [];
    if (!f.namesDomain) {
      const mapped: string[] = [];
      for (const [key, entry] of f.app.cache) {
        if (!key.endsWith("|MX") || !entry.logged || entry.expires <= f.startMs) continue;
        if (entry.records.some((r) => typeof r !== "string" && r[1] === f.host.name)) mapped.push(key.slice(0, -3));
      }
      mapped.sort();
      if (!(mapped.length === 1 && mapped[0] === d.name)) {
        domain = null;
        candidates = mapped;
      }
    }
    // Without the domain, the MX classification is known only where every candidate's agrees.
    const candidateMx = new Set(candidates.map((c) => evidenceOf({ entry: f.app.cache.get(`${c}|MX`)!, fresh: false, fallback: false })));
    const mxEvidence = domain !== null ? evidenceOf(f.mx) : candidateMx.size === 1 ? [...candidateMx][0]! : "unknown";
    const evidence: Evidence = { mx: mxEvidence, a: evidenceOf(f.a), tlsa: evidenceOf(f.tlsa), cert: f.observed === "dane-success" ? "success" : "unknown" };
    const byMode = evaluateBothModes(evidence as PolicyInput);
    const flags: string[] = [];
    if (evidence.mx === "bogus" || evidence.a === "bogus" || evidence.tlsa === "bogus") flags.push("bogus");
    if (f.fallback) flags.push("resolver-fallback");
    if (f.observed === "dane-success") flags.push("dane-success");
    if (!f.mx.fresh || (f.a !== null && !f.a.fresh) || (f.tlsa !== null && !f.tlsa.fresh)) flags.push("cached");
    const tags = [...d.tags];
    if (f.retry) tags.push("retry");
    if (!f.mx.entry.logged) tags.push("warm-cache");
    if (outage !== null && f.startMs >= outage.from && f.startMs < outage.to + 30 * MINUTE) tags.push("outage");
    truth.push({
      host: f.app.name,
      start: iso(f.startMs),
      dcid: f.dcid,
      mids: domain === null ? [] : f.dcid === null ? [...f.queuedMids] : [...f.mids],
      domain,
      domainCandidates: candidates,
      mxHost: f.host.name,
      ip: f.ip,
      evidence,
      // Without the domain, the destination controls' default.
      mode: domain === null ? "opportunistic" : d.mode,
      decisionByMode: { mandatory: byMode.mandatory.decision, opportunistic: byMode.opportunistic.decision },
      observed: f.observed,
      flags,
      invisible: f.invisible,
      tags: [...new Set(tags)].sort(),
      actual: { domain: d.name, mids: f.dcid === null ? [...f.queuedMids] : [...f.mids], mx: actualOf(f.mx), a: actualOf(f.a), tlsa: actualOf(f.tlsa) },
    });
  };

  /** One try, for message `due`: resolve, decide, connect (or not) and deliver everything queued for the domain. */
  function* deliveryRun(app: ApplianceSim, queue: Queue, due: number): Process {
    const d = queue.domain;
    queue.busy = true;
    const run: RunState = { firstLineMs: null, fallback: false };
    const queuedMids = [...queue.mids];
    const runStart = sched.now;
    const retry = queue.backoffMs.has(due);
    const mx = yield* resolve(app, d.name, "MX", run);
    const mxFallback = mx.fallback;
    const hostNames = mx.entry.records.map((r) => (typeof r === "string" ? r : r[1]));
    let failed = false;
    for (let index = 0; index < hostNames.length; index++) {
      const host = d.hosts.find((h) => h.name === hostNames[index])!;
      const hostRun: RunState = { firstLineMs: null, fallback: false };
      const common = { app, queue, queuedMids, host, mx, ip: null, invisible: false, retry };
      if (mx.entry.status === "bogus") {
        record({ ...common, run, startMs: run.firstLineMs ?? runStart, dcid: null, mids: [], a: null, tlsa: null, observed: "no-connection", namesDomain: mx.fresh, fallback: mxFallback, invisible: run.firstLineMs === null });
        failed = true;
        break;
      }
      yield 50 + random() * 400;
      const a = yield* resolveAddress(app, host, hostRun);
      let tlsa: Resolved | null = null;
      if (a.entry.status === "secure") {
        yield 30 + random() * 300;
        tlsa = yield* resolve(app, `_25._tcp.${host.name}`, "TLSA", hostRun);
      }
      const actual: PolicyInput = {
        mx: mx.entry.status as PolicyInput["mx"],
        a: a.entry.status as PolicyInput["a"],
        tlsa: tlsa === null ? "unknown" : tlsa.entry.status === "nodata" ? "nxdomain" : (tlsa.entry.status as PolicyInput["tlsa"]),
        cert: tlsa?.entry.status === "secure" ? "success" : "unknown",
      };
      const decision = evaluatePolicy(d.mode, actual).decision;
      if (decision !== "dane-success" && decision !== "dane-fail" && decision !== "tls-fallback") throw new Error(`gen-truth: the appliance cannot decide ${JSON.stringify(actual)} (${decision})`);
      // The MX lookup belongs to the first host's attempt only; a later host's attempt starts at its own lines.
      const firstLine = index === 0 ? (run.firstLineMs ?? hostRun.firstLineMs) : hostRun.firstLineMs;
      const fallback = mxFallback || hostRun.fallback;
      if (decision === "dane-fail") {
        record({ ...common, run, startMs: firstLine ?? sched.now, dcid: null, mids: [], a, tlsa, observed: "no-connection", namesDomain: mx.fresh, fallback, invisible: firstLine === null });
        failed = true;
        break;
      }
      yield 100 + random() * 400;
      const dcid = app.dcid++;
      const connectMs = sched.now;
      write(app, [log.connectMessage(dcid, host.ip)]);
      if (index < hostNames.length - 1 && random() < d.firstHostFails) {
        yield 30_000;
        write(app, [log.connectionTimeoutMessage(dcid, d.name, host.ip)]);
        record({ ...common, run, startMs: connectMs, dcid, mids: [], a, tlsa, ip: host.ip, observed: "no-connection", namesDomain: true, fallback });
        continue;
      }
      yield 200 + random() * 600;
      const dane = decision === "dane-success";
      write(app, [log.tlsSuccessMessage(dcid, dane ? d.name : null)]);
      const mids = [...queue.mids];
      for (const mid of mids) {
        yield 300 + random() * 1200;
        write(app, log.deliveredMessages(dcid, mid, (mid * 7919).toString(36).toUpperCase()));
      }
      queue.mids = queue.mids.filter((m) => !mids.includes(m));
      for (const mid of mids) queue.backoffMs.delete(mid);
      yield 100 + random() * 300;
      write(app, [log.closeMessage(dcid)]);
      record({ ...common, run, startMs: connectMs, dcid, mids, a, tlsa, ip: host.ip, observed: dane ? "dane-success" : "tls", namesDomain: true, fallback });
      break;
    }
    queue.busy = false;
    if (failed) {
      // DANE Fail: the message stays queued and is retried after its own backoff.
      const wait = queue.backoffMs.get(due) ?? 60_000;
      queue.backoffMs.set(due, Math.min(wait * 2, 3_600_000));
      sched.spawn(messageTimer(app, queue, due), sched.now + wait);
    }
  }

  /**
   * A message's turn to be delivered (on arrival, then at each retry). A run for its domain under
   * way may deliver it; if that run fails, the message takes its own turn right after.
   */
  function* messageTimer(app: ApplianceSim, queue: Queue, mid: number): Process {
    for (;;) {
      // The log ends here: no run may start that it would cut in half.
      if (sched.now >= endMs || !queue.mids.includes(mid)) return;
      if (!queue.busy) break;
      yield 2_000 + random() * 3_000;
    }
    yield* deliveryRun(app, queue, mid);
  }

  function* arrivals(): Process {
    let burst = 0;
    for (let n = 0; n < options.messages; n++) {
      // Interleaved: now and then a burst (a mailing to many domains at once), whose deliveries'
      // lookups are out together and answered in nested order.
      if (burst === 0 && has("interleaved") && random() < 0.06) burst = 4 + Math.floor(random() * 12);
      if (burst > 0) burst--;
      yield burst > 0 ? 10 + random() * 150 : -Math.log(1 - random()) * gapMs;
      const app = appliances[Math.floor(random() * appliances.length)]!;
      const d = pickDomain();
      const mid = app.mid++;
      const icid = app.icid++;
      const sender = `sender${mid % 977}@corp.example`;
      write(app, log.inboundMessages({ mid, icid, sender, recipient: `user${mid % 313}@${d.name}`, messageId: `${mid.toString(16)}${icid.toString(16)}`, subject: `Quarterly report ${mid % 97}`, bytes: 1000 + Math.floor(random() * 90000) }));
      let queue = app.queues.get(d.name);
      if (queue === undefined) {
        queue = { domain: d, mids: [], busy: false, backoffMs: new Map() };
        app.queues.set(d.name, queue);
      }
      queue.mids.push(mid);
      sched.spawn(messageTimer(app, queue, mid), sched.now + 50 + random() * 600);
    }
  }

  sched.spawn(arrivals(), T0);
  sched.run();
  return render(appliances, truth, options, syslog, domains);
}

function render(appliances: ApplianceSim[], truthAll: TruthAttempt[], options: TruthOptions, syslog: boolean, domains: Domain[]): Corpus {
  const files = new Map<string, string | Buffer>();
  const runs: Run[] = [];
  const byTime = (a: Line, b: Line) => a.ms - b.ms || a.seq - b.seq;
  const lines = (app: ApplianceSim, list: Line[]) => list.map((l) => `${log.linePrefix(app.form, l.ms, l.message.level)}${l.message.text}\n`).join("");
  const controls = ["# Destination Controls of the simulated appliances: DANE mode per domain", "default opportunistic", ...domains.filter((d) => d.mode === "mandatory").map((d) => `${d.name} mandatory`)].join("\n");
  files.set("dest-controls", `${controls}\n`);
  const common = ["--dest-controls", "dest-controls"];
  if (syslog) {
    const merged = appliances.flatMap((app) => app.lines.map((l) => ({ app, l }))).sort((x, y) => byTime(x.l, y.l));
    files.set("syslog/mail_logs_d.log", merged.map(({ app, l }) => lines(app, [l])).join(""));
    runs.push({ host: null, inputs: ["syslog"], args: ["--year", "2024", ...common] });
  } else {
    for (const app of appliances) {
      const offset = app.form.form === "file" ? app.form.utcOffsetSeconds : 0;
      const sorted = [...app.lines].sort(byTime);
      const parts = options.scenarios.has("rotation") ? 4 : 1;
      const size = Math.ceil(sorted.length / parts);
      for (let p = 0; p < parts; p++) {
        const chunk = sorted.slice(p * size, (p + 1) * size);
        if (chunk.length === 0) continue;
        const header = log.fileHeader("15.0.1-030", `4229C1A8E2F7B0D63E1${appliances.indexOf(app)}-9F04C2A1B7D8`, offset).map((message) => ({ ms: chunk[0]!.ms, seq: -1, message }));
        const text = lines(app, [...header, ...chunk]);
        const last = p === parts - 1;
        const name = last ? "mail_logs_d.current" : `mail_logs_d.@${log.rotationStamp(chunk[0]!.ms, offset)}.s`;
        // Users fetch rotated files and often gzip them: every other rotated file here.
        if (!last && p % 2 === 0) files.set(`${app.name}/${name}.gz`, gzipSync(text));
        else files.set(`${app.name}/${name}`, text);
      }
      runs.push({ host: app.name, inputs: [app.name], args: ["--host", app.name, ...common] });
    }
  }
  const manifest: Manifest = {
    seed: options.seed,
    messages: options.messages,
    scenarios: [...options.scenarios],
    form: syslog ? "syslog" : "file",
    appliances: appliances.map((a) => a.name),
    runs,
    truth: "truth.ndjson",
    destControls: "dest-controls",
  };
  const truth = truthAll.sort((a, b) => a.start.localeCompare(b.start));
  return { files, truth, manifest };
}

/** Writes a corpus into `dir` (emptied first). */
export function writeTruthCorpus(dir: string, corpus: Corpus): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of corpus.files) {
    const full = join(dir, path);
    mkdirSync(join(full, ".."), { recursive: true });
    writeFileSync(full, content);
  }
  writeFileSync(join(dir, corpus.manifest.truth), corpus.truth.map((t) => JSON.stringify(t)).join("\n") + "\n");
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(corpus.manifest, null, 2)}\n`);
}

export function parseScenarios(text: string): Set<Scenario> {
  if (text === "all") return new Set(SCENARIOS.filter((s) => s !== "syslog" && s !== "syslog-appliances"));
  if (text === "none" || text === "") return new Set();
  const out = new Set<Scenario>();
  for (const name of text.split(",").map((s) => s.trim())) {
    if (!(SCENARIOS as readonly string[]).includes(name)) throw new UsageError(`--scenario: unknown scenario '${name}' (one of: ${SCENARIOS.join(", ")}, all, none)`);
    out.add(name as Scenario);
  }
  return out;
}

const HELP = `gen-truth: writes simulated ESA debug logs with the ground truth of every delivery attempt.

usage: npm run gen:truth -- [--out DIR] [--scenario LIST] [--messages N] [--seed N]

options:
  --out DIR         output directory, emptied first (default bench/truth/<scenarios>-seed<N>)
  --scenario LIST   comma-separated scenarios, or 'all' (every one but the syslog ones), or 'none'
                    (default all)
  --messages N      messages to send (default 3000)
  --seed N          random seed: the same seed gives the same corpus (default 1)
  -h, --help        this text

scenarios:
${SCENARIOS.map((s) => `  ${s.padEnd(18)}${SCENARIO_HELP[s]}`).join("\n")}

Output: DIR/truth.ndjson, DIR/manifest.json, DIR/dest-controls and the logs; score with
npm run fidelity -- DIR
`;

/** Parses argv; throws UsageError on an unknown option or a bad value. */
export function parseTruthArgs(argv: string[]): { help: true } | { help: false; out: string; options: TruthOptions } {
  const { values } = parseOptions(argv, { out: { type: "string" }, scenario: { type: "string" }, messages: { type: "string" }, seed: { type: "string" } });
  if (values.help) return { help: true };
  const seed = wholeNumber("seed", values.seed, 1, 0);
  const messages = wholeNumber("messages", values.messages, 3000, 1);
  const scenarioText = values.scenario ?? "all";
  const scenarios = parseScenarios(scenarioText);
  const out = values.out ?? join("bench", "truth", `${scenarioText.replace(/[^a-z0-9-]+/gi, "+")}-seed${seed}`);
  return { help: false, out, options: { seed, messages, scenarios } };
}

runScript(import.meta, "gen-truth", (argv) => {
  const parsed = parseTruthArgs(argv);
  if (parsed.help) {
    process.stdout.write(HELP);
    return;
  }
  const corpus = generateTruthCorpus(parsed.options);
  writeTruthCorpus(parsed.out, corpus);
  const visible = corpus.truth.filter((t) => !t.invisible).length;
  process.stdout.write(`${parsed.out}: ${corpus.truth.length} attempts (${corpus.truth.length - visible} invisible), ${corpus.files.size} files\n`);
});
