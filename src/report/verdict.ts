// The paragraph a report starts with: what is wrong and where to look, in plain words.
//
// The distinction that matters most (reference, section 1): Bogus answers that came from a
// resolver which cannot do DNSSEC - typically the secondary, asked after the primary failed - are
// a resolver problem, and fixing the domains is pointless; Bogus answers from resolvers that
// validate other domains fine are the domain's broken DNSSEC. The sentences are returned
// unescaped: each format escapes them its own way.
import type { ResolverStats } from "../correlate/types.js";
import type { DomainReport, ReportData } from "./aggregate.js";

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function list(names: readonly string[], max = 5): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

function recordTypes(d: DomainReport): string {
  return (["mx", "a", "tlsa"] as const)
    .filter((k) => d.bogus[k] > 0)
    .map((k) => k.toUpperCase())
    .join(", ");
}

/** Resolver IPs that look unable to validate, with the reason, by IP (any appliance). */
function suspects(resolvers: readonly ResolverStats[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of resolvers) if (r.likelyNoDnssec && !out.has(r.ip)) out.set(r.ip, r.noDnssecReason ?? "never answered Secure");
  return out;
}

/** A row's Bogus came from the resolver side: after a fallback, or from a resolver that never validates. */
function resolverSide(d: DomainReport, suspect: Map<string, string>): boolean {
  return (d.bogusAttempts > 0 && d.bogusAfterFallback === d.bogusAttempts) || d.bogusResolvers.some((ip) => suspect.has(ip));
}

function bogusSentences(report: ReportData, noun: string): string[] {
  const rows = report.domains.filter((d) => d.bogusAttempts > 0);
  if (rows.length === 0) return [];
  const suspect = suspects(report.resolvers);
  const blamed = rows.filter((d) => resolverSide(d, suspect));
  const own = rows.filter((d) => !resolverSide(d, suspect));
  const sentences: string[] = [];
  if (blamed.length > 0) {
    const all = [...new Set(blamed.flatMap((d) => d.bogusResolvers))];
    const common = all.filter((ip) => blamed.every((d) => d.bogusResolvers.includes(ip)));
    const named = common.length > 0 ? common : all;
    const from = named.length === 0 ? "" : `${blamed.length > 1 && common.length > 0 ? "all " : ""}from ${named.length === 1 ? "resolver" : "resolvers"} ${list(named)}`;
    const bogusAttempts = blamed.reduce((n, d) => n + d.bogusAttempts, 0);
    const afterFallback = blamed.reduce((n, d) => n + d.bogusAfterFallback, 0);
    const fallback = afterFallback === bogusAttempts ? " after the primary resolver failed" : afterFallback > 0 ? ` (${afterFallback} of ${plural(bogusAttempts, "attempt")} after a resolver fallback)` : "";
    const why = named.filter((ip) => suspect.has(ip)).map((ip) => `${ip} ${suspect.get(ip)}`);
    const conclusion = blamed.length > 1 ? `a resolver problem, not the ${noun}s'` : `most likely a resolver problem, not the ${noun}'s`;
    sentences.push(
      `${plural(blamed.length, noun)} had Bogus DNSSEC answers (${list(blamed.map((d) => `${d.name}: ${recordTypes(d)}`))})${from ? `, ${from}` : ""}${fallback}: ${conclusion}.` +
        (why.length > 0 ? ` ${why.slice(0, 3).join(". ")}.` : "") +
        ` Mail to ${blamed.length > 1 ? "them" : "it"} stays queued until it bounces. Check the appliance's resolvers (dnsconfig): put the DNSSEC-capable ones first or remove the others, then confirm with daneverify.`,
    );
  }
  if (own.length > 0) {
    const validating = new Set(report.resolvers.filter((r) => r.answers.secure > 0).map((r) => r.ip));
    const vouched = own.every((d) => d.bogusResolvers.length > 0 && d.bogusResolvers.every((ip) => validating.has(ip)));
    sentences.push(
      `Bogus DNSSEC answers for ${list(own.map((d) => `${d.name} (${recordTypes(d)})`))}${vouched ? ", from resolvers that validate other domains" : ""}: ${own.length > 1 ? "their" : "its"} DNSSEC does not validate (expired signatures, a missing DS or key), so DANE blocks delivery in both modes until ${own.length > 1 ? "they fix it" : "it is fixed"}.`,
    );
  }
  return sentences;
}

