// `esa-dane deliveries --format table`: one row per attempt, for people. Rows are printed as the
// attempts come, in fixed-width columns: no pass over all rows first, so the time and memory
// grow with the input, not faster (a whole-table layout took 85 s on a 50 MB log).
import type { Attempt } from "../correlate/types.js";
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

interface Column {
  head: string;
  width: number;
  align: "left" | "right";
  /** Which end of a value too long for the column stays: a name's end says most. */
  keep: "start" | "end";
  cell: (attempt: Attempt) => string;
}

const COLUMNS: Column[] = [
  { head: "start", width: 20, align: "left", keep: "start", cell: ({ record: r }) => r.start ?? "-" },
  { head: "host", width: 16, align: "left", keep: "end", cell: ({ record: r }) => r.host ?? "-" },
  { head: "DCID", width: 8, align: "right", keep: "end", cell: ({ record: r }) => (r.dcid === null ? "-" : String(r.dcid)) },
  { head: "domain", width: 24, align: "left", keep: "end", cell: ({ record: r }) => r.domain ?? "?" },
  { head: "MX host", width: 28, align: "left", keep: "end", cell: ({ record: r }) => r.mxHost ?? "?" },
  {
    head: "MX A TLSA cert",
    width: 14,
    align: "left",
    keep: "start",
    cell: ({ record: { evidence: e } }) => [e.mx, e.a, e.tlsa, e.cert].map((v) => SHORT[v] ?? v).join(" "),
  },
  { head: "mandatory", width: 13, align: "left", keep: "start", cell: ({ record: r }) => r.decisionByMode.mandatory },
  { head: "opportunistic", width: 13, align: "left", keep: "start", cell: ({ record: r }) => r.decisionByMode.opportunistic },
  { head: "decision", width: 19, align: "left", keep: "start", cell: ({ record: r }) => (r.row ? `${r.decision} (${r.row})` : r.decision) },
  { head: "observed", width: 13, align: "left", keep: "start", cell: ({ record: r }) => r.observed },
];
/** The last column takes what is left: it is never cut. */
const FLAGS = (attempt: Attempt): string => attempt.record.flags.join(",");

function fit(text: string, column: Column): string {
  const safe = escapeTerminal(text);
  const cut = safe.length <= column.width ? safe : column.keep === "end" ? `…${safe.slice(safe.length - column.width + 1)}` : `${safe.slice(0, column.width - 1)}…`;
  return column.align === "right" ? cut.padStart(column.width) : cut.padEnd(column.width);
}

export const ATTEMPTS_TABLE_HEADER = `${COLUMNS.map((c) => (c.align === "right" ? c.head.padStart(c.width) : c.head.padEnd(c.width))).join(" ")} flags`;

/** One row of the table; cut values end or start with '…' (NDJSON has them whole). */
export function attemptRow(attempt: Attempt): string {
  return `${COLUMNS.map((c) => fit(c.cell(attempt), c)).join(" ")} ${escapeTerminal(FLAGS(attempt))}`;
}

export function attemptsTableFooter(count: number): string {
  return `${count} attempt(s). Evidence: S secure, I insecure, B bogus, NX no record, ? unknown; cert ok = TLS success ... for <domain>.`;
}
