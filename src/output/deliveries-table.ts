// `esa-dane deliveries --format table`: one row per attempt, for people.
import Table from "cli-table3";
import type { Attempt } from "../correlate/types.js";
import { formatInstant } from "../input/clock.js";
import { escapeTerminal } from "./escape.js";

const SHORT: Record<string, string> = {
  secure: "S",
  insecure: "I",
  bogus: "B",
  nxdomain: "NX",
  unknown: "?",
  success: "ok",
  failed: "fail",
};

export function attemptsTable(attempts: readonly Attempt[], columns = 120): string {
  const table = new Table({
    head: ["start", "host", "DCID", "domain", "MX host", "MX A TLSA cert", "mandatory", "opportunistic", "decision", "observed", "flags"],
    style: { head: [], border: [], compact: true },
    wordWrap: columns < 160,
  });
  for (const { record: r, startMs, utcKnown } of attempts) {
    const e = r.evidence;
    table.push([
      formatInstant(startMs, utcKnown) ?? "-",
      escapeTerminal(r.host ?? "-"),
      r.dcid ?? "-",
      escapeTerminal(r.domain ?? "?"),
      escapeTerminal(r.mxHost ?? "?"),
      [e.mx, e.a, e.tlsa, e.cert].map((v) => SHORT[v] ?? v).join(" "),
      r.decisionByMode.mandatory,
      r.decisionByMode.opportunistic,
      r.row ? `${r.decision} (${r.row})` : r.decision,
      r.observed,
      r.flags.join(","),
    ]);
  }
  const legend = "Evidence: S secure, I insecure, B bogus, NX no record, ? unknown; cert ok = TLS success ... for <domain>.";
  return `${table.toString()}\n${attempts.length} attempt(s). ${legend}`;
}
