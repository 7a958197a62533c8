// Assembles DNS lookups from their lines, for one appliance. A lookup is
//
//   Q('name', 'TYPE')                        a lookup starts
//   QN('name', 'TYPE', 'nameserver set')     which nameservers
//   QIP ('name', 'TYPE', 'resolver', 60)     which resolver, and the timeout
//   Q ('name', 'TYPE', 'resolver')           sent
//   [Received an invalid DNS Response: SERVER FAILED to IP resolver looking up name]
//   [QIP/Q to another resolver]              a fallback
//   DNSSEC Response data([...], status, 0, ttl)
//   DNS encache (name, TYPE, [...])  or  Received NODATA for domain name type TYPE
//
// The response line does not name its query: it answers the latest outstanding one. When
// lookups of concurrent deliveries interleave that guess can be wrong, so the answer stays
// tentative until the next line: an encache or NODATA line naming another outstanding lookup
// moves it there.
import type {
  DnsEncacheEvent,
  DnsNoAnswerEvent,
  DnsNoCnameEvent,
  DnsQueryEvent,
  DnsResolverFailureEvent,
  DnsResponseEvent,
  DnssecErrorEvent,
  LogEvent,
} from "../events/types.js";
import { sourceOf } from "./sources.js";
import type { ResolverTable } from "./resolver-table.js";
import type { DnsLookup } from "./types.js";

/** DNS names compare without case and without the root's trailing dot. */
export function normalName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** A lookup's key: its name as normalName gives it (`a.example.` and `A.example` are one lookup) and its type. */
export function lookupKey(name: string, qtype: string): string {
  // The lines of one lookup come one after another and carry the same strings: the key made for
  // the last line is most often the key of this one, and building it again is a new string to
  // hash. Correlating the 30 MB slice in process (lookups only, fastest of 6): 306-319 ms
  // without this, 272-308 ms with it (three rounds).
  if (name === lastKeyed.name && qtype === lastKeyed.qtype) return lastKeyed.key;
  const key = `${normalName(name)}|${qtype.toUpperCase()}`;
  lastKeyed.name = name;
  lastKeyed.qtype = qtype;
  lastKeyed.key = key;
  return key;
}

const lastKeyed = { name: "", qtype: "", key: "|" };


interface OpenLookup {
  /** lookupKey of the lookup's name and type: its key in the open map, made once. */
  readonly key: string;
  lookup: DnsLookup;
  answered: boolean;
  lastMs: number | null;
  /** Order of the latest query line, to find "the latest outstanding query". */
  queryOrder: number;
  /** The resolver a query was last sent to, awaiting an answer. */
  awaiting: string | null;
}

export interface DnsAnswerSink {
  /** A lookup is complete: answered, failed for good, or abandoned. */
  (lookup: DnsLookup): void;
}

export class DnsTracker {
  private readonly open = new Map<string, OpenLookup>();
  private tentative: { response: DnsResponseEvent; target: OpenLookup } | null = null;
  /** The lookup completed last: a `No CNAME record` line after a NODATA answer belongs to it. */
  private lastCompleted: DnsLookup | null = null;
  private order = 0;

  constructor(
    private readonly host: string | null,
    readonly resolvers: ResolverTable,
    private readonly done: DnsAnswerSink,
  ) {}

  /** Lookups not yet answered or given up (for tests of bounded memory). */
  get openCount(): number {
    return this.open.size;
  }

  /** Handles one DNS event. Returns false for events that are not DNS lines. */
  push(event: LogEvent): boolean {
    switch (event.kind) {
      case "dns-query":
        this.settle();
        this.query(event);
        return true;
      case "dns-response":
        this.settle();
        this.response(event);
        return true;
      case "dns-encache":
        this.named(event, event.name, event.qtype);
        return true;
      case "dns-no-answer":
        this.named(event, event.name, event.qtype);
        return true;
      case "dns-no-cname":
        this.settle();
        this.noCname(event);
        return true;
      case "dns-resolver-failure":
        this.settle();
        this.failure(event);
        return true;
      case "dnssec-error":
        this.settle();
        this.dnssecError(event);
        return true;
      default:
        this.settle();
        return false;
    }
  }

  /** Completes lookups with no line for `quietMs` (the appliance gave up, or the log lost lines). */
  sweep(nowMs: number, quietMs: number): void {
    this.settle();
    for (const [key, open] of this.open) {
      if (open.lastMs !== null && nowMs - open.lastMs > quietMs) {
        this.open.delete(key);
        this.complete(open);
      }
    }
  }

  /** The earliest start of a lookup still open (null: none, or none timed). */
  openSinceMs(): number | null {
    let since: number | null = null;
    for (const open of this.open.values()) {
      const start = open.lookup.startMs;
      if (start !== null && (since === null || start < since)) since = start;
    }
    return since;
  }

  end(): void {
    this.settle();
    for (const open of [...this.open.values()]) this.complete(open);
    this.open.clear();
  }

  private touch(open: OpenLookup, event: LogEvent): void {
    open.lookup.source.push(sourceOf(event));
    if (event.time !== null) {
      open.lastMs = event.time;
      open.lookup.endMs = event.time;
    }
  }

  private begin(key: string, event: DnsQueryEvent): OpenLookup {
    const open: OpenLookup = {
      key,
      lookup: {
        host: this.host,
        name: normalName(event.name),
        qtype: event.qtype.toUpperCase(),
        startMs: event.time,
        endMs: event.time,
        resolversAsked: [],
        failures: [],
        answeredBy: null,
        status: null,
        ttl: null,
        records: [],
        fallback: false,
        domain: null,
        source: [],
      },
      answered: false,
      lastMs: event.time,
      queryOrder: this.order++,
      awaiting: null,
    };
    this.open.set(key, open);
    return open;
  }

