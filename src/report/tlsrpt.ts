// RFC 8460 (SMTP TLS Reporting) reports: one per UTC day and policy (recipient) domain, in the
// JSON format of RFC 8460 section 4. docs/tlsrpt.md documents the mapping; in short:
//
//   policies      one "tlsa" policy per MX host whose TLSA lookup was Secure that day (DANE is a
//                 per-host policy: its policy-string is that host's TLSA records), and one
//                 "no-policy-found" policy for the sessions to every other MX host of the domain
//   successful    a TLS session was logged (observed dane-success or tls) and the replayed
//                 decision is not dane-fail - or it is, but the log shows the session happened
//                 (flag mismatch: the log is the better witness of what happened)
//   failure       the replayed decision is dane-fail, or `TLS failed` was logged; result-type:
//                   Bogus MX/A/TLSA                 -> dnssec-invalid
//                   TLSA Secure, certificate failed -> tlsa-invalid
//                   dane-fail without a Secure TLSA -> dane-required (Mandatory)
//                   anything else                   -> validation-failure
//                 with failure-reason-code naming the evidence (and the table row when known)
//   not counted   attempts with no session whose decision is not dane-fail (undetermined
//                 daneverify runs, connection errors before TLS), and plaintext sessions
//
// Streaming like the report: counters per (day, domain, MX host) and failure key, TLSA records
// per (MX host, day), capped.
import { createHash } from "node:crypto";
import type { Attempt, DnsLookup } from "../correlate/types.js";

/** The registered result types esa-dane can produce (a subset of RFC 8460 section 4.3 / the IANA registry). */
export type ResultType = "dnssec-invalid" | "tlsa-invalid" | "dane-required" | "validation-failure";
export const RESULT_TYPES: readonly ResultType[] = ["dnssec-invalid", "tlsa-invalid", "dane-required", "validation-failure"];

const MAX_TLSA_RECORDS = 16;
const DAY_MS = 86_400_000;

interface FailureDetail {
  resultType: ResultType;
  sendingIp: string | null;
  receivingMx: string | null;
  receivingIp: string | null;
  reasonCode: string;
  count: number;
}

interface HostSessions {
  tlsaSecure: boolean;
  success: number;
  failure: number;
  failures: Map<string, FailureDetail>;
}

interface DayDomain {
  day: string;
  domain: string;
  /** By MX host; "" for sessions without one (a Bogus MX stops before any host is known). */
  hosts: Map<string, HostSessions>;
}

export interface TlsRptOptions {
  organization: string;
  contact: string;
  /** Filter bounds (epoch ms, until exclusive): a report's date-range never claims more than was looked at. */
  sinceMs?: number | null;
  untilMs?: number | null;
}

export interface TlsRptPolicy {
  policy: { "policy-type": "tlsa" | "no-policy-found"; "policy-string"?: string[]; "policy-domain": string; "mx-host": string[] };
  summary: { "total-successful-session-count": number; "total-failure-session-count": number };
  "failure-details": {
    "result-type": ResultType;
    "sending-mta-ip"?: string;
    "receiving-mx-hostname"?: string;
    "receiving-ip"?: string;
    "failed-session-count": number;
    "failure-reason-code": string;
  }[];
}

export interface TlsRptReport {
  "organization-name": string;
  "date-range": { "start-datetime": string; "end-datetime": string };
  "contact-info": string;
  "report-id": string;
  policies: TlsRptPolicy[];
}

function resultTypeOf(attempt: Attempt): ResultType {
  const r = attempt.record;
  if (attempt.bogus.mx || attempt.bogus.a || attempt.bogus.tlsa) return "dnssec-invalid";
  if (r.evidence.tlsa === "secure" && r.evidence.cert === "failed") return "tlsa-invalid";
  if (r.decision === "dane-fail" && r.evidence.tlsa !== "secure") return "dane-required";
  return "validation-failure";
}

function reasonCodeOf(attempt: Attempt): string {
  const r = attempt.record;
  const e = r.evidence;
  const why = r.decision === "dane-fail" ? "DANE Fail" : "TLS failed";
  return `${why}${r.row !== null ? ` (row ${r.row})` : ""}: MX ${e.mx}, A ${e.a}, TLSA ${e.tlsa}, certificate ${e.cert}`;
}