export function verdict(report: ReportData): string[] {
  const t = report.totals;
  const noun = report.by === "mx" ? "MX host" : "domain";
  const f = report.filters;
  const filtered = f.since !== null || f.until !== null || f.domains.length > 0;
  if (t.attempts === 0) {
    if (filtered) return [`No delivery attempt matches the filters (${[f.since && `since ${f.since}`, f.until && `until ${f.until}`, f.domains.length > 0 && `domain ${f.domains.join(", ")}`].filter(Boolean).join(", ")}) in ${plural(report.stats.total.read, "line")} read.`];
    return [
      `No outbound delivery attempts found in ${plural(report.stats.total.read, "line")}. esa-dane needs the debug-level mail log (mail_logs_d) of an appliance that delivers with DANE; 'esa-dane parse --unknown' shows what the input holds.`,
    ];
  }
  const sentences = bogusSentences(report, noun);

  const failing = report.domains.filter((d) => d.decisions["dane-fail"] > 0 && d.bogusAttempts === 0);
  if (failing.length > 0) {
    sentences.push(
      `DANE Fail without any Bogus answer for ${list(failing.map((d) => `${d.name} (${d.decisions["dane-fail"]})`))}: the table blocks them for what their DNS lacks (see 'esa-dane deliveries --explain' for the rows that applied).`,
    );
  }

  if (t.mismatches > 0) {
    const names = report.domains.filter((d) => d.mismatches > 0).map((d) => d.name);
    sentences.push(
      `${plural(t.mismatches, "attempt")} (${list(names)}) went against the replayed decision: usually the mode given to esa-dane (--mode, --dest-controls) is not the appliance's Destination Controls setting.`,
    );
  }

  if (t.decisions["outside-table"] > 0) {
    const names = report.domains.filter((d) => d.decisions["outside-table"] > 0).map((d) => d.name);
    sentences.push(`${plural(t.decisions["outside-table"], "attempt")} (${list(names)}) fell outside the policy table (for example an MX lookup that ended in NXDOMAIN): no row decides them.`);
  }

  if (t.undeterminedModeOnly > 0) {
    const names = report.domains.filter((d) => d.undeterminedModeOnly > 0).map((d) => d.name);
    sentences.push(
      `${plural(t.undeterminedModeOnly, "attempt")} (${list(names)}) ${t.undeterminedModeOnly === 1 ? "is" : "are"} decided differently by Mandatory and Opportunistic, and the DANE mode was not given: --mode or --dest-controls decides ${t.undeterminedModeOnly === 1 ? "it" : "them"}.`,
    );
  }
  const lacking = t.decisions.undetermined - t.undeterminedModeOnly;
  if (lacking > 0) {
    const why = (["cert", "tlsa", "a", "mx"] as const).filter((k) => t.missing[k] > 0).map((k) => `${k === "cert" ? "the certificate result" : `the ${k.toUpperCase()} lookup`} (${t.missing[k]})`);
    const noDns = report.domains.filter((d) => d.noDnsEvidence > 0 && d.decisions.undetermined > 0);
    sentences.push(
      `${plural(lacking, "attempt")} could not be decided from the log: missing ${why.join(", ") || "inputs"}${t.missing.cert > 0 ? "; a certificate result shows only as 'TLS success ... for <domain>'" : ""}.` +
        (noDns.length > 0
          ? ` ${list(noDns.map((d) => `${d.name} (${d.noDnsEvidence})`))} show${noDns.length === 1 ? "s" : ""} no DNS lookup at all: an SMTP route or internal delivery (give it mode none in --dest-controls), or answers cached before the log starts.`
          : ""),
    );
  }

  const quiet = suspects(report.resolvers);
  const unblamed = [...quiet.keys()].filter((ip) => !report.domains.some((d) => d.bogusResolvers.includes(ip)));
  if (unblamed.length > 0) {
    sentences.push(`Resolver ${list(unblamed.map((ip) => `${ip} (${quiet.get(ip)})`), 3)} looks unable to validate DNSSEC: any DANE domain it answers for will come back Bogus and be blocked.`);
  }

  const d = t.decisions;
  const where = plural(t.domains, noun);
  if (d["dane-success"] === t.attempts) {
    sentences.push(`All ${plural(t.attempts, "delivery attempt")} to ${where} succeeded with DANE.`);
  } else {
    const extra = [d.undetermined > 0 && `${d.undetermined} undetermined`, d["outside-table"] > 0 && `${d["outside-table"]} outside the table`, d["not-applicable"] > 0 && `${d["not-applicable"]} without DANE (mode none)`].filter(Boolean);
    sentences.push(
      `${plural(t.attempts, "attempt")} to ${where}: ${d["dane-success"]} DANE success, ${d["tls-fallback"]} fallback to opportunistic TLS, ${d["dane-fail"]} DANE fail${extra.length > 0 ? `, ${extra.join(", ")}` : ""}${t.observed["dane-success"] !== d["dane-success"] ? `; the log shows ${plural(t.observed["dane-success"], "DANE-verified TLS session")}` : ""}.`,
    );
  }
  const attention = t.bogusAttempts + d["dane-fail"] + t.mismatches + d.undetermined + d["outside-table"];
  if (attention === 0 && unblamed.length === 0) sentences.unshift("Nothing needs attention.");
  return sentences;
}
