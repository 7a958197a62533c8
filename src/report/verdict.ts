// The paragraph a report starts with: what is wrong and where to look, in plain words.
//
// The distinction that matters most (reference, section 1): Bogus answers that came from a
// resolver which cannot do DNSSEC - typically the secondary, asked after the primary failed - are
// a resolver problem, and fixing the domains is pointless; Bogus answers from resolvers that
// validate other domains fine are the domain's broken DNSSEC. The sentences are returned
// unescaped: each format escapes them its own way.
import type { ResolverStats } from "../correlate/types.js";
import type { Attribution } from "../alert/attribution.js";
import type { ReportData } from "./aggregate.js";

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function list(names: readonly string[], max = 5): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

/** Resolver IPs that look unable to validate, with the reason, by IP (any appliance). */
function suspects(resolvers: readonly ResolverStats[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of resolvers) if (r.likelyNoDnssec && !out.has(r.ip)) out.set(r.ip, r.noDnssecReason ?? "never answered Secure");
  return out;
}

function bogusList(attribution: Attribution, max = 5): string {
  const names = attribution.domains.slice(0, max).map((d) => `${d.domain}: ${Object.keys(d.records).join(", ")}`);
  const more = attribution.domainCount - names.length;
  return names.join(", ") + (more > 0 ? ` and ${more} more` : "");
}

function windowText(sinceMs: number, untilMs: number | null): string {
  const iso = (ms: number) => new Date(ms).toISOString().replace(":00.000Z", "Z");
  return untilMs === null ? `since ${iso(sinceMs)}` : `${iso(sinceMs)} to ${iso(untilMs)}`;
}

/** New Bogus answers (one alert episode, or those outside any) in words; `when` says when they came. */
function freshSentence(attribution: Attribution, noun: string, when: string): string {
  const n = attribution.domainCount;
  if (attribution.kind === "resolver-wide") {
    return (
      `${when}${plural(n, noun)} had Bogus DNSSEC answers (${bogusList(attribution)}): a resolver problem, not the ${n > 1 ? `${noun}s'` : `${noun}'s`}. ${attribution.reason}. ` +
      `Mail to ${n > 1 ? "them" : "it"} stays queued until it bounces; confirm with daneverify once the resolvers are fixed.`
    );
  }
  return `${when}Bogus DNSSEC answers for ${bogusList(attribution)}: ${attribution.reason}; DANE blocks delivery in both modes until ${n > 1 ? "they are" : "it is"} fixed.`;
}

/**
 * The Bogus answers in words, as `alert` tells them (src/alert/): its episodes at its default
 * thresholds, the new Bogus answers outside any, and the chronic ones (a standing condition
 * that `alert` lists, not alerts on). One attribution for both commands.
 */
function bogusSentences(report: ReportData, noun: string): string[] {
  const bogus = report.bogus;
  if (bogus === null) return [];
  const sentences = bogus.episodes.map((e) => freshSentence(e, noun, `${e.level} alert ${windowText(e.sinceMs, e.untilMs)}: `));
  if (bogus.isolated !== null) sentences.push(freshSentence(bogus.isolated, noun, bogus.episodes.length > 0 ? "Outside the alerts, isolated: " : ""));
  const standing = bogus.standing;
  if (standing !== null) {
    sentences.push(
      `Chronically Bogus (since first seen, or for longer than an hour without validating; 'alert' lists ${standing.domainCount > 1 ? "them" : "it"} as a standing condition, not a spike): ${bogusList(standing)}. ${standing.reason}.`,
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