/** A TLSA record as logged (hex of the whole RDATA) in the presentation format of RFC 6698 section 2.2: "3 1 1 0c72...". */
export function tlsaPresentation(record: string): string {
  if (!/^[0-9a-f]{8,}$/i.test(record) || record.length % 2 !== 0) return record;
  const field = (i: number) => parseInt(record.slice(i * 2, i * 2 + 2), 16);
  return `${field(0)} ${field(1)} ${field(2)} ${record.slice(6).toLowerCase()}`;
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export class TlsRptBuilder {
  private readonly groups = new Map<string, DayDomain>();
  /** TLSA records of Secure answers, by MX host and day; "latest" serves cached sessions on later days. */
  private readonly tlsa = new Map<string, { byDay: Map<string, string[]>; latest: string[] }>();

  /** Remembers the records of Secure TLSA answers (`_25._tcp.<mx host>`), for the policy-string. */
  lookup(lookup: DnsLookup): void {
    if (lookup.qtype !== "TLSA" || lookup.status !== "secure") return;
    const match = /^_25\._tcp\.(.+?)\.?$/i.exec(lookup.name);
    const at = lookup.startMs ?? lookup.endMs;
    if (match === null || at === null) return;
    const records = lookup.records.filter((r): r is string => typeof r === "string").map(tlsaPresentation);
    if (records.length === 0) return;
    const host = match[1]!.toLowerCase();
    const entry = this.tlsa.get(host) ?? { byDay: new Map<string, string[]>(), latest: [] };
    const day = dayOf(at);
    const known = entry.byDay.get(day) ?? [];
    for (const record of records) if (!known.includes(record) && known.length < MAX_TLSA_RECORDS) known.push(record);
    entry.byDay.set(day, known);
    entry.latest = records.slice(0, MAX_TLSA_RECORDS);
    this.tlsa.set(host, entry);
  }

  add(attempt: Attempt): void {
    const r = attempt.record;
    if (r.domain === null || attempt.startMs === null) return;
    const sessionSeen = r.observed === "dane-success" || r.observed === "tls";
    const failed = r.observed === "tls-failed" || (r.decision === "dane-fail" && !(sessionSeen && r.flags.includes("mismatch")));
    if (!failed && !sessionSeen) return;
    const day = dayOf(attempt.startMs);
    const key = `${day} ${r.domain}`;
    let group = this.groups.get(key);
    if (group === undefined) {
      group = { day, domain: r.domain, hosts: new Map() };
      this.groups.set(key, group);
    }
    const hostKey = r.mxHost ?? "";
    let host = group.hosts.get(hostKey);
    if (host === undefined) {
      host = { tlsaSecure: false, success: 0, failure: 0, failures: new Map() };
      group.hosts.set(hostKey, host);
    }
    if (r.evidence.tlsa === "secure") host.tlsaSecure = true;
    if (!failed) {
      host.success++;
      return;
    }
    host.failure++;
    const detail: Omit<FailureDetail, "count"> = { resultType: resultTypeOf(attempt), sendingIp: attempt.sendingIp, receivingMx: r.mxHost, receivingIp: r.ip, reasonCode: reasonCodeOf(attempt) };
    const detailKey = JSON.stringify(detail);
    const entry = host.failures.get(detailKey) ?? { ...detail, count: 0 };
    entry.count++;
    host.failures.set(detailKey, entry);
  }

  private tlsaRecords(host: string, day: string): string[] | null {
    const entry = this.tlsa.get(host);
    if (entry === undefined) return null;
    return entry.byDay.get(day) ?? entry.latest;
  }

  private policy(domain: string, type: "tlsa" | "no-policy-found", mxHosts: string[], sessions: HostSessions[], policyString: string[] | null): TlsRptPolicy {
    const details = sessions.flatMap((s) => [...s.failures.values()]);
    return {
      policy: { "policy-type": type, ...(policyString !== null ? { "policy-string": policyString } : {}), "policy-domain": domain, "mx-host": mxHosts },
      summary: {
        "total-successful-session-count": sessions.reduce((n, s) => n + s.success, 0),
        "total-failure-session-count": sessions.reduce((n, s) => n + s.failure, 0),
      },
      "failure-details": details.map((f) => ({
        "result-type": f.resultType,
        ...(f.sendingIp !== null ? { "sending-mta-ip": f.sendingIp } : {}),
        ...(f.receivingMx !== null ? { "receiving-mx-hostname": f.receivingMx } : {}),
        ...(f.receivingIp !== null ? { "receiving-ip": f.receivingIp } : {}),
        "failed-session-count": f.count,
        "failure-reason-code": f.reasonCode,
      })),
    };
  }

  /** The reports, one per UTC day and domain, ordered by day then domain. */
  reports(options: TlsRptOptions): TlsRptReport[] {
    return [...this.groups.values()]
      .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0))
      .map((g) => {
        const id = createHash("sha256").update(`${options.organization}\n${g.day}\n${g.domain}`).digest("hex").slice(0, 32);
        const dayStart = Date.parse(`${g.day}T00:00:00Z`);
        const start = Math.max(dayStart, options.sinceMs ?? dayStart);
        const end = Math.min(dayStart + DAY_MS - 1000, options.untilMs !== null && options.untilMs !== undefined ? options.untilMs - 1000 : Infinity);
        const hosts = [...g.hosts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const dane = hosts.filter(([name, s]) => name !== "" && s.tlsaSecure);
        const other = hosts.filter(([name, s]) => name === "" || !s.tlsaSecure);
        const policies = dane.map(([name, s]) => this.policy(g.domain, "tlsa", [name], [s], this.tlsaRecords(name, g.day)));
        if (other.length > 0) {
          policies.push(
            this.policy(
              g.domain,
              "no-policy-found",
              other.map(([name]) => name).filter((name) => name !== ""),
              other.map(([, s]) => s),
              null,
            ),
          );
        }
        return {
          "organization-name": options.organization,
          "date-range": { "start-datetime": isoSeconds(start), "end-datetime": isoSeconds(Math.max(start, end)) },
          "contact-info": options.contact,
          "report-id": `${g.day}_${g.domain}_${id}`,
          policies,
        };
      });
  }
}
