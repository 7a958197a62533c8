// The paragraph a report starts with: what is wrong and where to look, in plain words. Bogus
// answers across many domains from a resolver that other resolvers contradict, or that only
// answered after the primary failed, are a resolver problem; Bogus for one domain is that
// domain's broken DNSSEC.
import type { DomainReport, ReportData } from "./aggregate.js";

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function list(names: string[], max = 5): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

function bogusCount(d: DomainReport): number {
  return d.bogus.mx + d.bogus.a + d.bogus.tlsa;
}

export function verdict(report: ReportData): string[] {
  const t = report.totals;
  const sentences: string[] = [];
  if (t.attempts === 0) {
    return [
      `No outbound delivery attempts found in ${plural(report.stats.total.read, "line")}. esa-dane needs the debug-level mail log (mail_logs_d) of an appliance that delivers with DANE; 'esa-dane parse --unknown' shows what the input holds.`,
    ];
  }
  const bogusDomains = report.domains.filter((d) => bogusCount(d) > 0);
  if (bogusDomains.length > 0) {
    const suspects = report.resolvers.filter((r) => r.likelyNoDnssec);
    const viaFallback = bogusDomains.filter((d) => d.resolverFallbacks > 0).length;
    const resolverWide = bogusDomains.length >= 3 && (suspects.length > 0 || viaFallback >= bogusDomains.length * 0.8);
    if (resolverWide) {
      const who = suspects.length > 0 ? `resolver ${list(suspects.map((r) => r.ip))} (likely without DNSSEC: ${suspects[0]!.noDnssecReason})` : "a fallback resolver";
      sentences.push(
        `${plural(bogusDomains.length, "domain")} got Bogus DNSSEC answers (${list(bogusDomains.map((d) => d.name))}), ${viaFallback} of them after a resolver fallback, from ${who}: a resolver problem, not the domains'. Mail to them stays queued until it bounces; check the appliance's DNS resolvers (dnsconfig) and put the DNSSEC-capable ones first.`,
      );
    } else {
      const parts = bogusDomains.map((d) => {
        const records = (["mx", "a", "tlsa"] as const).filter((k) => d.bogus[k] > 0).map((k) => k.toUpperCase());
        return `${d.name} (${records.join(", ")})`;
      });
      sentences.push(
        `Bogus DNSSEC answers for ${list(parts)}: their DNSSEC does not validate, so DANE blocks delivery in both modes until they fix it (or until the bounce timer expires).`,
      );
    }
  }
  const failing = report.domains.filter((d) => d.decisions["dane-fail"] > 0 && bogusCount(d) === 0);
  if (failing.length > 0) {
    sentences.push(`DANE Fail without Bogus for ${list(failing.map((d) => `${d.name} (${d.decisions["dane-fail"]})`))}: see 'esa-dane deliveries --explain' for the rows that applied.`);
  }
  if (t.mismatches > 0) {
    const names = report.domains.filter((d) => d.mismatches > 0).map((d) => d.name);
    sentences.push(
      `${plural(t.mismatches, "attempt")} (${list(names)}) went against the replayed decision: usually the mode given to esa-dane (--mode, --dest-controls) is not the appliance's Destination Controls setting.`,
    );
  }
  if (t.decisions.undetermined > 0) {
    const why = (["cert", "tlsa", "a", "mx"] as const).filter((k) => t.missing[k] > 0).map((k) => `${k === "cert" ? "the certificate result" : `the ${k.toUpperCase()} lookup`} (${t.missing[k]})`);
    sentences.push(
      `${plural(t.decisions.undetermined, "attempt")} could not be decided from the log: missing ${why.join(", ") || "inputs"}${t.missing.cert > 0 ? "; a certificate result shows only as 'TLS success ... for <domain>'" : ""}${t.modeUnknown > 0 ? ". The DANE mode was not given: --mode or --dest-controls decides the attempts on which the two modes differ" : ""}.`,
    );
  }
  const ok = t.decisions["dane-success"];
  const fallback = t.decisions["tls-fallback"];
  sentences.push(
    `${plural(t.attempts, "attempt")} to ${plural(t.domains, "destination")}: ${ok} DANE success, ${fallback} fallback to opportunistic TLS, ${t.decisions["dane-fail"]} DANE fail${t.observed["dane-success"] !== ok ? `; the log shows ${t.observed["dane-success"]} DANE-verified TLS sessions` : ""}.`,
  );
  if (bogusDomains.length === 0 && failing.length === 0 && t.mismatches === 0 && t.decisions.undetermined === 0) {
    sentences.unshift("Nothing needs attention.");
  }
  return sentences;
}
