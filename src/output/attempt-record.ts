// An attempt as the contract's NDJSON record: times as ISO 8601 (UTC with `Z` when the offset is
// known) and source lines as `file:line`, formatted here and nowhere earlier.
import { eachSource, formatSources } from "../correlate/sources.js";
import type { Attempt, AttemptRecord } from "../correlate/types.js";
import { formatInstant } from "../input/clock.js";
import { jsonLine } from "./json.js";

type AttemptPart = Pick<Attempt, "record" | "startMs" | "endMs" | "utcKnown" | "sources">;

/** The record of `esa-dane deliveries --format ndjson`, its fields in the contract's order. */
export function attemptRecord(attempt: AttemptPart): AttemptRecord {
  return { ...recordWithoutSource(attempt), source: formatSources(attempt.sources) };
}

/**
 * `jsonLine(attemptRecord(attempt))`, the same text, without a string per source line on the way:
 * `source` is most of a record (25.4 lines on average on the 100 MB corpus), and those strings
 * were about 730,000 short-lived objects per 100 MB of log, built only to be written out.
 */
export function attemptJsonLine(attempt: AttemptPart): string {
  const head = jsonLine(recordWithoutSource(attempt));
  let source = "";
  eachSource(attempt.sources, (file, line) => {
    source += `${source === "" ? "" : ","}${jsonFilePrefix(file)}:${line}"`;
  });
  // `source` is the last field: it goes where the head's closing brace was.
  return `${head.slice(0, -1)},"source":[${source}]}`;
}

let lastFile: string | null = null;
let lastFilePrefix = "";

/** The JSON string of a file name, as jsonLine writes it, without its closing quote. */
function jsonFilePrefix(file: string): string {
  if (file !== lastFile) {
    lastFile = file;
    lastFilePrefix = jsonLine(file).slice(0, -1);
  }
  return lastFilePrefix;
}

function recordWithoutSource(attempt: AttemptPart): Omit<AttemptRecord, "source"> {
  const r = attempt.record;
  return {
    host: r.host,
    start: formatInstant(attempt.startMs, attempt.utcKnown),
    end: formatInstant(attempt.endMs, attempt.utcKnown),
    dcid: r.dcid,
    mids: r.mids,
    domain: r.domain,
    domainCandidates: r.domainCandidates,
    mxHost: r.mxHost,
    ip: r.ip,
    evidence: r.evidence,
    mode: r.mode,
    decisionByMode: r.decisionByMode,
    decision: r.decision,
    row: r.row,
    observed: r.observed,
    flags: r.flags,
    resolvers: r.resolvers,
  };
}
