// From what correlation found about one attempt to the attempt itself: the policy replay in both
// modes, the decision for the configured mode, and the flags the contract lists.
import { evaluateBothModes, type Decision, type PolicyResult } from "../policy/evaluate.js";
import type { SourceRef } from "./sources.js";
import type { Attempt, AttemptFacts, AttemptFlag, DnsLookup, ModeSetting, Observed } from "./types.js";

/** What closing a connection or a resolution knows, before the policy replay. */
export type AttemptParts = Pick<AttemptFacts, "host" | "dcid" | "mids" | "domain" | "domainCandidates" | "mxHost" | "ip" | "evidence" | "observed"> &
  Pick<Attempt, "startMs" | "endMs" | "result" | "recipients" | "sendingIp" | "utcKnown"> & {
    delivered: boolean;
    cached: boolean;
    /** The attempt's own lookups (flags, resolvers, source lines). */
    lookups: DnsLookup[];
    /** Earlier lookups whose cached answers the attempt used (resolvers and source lines only: their fallbacks were another run's). */
    cachedLookups: DnsLookup[];
    source: SourceRef[];
  };

/** The decision for the configured mode (see the contract's `decision` and `row`). */
export function decide(mode: ModeSetting, byMode: Record<"mandatory" | "opportunistic", PolicyResult>): { decision: Decision | "not-applicable"; row: string | null } {
  if (mode === "mandatory" || mode === "opportunistic") return { decision: byMode[mode].decision, row: byMode[mode].row };
  if (mode === "none") return { decision: "not-applicable", row: null };
  const same = byMode.mandatory.decision === byMode.opportunistic.decision;
  return { decision: same ? byMode.mandatory.decision : "undetermined", row: null };
}

/**
 * The log contradicts the replay: DANE succeeded where the table allows no success, or a
 * message was delivered where the table says DANE Fail (the appliance must hold it).
 */
export function contradicts(mode: ModeSetting, byMode: Record<"mandatory" | "opportunistic", PolicyResult>, observed: Observed, delivered: boolean): boolean {
  const modes: PolicyResult[] = mode === "mandatory" || mode === "opportunistic" ? [byMode[mode]] : mode === "none" ? [] : [byMode.mandatory, byMode.opportunistic];
  if (observed === "dane-success") return modes.every((r) => !r.possible.includes("dane-success"));
  if (delivered) return modes.length > 0 && modes.every((r) => r.decision === "dane-fail");
  return false;
}

/** Replays the evidence through the table and sets the flags: the finished attempt. */
export function buildAttempt(parts: AttemptParts, mode: ModeSetting): Attempt {
  const { evidence, observed } = parts;
  const byMode = evaluateBothModes(evidence);
  const { decision, row } = decide(mode, byMode);
  const flags: AttemptFlag[] = [];
  const bogus = { mx: evidence.mx === "bogus", a: evidence.a === "bogus", tlsa: evidence.tlsa === "bogus" };
  if (bogus.mx || bogus.a || bogus.tlsa) flags.push("bogus");
  let fallbacks = 0;
  for (const lookup of parts.lookups) if (lookup.fallback) fallbacks++;
  if (fallbacks > 0) flags.push("resolver-fallback");
  if (observed === "dane-success") flags.push("dane-success");
  if (parts.cached) flags.push("cached");
  if (contradicts(mode, byMode, observed, parts.delivered)) flags.push("mismatch");
  if (decision === "undetermined") flags.push("undetermined");
  const resolvers: string[] = [];
  const sources: SourceRef[] = [...parts.source];
  for (const list of [parts.lookups, parts.cachedLookups]) {
    for (const lookup of list) {
      if (lookup.answeredBy !== null && !resolvers.includes(lookup.answeredBy)) resolvers.push(lookup.answeredBy);
      for (const ref of lookup.source) sources.push(ref);
    }
  }
  return {
    record: {
      host: parts.host,
      dcid: parts.dcid,
      mids: parts.mids,
      domain: parts.domain,
      domainCandidates: parts.domainCandidates,
      mxHost: parts.mxHost,
      ip: parts.ip,
      evidence,
      mode,
      decisionByMode: { mandatory: byMode.mandatory.decision, opportunistic: byMode.opportunistic.decision },
      decision,
      row,
      observed,
      flags,
      resolvers,
    },
    startMs: parts.startMs,
    endMs: parts.endMs,
    utcKnown: parts.utcKnown,
    sources,
    missing: { mandatory: byMode.mandatory.missing, opportunistic: byMode.opportunistic.missing },
    bogus,
    result: parts.result,
    fallbacks,
    recipients: parts.recipients,
    sendingIp: parts.sendingIp,
  };
}
