// Outbound connections (appliance, DCID): `New SMTP DCID ... address IP` opens one; TLS,
// Connection Error, Delivery start, Message done and the message's Response, Delayed and Bounced
// lines add to it; `DCID n close` (or a quiet period) closes it.
import type { ConnectionNewEvent, LogEvent } from "../events/types.js";
import type { Candidate } from "./attribution.js";
import type { Messages } from "./messages.js";
import type { Resolution } from "./resolutions.js";
import { sourceOf, type SourceRef } from "./sources.js";
import type { DeliveryResult, Observed } from "./types.js";

const MAX_SOURCE_LINES = 500;

export interface Connection {
  dcid: number;
  ip: string;
  interface: string;
  startMs: number | null;
  lastMs: number | null;
  source: SourceRef[];
  observed: Observed | null;
  daneDomain: string | null;
  /** The domain a `Connection Error: DCID n domain: ...` line names. */
  errorDomain: string | null;
  /** What a `TLS failed` line said; null without such a line or without a reason. */
  tlsFailure: string | null;
  mids: number[];
  recipients: string[];
  result: DeliveryResult;
  candidates: Candidate[];
  resolution: Resolution | null;
  utcKnown: boolean;
}

export function openConnection(event: ConnectionNewEvent, candidates: Candidate[]): Connection {
  return {
    dcid: event.dcid,
    ip: event.address,
    interface: event.interface,
    startMs: event.time,
    lastMs: event.time,
    source: [sourceOf(event)],
    observed: null,
    daneDomain: null,
    errorDomain: null,
    tlsFailure: null,
    mids: [],
    recipients: [],
    result: "unknown",
    candidates,
    resolution: null,
    utcKnown: event.utcKnown,
  };
}

/** A line of the connection: its source and time. */
export function touchConnection(connection: Connection, event: LogEvent): void {
  if (connection.source.length < MAX_SOURCE_LINES) connection.source.push(sourceOf(event));
  if (event.time !== null) connection.lastMs = event.time;
}

/** Applies a line naming the connection's DCID. Returns true when the line closes it. */
export function applyConnectionEvent(connection: Connection, event: LogEvent, messages: Messages): boolean {
  switch (event.kind) {
    case "tls-success":
      connection.observed = event.daneDomain !== null ? "dane-success" : "tls";
      connection.daneDomain = event.daneDomain;
      return false;
    case "tls-failed":
      connection.observed = "tls-failed";
      connection.tlsFailure = event.reason;
      return false;
    case "connection-error":
      connection.result = "connection-error";
      connection.errorDomain = event.domain;
      return false;
    case "delivery-start": {
      if (!connection.mids.includes(event.mid)) connection.mids.push(event.mid);
      messages.deliveredBy(event.mid, connection.dcid);
      for (const rid of event.rids) {
        const address = messages.recipientOf(event.mid, rid);
        if (address !== undefined && !connection.recipients.includes(address)) connection.recipients.push(address);
      }
      return false;
    }
    case "message-done":
      connection.result = "delivered";
      if (connection.resolution !== null) connection.resolution.consumed = true;
      return false;
    case "connection-close":
      return true;
    default:
      return false;
  }
}

/** A connection that failed before any TLS or message (`Connection Error ... timeout`) was never an SMTP session. */
export function observedOf(connection: Connection): Observed {
  const neverConnected = connection.result === "connection-error" && connection.mids.length === 0;
  return connection.observed ?? (neverConnected ? "no-connection" : "plaintext");
}

/** The appliance's own address on the connection, when the interface is given as one. */
export function sendingIpOf(connection: Connection): string | null {
  return /^[\d.]+$|:/.test(connection.interface) ? connection.interface : null;
}
