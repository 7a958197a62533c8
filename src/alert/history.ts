// Each DNS record's Bogus history, per appliance: when it last validated and through which
// resolver, and since when it has been Bogus without validating in between. That tells a spike
// from a standing condition (issue 11): a record Bogus since it was first seen (from a resolver
// that validates others), or Bogus for longer than `chronicMs` without a validating answer, is chronic - the domain's DNSSEC is
// broken and stays so; listed, never alerted on. A record that validated before and is Bogus now
// is new: it counts toward a spike. Kept in the --state file, so cron runs share one history.
//
// Also each resolver's Secure answers ever seen: a resolver that answered Secure once can do
// DNSSEC (attribution.ts).
import type { LookupFacts, LookupLike } from "./attribution.js";

export interface RecordHistory {
  /** The recipient domain (or the name) the record was last looked up for. */
  domain: string;
  qtype: string;
  /** Last validating answer (Secure or Insecure), and by whom. */
  validAt: number | null;
  validBy: string | null;
  /** Start of the current Bogus streak (no validating answer since); null when not Bogus. */
  bogusSince: number | null;
  /** Bogus answers in the current streak. */
  bogusCount: number;
  chronic: boolean;
  /** Bogus answers of the current streak per resolver, not yet contradicted by another resolver. */
  bogusBy: Record<string, number>;
  seenAt: number;
}

export interface HistoryState {
  /** `host \t name \t qtype` -> its history. */
  records: Record<string, RecordHistory>;
  /** `host \t resolver` -> Secure answers seen. */
  secure: Record<string, number>;
}

export function emptyHistory(): HistoryState {
  return { records: {}, secure: {} };
}

/** Most records remembered (a hostile or huge log cannot grow the state without bound). */
export const MAX_RECORDS = 100_000;
/** A record not looked up for this long is forgotten. */
export const FORGET_MS = 7 * 24 * 3_600_000;

/** A chronic record not looked up for this long is no longer listed (it may have been fixed). */
export const LISTED_MS = 24 * 3_600_000;
export const LISTED_MIN_ANSWERS = 3;

export type BogusClass = "new" | "chronic";

export interface Noted extends LookupFacts {
  /** For a Bogus answer: whether it counts toward a spike. */
  bogusClass: BogusClass | null;
}

export interface ChronicRecord {
  host: string | null;
  domain: string;
  qtype: string;
  bogusSince: number;
}

export class BogusHistory {
  private readonly records: Map<string, RecordHistory>;
  private readonly secure: Map<string, number>;

  constructor(
    readonly chronicMs: number,
    state: HistoryState = emptyHistory(),
  ) {
    this.records = new Map(Object.entries(state.records));
    this.secure = new Map(Object.entries(state.secure));
  }

  snapshot(): HistoryState {
    return { records: Object.fromEntries(this.records), secure: Object.fromEntries(this.secure) };
  }

  secureEver = (host: string | null, resolver: string): number => this.secure.get(`${host ?? ""}\t${resolver}`) ?? 0;

  /**
   * Notes an answered lookup. `freeze`: a resolver-wide episode is going on, so a record's Bogus
   * streak does not turn chronic by lasting (a long outage stays an outage).
   */
  note(lookup: LookupLike & { startMs: number | null }, freeze = false): Noted {
    const facts: Noted = { bogusClass: null, validatedBefore: false, contradicted: false, contradicts: {} };
    const resolver = lookup.answeredBy;
    const status = lookup.status;
    const at = lookup.startMs ?? 0;
    if (resolver === null || (status !== "secure" && status !== "insecure" && status !== "bogus")) return facts;
    if (status === "secure") this.secure.set(`${lookup.host ?? ""}\t${resolver}`, this.secureEver(lookup.host, resolver) + 1);
    const key = `${lookup.host ?? ""}\t${lookup.name}\t${lookup.qtype}`;
    let record = this.records.get(key);
    if (record === undefined) {
      if (this.records.size >= MAX_RECORDS) this.prune(at);
      record = { domain: lookup.domain ?? lookup.name, qtype: lookup.qtype, validAt: null, validBy: null, bogusSince: null, bogusCount: 0, chronic: false, bogusBy: {}, seenAt: at };
      this.records.set(key, record);
    }
    record.seenAt = Math.max(record.seenAt, at);
    if (lookup.domain !== null) record.domain = lookup.domain;
    if (status !== "bogus") {
      for (const [other, n] of Object.entries(record.bogusBy)) if (other !== resolver && n > 0) facts.contradicts[other] = n;
      if (record.validAt === null || at >= record.validAt) {
        record.validAt = at;
        record.validBy = resolver;
      }
      record.bogusSince = null;
      record.bogusCount = 0;
      record.chronic = false;
      record.bogusBy = {};
      return facts;
    }
    facts.validatedBefore = record.validAt !== null;
    facts.contradicted = record.validBy !== null && record.validBy !== resolver;
    if (!facts.contradicted) record.bogusBy[resolver] = (record.bogusBy[resolver] ?? 0) + 1;
    if (record.bogusSince === null) record.bogusSince = at;
    record.bogusCount = (record.bogusCount ?? 0) + 1;
    // Never seen validating, and Bogus from a resolver that can validate (it answered Secure
    // for others): nothing says it ever worked, so it is the domain's standing condition. From a
    // resolver never seen to validate, it may be the resolver's doing: new until it lasts.
    if (record.validAt === null && this.secureEver(lookup.host, resolver) > 0) record.chronic = true;
    else if (!freeze && at - record.bogusSince >= this.chronicMs) record.chronic = true;
    facts.bogusClass = record.chronic ? "chronic" : "new";
    return facts;
  }

  /**
   * Records Bogus and chronic now, longest first: those with LISTED_MIN_ANSWERS Bogus answers or
   * more (a single stray answer is not a standing condition) looked up within LISTED_MS of the
   * latest lookup.
   */
  chronic(): ChronicRecord[] {
    const out: ChronicRecord[] = [];
    let latest = 0;
    for (const r of this.records.values()) latest = Math.max(latest, r.seenAt);
    for (const [key, r] of this.records) {
      if (!r.chronic || r.bogusSince === null || (r.bogusCount ?? 0) < LISTED_MIN_ANSWERS || latest - r.seenAt > LISTED_MS) continue;
      const host = key.slice(0, key.indexOf("\t"));
      out.push({ host: host === "" ? null : host, domain: r.domain, qtype: r.qtype, bogusSince: r.bogusSince });
    }
    return out.sort((a, b) => a.bogusSince - b.bogusSince || (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : a.qtype < b.qtype ? -1 : 1));
  }

  /** Forgets records not seen for FORGET_MS; still too many, the least recently seen tenth. */
  private prune(nowMs: number): void {
    for (const [key, r] of this.records) if (nowMs - r.seenAt > FORGET_MS) this.records.delete(key);
    if (this.records.size < MAX_RECORDS) return;
    const oldest = [...this.records].sort((a, b) => a[1].seenAt - b[1].seenAt).slice(0, Math.ceil(MAX_RECORDS / 10));
    for (const [key] of oldest) this.records.delete(key);
  }
}
