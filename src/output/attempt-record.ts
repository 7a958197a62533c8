// An attempt as the contract's NDJSON record: times as ISO 8601 (UTC with `Z` when the offset is
// known) and source lines as `file:line`, formatted here and nowhere earlier.
import { formatSources } from "../correlate/sources.js";
import type { Attempt, AttemptRecord } from "../correlate/types.js";
import { formatInstant } from "../input/clock.js";

/** The record of `esa-dane deliveries --format ndjson`, its fields in the contract's order. */
export function attemptRecord(attempt: Pick<Attempt, "record" | "startMs" | "endMs" | "utcKnown" | "sources">): AttemptRecord {
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
    source: formatSources(attempt.sources),
  };
}
