// The classifications a delivery's DANE decision is replayed from: what an answer (live or
// cached) says about the MX, A and TLSA steps, and what the TLS lines say about the certificate.
import type { CacheEntry } from "./cache.js";
import type { CertEvidence, ClassificationEvidence, DnsLookup, Observed } from "./types.js";

export function classification(entry: CacheEntry | null): ClassificationEvidence {
  if (entry === null) return "unknown";
  switch (entry.status) {
    case "secure":
    case "insecure":
    case "bogus":
    case "nxdomain":
      return entry.status;
    default:
      return "unknown";
  }
}

/** A TLSA answer with no records (NODATA) means no TLSA record: the table's NXDOMAIN. */
export function tlsaClassification(entry: CacheEntry | null): ClassificationEvidence {
  if (entry !== null && entry.records.length === 0 && (entry.status === "none" || entry.status === "secure")) return "nxdomain";
  return classification(entry);
}

/** A delivery's own lookup as evidence, whatever its TTL (it was made for this delivery). */
export function entryOf(lookup: DnsLookup | undefined): CacheEntry | null {
  if (lookup === undefined || lookup.status === null) return null;
  return {
    name: lookup.name,
    qtype: lookup.qtype,
    status: lookup.status,
    records: lookup.records,
    atMs: lookup.endMs,
    expiresMs: Number.POSITIVE_INFINITY,
    lookup,
  };
}

// `TLS failed: [Errno 54] Connection reset by peer` (the ICID form in the reference) or a timeout:
// the session ended before the certificate was judged, so it says nothing about the certificate.
const NETWORK_FAILURE = /\[Errno \d+\]|reset by peer|timed? ?out|broken pipe|connection (?:closed|refused|aborted)|unexpected eof|\beof\b/i;

/** True when a `TLS failed` reason shows the session failed before the certificate check. */
export function failedBeforeCertificate(reason: string | null): boolean {
  return reason !== null && NETWORK_FAILURE.test(reason) && !/certificate|verif|tlsa|dane/i.test(reason);
}

/** The certificate input: success only from `TLS success ... for <domain>`, failed only from a TLS failure that reached the certificate. */
export function certEvidence(observed: Observed, tlsFailure: string | null): CertEvidence {
  if (observed === "dane-success") return "success";
  return observed === "tls-failed" && !failedBeforeCertificate(tlsFailure) ? "failed" : "unknown";
}
