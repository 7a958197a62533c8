// RFC 8460 (SMTP TLS Reporting) reports: one per UTC day and policy (recipient) domain, in the
// JSON format of RFC 8460 section 4. How esa-dane's attempts map onto it:
//
//   policy-type       "tlsa" when a TLSA lookup of the domain's MX host was Secure that day
//                     (the domain publishes DANE), else "no-policy-found"
//   successful        attempts whose TLS session succeeded (observed dane-success or tls) and
//                     whose replayed decision is not dane-fail
//   failure           attempts whose decision is dane-fail, or whose TLS failed; result-type:
//                       Bogus MX/A/TLSA                 -> dnssec-invalid
//                       TLSA Secure, certificate failed -> tlsa-invalid
//                       Mandatory, no Secure TLSA       -> dane-required
//                       other TLS failures              -> validation-failure
//   not counted       attempts without a session whose decision is not dane-fail (undetermined
//                     daneverify runs, connection errors before TLS)
import { createHash } from "node:crypto";
import type { Attempt } from "../correlate/types.js";

export type ResultType = "dnssec-invalid" | "tlsa-invalid" | "dane-required" | "validation-failure";

/** The registered result types esa-dane can produce (a subset of RFC 8460 section 4.3). */
export const RESULT_TYPES: readonly ResultType[] = ["dnssec-invalid", "tlsa-invalid", "dane-required", "validation-failure"];

interface FailureKey {
  resultType: ResultType;
  sendingIp: string | null;
  receivingMx: string | null;
  receivingIp: string | null;
}

interface DayDomain {
  day: string;
  domain: string;
  tlsa: string[];
  tlsaSecure: boolean;
  mxHosts: Set<string>;
  success: number;
  failure: number;
  failures: Map<string, FailureKey & { count: number }>;
}

export interface TlsRptOptions {
  organization: string;
  contact: string;
}

function resultTypeOf(attempt: Attempt): ResultType {
  const r = attempt.record;
  if (attempt.bogus.mx || attempt.bogus.a || attempt.bogus.tlsa) return "dnssec-invalid";
  if (r.evidence.tlsa === "secure" && r.evidence.cert === "failed") return "tlsa-invalid";
  if (r.decision === "dane-fail" && r.evidence.tlsa !== "secure") return "dane-required";
  return "validation-failure";
}

export class TlsRptBuilder {
  private readonly groups = new Map<string, DayDomain>();

  add(attempt: Attempt): void {
    const r = attempt.record;
    if (r.domain === null || attempt.startMs === null) return;
    const failed = r.decision === "dane-fail" || r.observed === "tls-failed";
    const succeeded = !failed && (r.observed === "dane-success" || r.observed === "tls");
    if (!failed && !succeeded) return;
    const day = new Date(attempt.startMs).toISOString().slice(0, 10);
    const key = `${day} ${r.domain}`;
    let group = this.groups.get(key);
    if (group === undefined) {
      group = { day, domain: r.domain, tlsa: [], tlsaSecure: false, mxHosts: new Set(), success: 0, failure: 0, failures: new Map() };
      this.groups.set(key, group);
    }
    if (r.evidence.tlsa === "secure") group.tlsaSecure = true;
    if (r.mxHost !== null) group.mxHosts.add(r.mxHost);
    if (succeeded) {
      group.success++;
      return;
    }
    group.failure++;
    const failure: FailureKey = { resultType: resultTypeOf(attempt), sendingIp: attempt.sendingIp, receivingMx: r.mxHost, receivingIp: r.ip };
    const failureKey = JSON.stringify(failure);
    const entry = group.failures.get(failureKey) ?? { ...failure, count: 0 };
    entry.count++;
    group.failures.set(failureKey, entry);
  }

  /** The reports, one per UTC day and domain, ordered by day then domain. */
  reports(options: TlsRptOptions): object[] {
    return [...this.groups.values()]
      .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.domain < b.domain ? -1 : 1))
      .map((g) => {
        const id = createHash("sha256").update(`${options.organization}\n${g.day}\n${g.domain}`).digest("hex").slice(0, 32);
        return {
          "organization-name": options.organization,
          "date-range": { "start-datetime": `${g.day}T00:00:00Z`, "end-datetime": `${g.day}T23:59:59Z` },
          "contact-info": options.contact,
          "report-id": `${g.day}_${g.domain}_${id}`,
          policies: [
            {
              policy: {
                "policy-type": g.tlsaSecure ? "tlsa" : "no-policy-found",
                "policy-domain": g.domain,
                "mx-host": [...g.mxHosts].sort(),
              },
              summary: { "total-successful-session-count": g.success, "total-failure-session-count": g.failure },
              "failure-details": [...g.failures.values()].map((f) => ({
                "result-type": f.resultType,
                ...(f.sendingIp !== null ? { "sending-mta-ip": f.sendingIp } : {}),
                ...(f.receivingMx !== null ? { "receiving-mx-hostname": f.receivingMx } : {}),
                ...(f.receivingIp !== null ? { "receiving-ip": f.receivingIp } : {}),
                "failed-session-count": f.count,
              })),
            },
          ],
        };
      });
  }
}
