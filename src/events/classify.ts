// Decides what a message is. A cheap look at its first words picks the line family; only the
// families esa-dane models go through the grammar. Everything else is `unknown` at the cost of
// a switch and a startsWith, which matters: most lines of a real mail log are not DNS lines.
import { parseMessage, type EntryRule } from "../../grammars/parser.js";
import type { MalformedCode } from "./types.js";
import { eventVisitor, ShapeError, type EventBody } from "./visitor.js";

export type MessageOutcome =
  | { type: "event"; body: EventBody }
  | { type: "unknown" }
  | { type: "malformed"; family: string; code: MalformedCode; message: string; atEnd: boolean };

const MID_MODELLED = /^MID \d+ (?:ICID \d+ (?:RID \d+ To:|From:)|RID \[|queued for delivery)/;
const DCID_MODELLED = /^DCID \d+ (?:TLS (?:success|failed)|close\s*$)/;
const RECEIVED_ANSWER = /^Received \S+ for domain /;

/** The entry rule for a message, or null when esa-dane does not model its family. */
export function entryRuleFor(message: string): EntryRule | null {
  switch (message.charCodeAt(0)) {
    case 68: // D
      if (message.startsWith("DNS query: ")) return "dnsQuery";
      if (message.startsWith("DNSSEC Response")) return "dnssecResponse";
      if (message.startsWith("DNS encache")) return "dnsEncache";
      if (message.startsWith("DNS query network error")) return "dnsNetworkError";
      if (message.startsWith("DCID ") && DCID_MODELLED.test(message)) return "dcidLine";
      if (message.startsWith("Delivery start ")) return "deliveryLine";
      if (message.startsWith("Delayed:")) return "deliveryProblem";
      return null;
    case 82: // R
      if (message.startsWith("Received an invalid DNS Response:")) return "invalidDnsResponse";
      if (message.startsWith("Received an invalid DNSSEC Response:")) return "invalidDnssecResponse";
      if (RECEIVED_ANSWER.test(message)) return "dnsNoAnswer";
      return null;
    case 78: // N
      if (message.startsWith("No CNAME record")) return "dnsNoCname";
      if (message.startsWith("New SMTP DCID ")) return "connectionNew";
      return null;
    case 77: // M
      if (message.startsWith("MID ")) return MID_MODELLED.test(message) ? "midLine" : null;
      if (message.startsWith("Message done ")) return "deliveryLine";
      if (message.startsWith("Message finished ")) return "messageFinished";
      return null;
    case 83: // S
      return message.startsWith("Start MID ") ? "messageStart" : null;
    case 67: // C
      return message.startsWith("Connection Error:") ? "connectionError" : null;
    case 66: // B
      if (message.startsWith("Bounced:")) return "deliveryProblem";
      if (message.startsWith("Begin Logfile")) return "headerLine";
      return null;
    case 86: // V
      return message.startsWith("Version:") ? "headerLine" : null;
    case 84: // T
      return message.startsWith("Time offset from UTC:") ? "headerLine" : null;
    default:
      return null;
  }
}

/**
 * A short name for a line shape nobody modelled: its first words, numbers as N, so that
 * `--unknown` and the statistics group lines like `MID 123 using engine: CASE spam negative`.
 */
export function familyOf(message: string): string {
  if (message.length === 0) return "(blank)";
  const words = message.slice(0, 120).split(/\s+/, 3);
  return words
    .map((w) => {
      if (/^\d+$/.test(w)) return "N";
      const cut = w.split("|")[0]!;
      return cut.length > 24 ? `${cut.slice(0, 24)}…` : cut;
    })
    .join(" ")
    .trim();
}

/** Classifies one message (the text after `Level: `). Pure: the same text gives the same outcome. */
export function classifyMessage(message: string): MessageOutcome {
  const rule = entryRuleFor(message);
  // The family of an unknown line is named only when someone asks (familyOf): most lines are unknown.
  if (rule === null) return { type: "unknown" };
  const parsed = parseMessage(message, rule);
  if (parsed.error !== null) {
    return { type: "malformed", family: rule, code: "E_PARSE", message: parsed.error.message, atEnd: parsed.error.atEnd };
  }
  try {
    return { type: "event", body: eventVisitor.build(parsed.cst!, message) };
  } catch (error) {
    if (error instanceof ShapeError) return { type: "malformed", family: rule, code: "E_SHAPE", message: error.message, atEnd: false };
    throw error;
  }
}