  private query(event: DnsQueryEvent): void {
    const key = lookupKey(event.name, event.qtype);
    let open = this.open.get(key);
    // A bare Q('name', 'TYPE') starts a lookup; an earlier one for the same name is over.
    if (open !== undefined && event.form === "Q" && event.resolver === null) {
      this.open.delete(key);
      this.complete(open);
      open = undefined;
    }
    if (open === undefined) open = this.begin(key, event);
    this.touch(open, event);
    const resolver = event.resolver;
    if (resolver === null) return;
    open.queryOrder = this.order++;
    // QIP names the resolver; the `Q (name, type, ip)` that follows is the same query being sent.
    const repeatOfQip = event.form === "Q" && open.lookup.resolversAsked[open.lookup.resolversAsked.length - 1] === resolver && open.awaiting === resolver;
    if (repeatOfQip) return;
    const asked = open.lookup.resolversAsked;
    const previous = asked[asked.length - 1];
    if (previous !== undefined && previous !== resolver && !open.answered) {
      // The same query again at another resolver, unanswered by the first: a fallback.
      if (!open.lookup.fallback) this.resolvers.stats(previous).fallbacksFrom++;
      open.lookup.fallback = true;
    }
    asked.push(resolver);
    open.awaiting = resolver;
    this.resolvers.stats(resolver).queries++;
  }

  private latestOutstanding(): OpenLookup | null {
    let best: OpenLookup | null = null;
    for (const open of this.open.values()) {
      if (open.answered || open.awaiting === null) continue;
      if (best === null || open.queryOrder > best.queryOrder) best = open;
    }
    return best;
  }

  private response(event: DnsResponseEvent): void {
    const target = this.latestOutstanding();
    if (target === null) return; // an answer whose query the log does not show
    this.tentative = { response: event, target };
    target.answered = true;
  }

  /** An encache or NODATA line: names the lookup the tentative answer belongs to. */
  private named(event: DnsEncacheEvent | DnsNoAnswerEvent, name: string, qtype: string): void {
    const tentative = this.tentative;
    this.tentative = null;
    const named = this.open.get(lookupKey(name, qtype));
    let answered: OpenLookup | undefined = named;
    if (tentative !== null) {
      if (named !== undefined && named !== tentative.target && !named.answered) {
        // The guess was wrong: the answer belongs to the lookup this line names.
        tentative.target.answered = false;
        named.answered = true;
      } else if (named !== tentative.target) {
        // The line names no open lookup (the log began mid-lookup): keep the guess.
        this.apply(tentative.target, tentative.response);
        this.finishAnswered(tentative.target);
        answered = undefined;
      }
      if (answered !== undefined) this.apply(answered, tentative.response);
    }
    if (answered === undefined) return;
    this.touch(answered, event);
    if (event.kind === "dns-no-answer" && answered.lookup.status === null) answered.lookup.status = "none";
    this.finishAnswered(answered);
  }

  private apply(open: OpenLookup, response: DnsResponseEvent): void {
    const lookup = open.lookup;
    this.touch(open, response);
    lookup.status = response.status;
    lookup.ttl = response.ttl;
    lookup.records = response.records;
    const resolver = open.awaiting ?? lookup.resolversAsked[lookup.resolversAsked.length - 1] ?? null;
    lookup.answeredBy = resolver;
    open.awaiting = null;
    if (resolver !== null) {
      this.resolvers.recordAnswer(resolver, open.key, response.status);
      if (lookup.fallback) this.resolvers.stats(resolver).fallbacksTo++;
    }
  }

  private finishAnswered(open: OpenLookup): void {
    if (this.open.get(open.key) === open) this.open.delete(open.key);
    this.complete(open);
  }

  /** Any line but a naming one: the tentative answer was right after all. */
  private settle(): void {
    const tentative = this.tentative;
    if (tentative === null) return;
    this.tentative = null;
    this.apply(tentative.target, tentative.response);
    this.finishAnswered(tentative.target);
  }

  private noCname(event: DnsNoCnameEvent): void {
    const open = this.open.get(lookupKey(event.name, "CNAME"));
    if (open === undefined) {
      // The NODATA line before it already answered the lookup: the line is still its evidence.
      const last = this.lastCompleted;
      if (last !== null && last.qtype === "CNAME" && last.name === normalName(event.name)) last.source.push(sourceOf(event));
      return;
    }
    this.touch(open, event);
    this.finishAnswered(open);
  }

  private failure(event: DnsResolverFailureEvent): void {
    // The failure names the host looked up, not the type: the latest lookup of that name asked there.
    let target: OpenLookup | null = null;
    const name = normalName(event.name);
    for (const open of this.open.values()) {
      if (open.lookup.name !== name || open.answered) continue;
      if (target === null || open.queryOrder > target.queryOrder) target = open;
    }
    this.resolvers.stats(event.resolver).failures++;
    if (target === null) return;
    this.touch(target, event);
    target.lookup.failures.push({ resolver: event.resolver, reason: event.reason });
    if (target.awaiting === event.resolver) target.awaiting = null;
  }

  private dnssecError(event: DnssecErrorEvent): void {
    const open = this.open.get(lookupKey(event.name, event.qtype));
    if (open === undefined) return;
    this.touch(open, event);
    if (!event.unsupportedQtype) {
      open.lookup.failures.push({ resolver: event.resolver, reason: event.message });
      this.resolvers.stats(event.resolver).failures++;
    }
    // The AAAA `Unsupported qtype` error ends that lookup: a resolver limitation, not a verdict.
    this.finishAnswered(open);
  }

  private complete(open: OpenLookup): void {
    this.lastCompleted = open.lookup;
    this.done(open.lookup);
  }
}
