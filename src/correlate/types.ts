// What correlation produces: delivery attempts (the NDJSON contract of `esa-dane deliveries`,
// section 3 of the reference), the DNS lookups behind them, and per-resolver statistics.
import type { DnsRecordValue, DnsStatus } from "../events/types.js";
import type { Decision, PolicyInputName } from "../policy/evaluate.js";

export type ClassificationEvidence = "secure" | "insecure" | "bogus" | "nxdomain" | "unknown";
export type CertEvidence = "success" | "failed" | "unknown";

export interface Evidence {
  /** `nxdomain` for mx and a goes beyond the contract's list: such an attempt is outside the table. */
  mx: ClassificationEvidence;
  a: ClassificationEvidence;
  tlsa: ClassificationEvidence;
  cert: CertEvidence;
}

export type ModeSetting = "mandatory" | "opportunistic" | "none" | "unknown";
export type AttemptDecision = Decision | "not-applicable";
export type Observed = "dane-success" | "tls" | "tls-failed" | "plaintext" | "no-connection";
export type AttemptFlag = "bogus" | "resolver-fallback" | "dane-success" | "cached" | "mismatch" | "undetermined";

/** One line of `esa-dane deliveries --format ndjson`, field for field as the contract has it. */
export interface AttemptRecord extends AttemptFacts {
  start: string | null;
  end: string | null;
  source: string[];
}

/**
 * The contract's fields that correlation decides. Times and source lines stay numbers on the
 * Attempt (`startMs`, `endMs`, `sources`): the outputs format them (output/attempt-record.ts).
 */
export interface AttemptFacts {
  host: string | null;
  dcid: number | null;
  mids: number[];
  domain: string | null;
  /** With `domain: null`, the domains the cache maps the MX host to (sorted); else empty. */
  domainCandidates: string[];
  mxHost: string | null;
  ip: string | null;
  evidence: Evidence;
  mode: ModeSetting;
  decisionByMode: { mandatory: Decision; opportunistic: Decision };
  decision: AttemptDecision;
  row: string | null;
  observed: Observed;
  flags: AttemptFlag[];
  resolvers: string[];
}

/** What the log says became of the messages on the connection. */
export type DeliveryResult = "delivered" | "delayed" | "bounced" | "connection-error" | "not-attempted" | "unknown";

/** An attempt with what reports need beyond the contract. */
export interface Attempt {
  record: AttemptFacts;
  startMs: number | null;
  endMs: number | null;
  /** Whether startMs/endMs are UTC (else appliance local time read as UTC). */
  utcKnown: boolean;
  /** The lines used (see sources.ts), unsorted and possibly repeated; formatSources orders them. */
  sources: number[];
  /** Per mode, the unknown inputs that left the decision undetermined. */
  missing: { mandatory: PolicyInputName[]; opportunistic: PolicyInputName[] };
  /** Which lookups of this attempt were classified Bogus. */
  bogus: { mx: boolean; a: boolean; tlsa: boolean };
  result: DeliveryResult;
  /** Lookups of this attempt that were retried at another resolver after a failure. */
  fallbacks: number;
  /** Recipient addresses seen for the attempt's messages (for the domain and for reports). */
  recipients: string[];
  /** The appliance's own address on the connection (`New SMTP DCID ... interface IP`). */
  sendingIp: string | null;
}

/** One DNS lookup, assembled from its query, resolver, response and encache lines. */
export interface DnsLookup {
  host: string | null;
  name: string;
  qtype: string;
  startMs: number | null;
  endMs: number | null;
  /** Resolver IPs asked, in order. */
  resolversAsked: string[];
  failures: { resolver: string; reason: string }[];
  answeredBy: string | null;
  status: DnsStatus | null;
  ttl: number | null;
  records: DnsRecordValue[];
  /** Retried at another resolver after a failure. */
  fallback: boolean;
  /** The recipient domain this lookup served, once known. */
  domain: string | null;
  /** The lines of the lookup (see sources.ts; formatSources turns them into `file:line`). */
  source: number[];
}

export interface ResolverStats {
  host: string | null;
  ip: string;
  queries: number;
  failures: number;
  answers: Record<DnsStatus, number>;
  /** Queries that failed here and were then retried at another resolver. */
  fallbacksFrom: number;
  /** Queries answered here after another resolver had failed. */
  fallbacksTo: number;
  likelyNoDnssec: boolean;
  /** Why it is thought not to do DNSSEC, in words. */
  noDnssecReason: string | null;
}
