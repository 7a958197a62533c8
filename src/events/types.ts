// The typed events esa-dane reads out of a mail log. Every parsed line becomes exactly one of
// these; lines that are not modelled become an `unknown` outcome and lines of a modelled family
// that do not fit its form become a `malformed` outcome (see LineOutcome).

export type Level = "Info" | "Warning" | "Critical" | "Debug" | "Trace";

/** Where an event came from and when, common to all events. */
export interface EventBase {
  file: string;
  /** 1-based physical line number of the record's first line. */
  line: number;
  /** Milliseconds since the epoch. UTC when `utcKnown`, else appliance local time read as UTC. */
  time: number | null;
  utcKnown: boolean;
  /** Appliance name from the syslog prefix or --host, else null. */
  host: string | null;
  level: Level | null;
}

/** A Python value as the appliance prints it in DNS lines (repr of str, int, long, tuple, list). */
export type PyValue =
  | { t: "str"; v: string }
  | { t: "int"; v: number; raw: string }
  | { t: "word"; v: string }
  | { t: "tuple"; v: PyValue[] }
  | { t: "list"; v: PyValue[] };

export type DnsStatus = "secure" | "insecure" | "bogus" | "nxdomain" | "none" | "other";

/** One DNS record value: MX as {preference, host}; A/AAAA/TLSA/CNAME and others as text. */
export type DnsRecordValue = { preference: number; host: string } | string;

export interface DnsQueryEvent extends EventBase {
  kind: "dns-query";
  /** Q: a lookup starts (or, with a resolver, is sent there); QN: the nameserver set; QIP: the resolver and timeout. */
  form: "Q" | "QN" | "QIP";
  name: string;
  qtype: string;
  resolver: string | null;
  nameserverSet: string | null;
  timeoutSeconds: number | null;
}

export interface DnsResponseEvent extends EventBase {
  kind: "dns-response";
  records: DnsRecordValue[];
  status: DnsStatus;
  /** The status word as logged (lower case in every known sample; empty for NODATA). */
  statusText: string;
  /** Third field of `data(...)`: 0 in every known sample; its meaning is not documented. */
  code: number;
  ttl: number;
}

export interface DnsEncacheEntry {
  /** First tuple field, a Python long (an internal expiry stamp); kept as text. */
  stamp: string;
  status: DnsStatus;
  statusText: string;
  value: DnsRecordValue;
}

export interface DnsEncacheEvent extends EventBase {
  kind: "dns-encache";
  name: string;
  qtype: string;
  entries: DnsEncacheEntry[];
}

/** `Received NODATA for domain X type T` (and the same shape with another answer word). */
export interface DnsNoAnswerEvent extends EventBase {
  kind: "dns-no-answer";
  answer: string;
  name: string;
  qtype: string;
}

export interface DnsNoCnameEvent extends EventBase {
  kind: "dns-no-cname";
  name: string;
  reason: string;
}

/** A resolver failed to answer: `Received an invalid DNS Response: ...` or `DNS query network error`. */
export interface DnsResolverFailureEvent extends EventBase {
  kind: "dns-resolver-failure";
  reason: string;
  resolver: string;
  name: string;
}

/** `Received an invalid DNSSEC Response: DNSSEC_Error(...) of qtype T looking up N`. */
export interface DnssecErrorEvent extends EventBase {
  kind: "dnssec-error";
  name: string;
  qtype: string;
  resolver: string;
  message: string;
  /** The resolver's known AAAA limitation: not a Bogus classification. */
  unsupportedQtype: boolean;
}

export interface ConnectionNewEvent extends EventBase {
  kind: "connection-new";
  dcid: number;
  interface: string;
  address: string;
  port: number | null;
}

export interface TlsSuccessEvent extends EventBase {
  kind: "tls-success";
  dcid: number;
  protocol: string | null;
  cipher: string | null;
  /** The domain after `for`: the appliance logs it only when DANE succeeded. */
  daneDomain: string | null;
}

export interface TlsFailedEvent extends EventBase {
  kind: "tls-failed";
  dcid: number;
  reason: string | null;
}

export interface ConnectionCloseEvent extends EventBase {
  kind: "connection-close";
  dcid: number;
}

export interface ConnectionErrorEvent extends EventBase {
  kind: "connection-error";
  dcid: number | null;
  domain: string | null;
  ip: string | null;
  port: number | null;
  details: string | null;
  interface: string | null;
  reason: string | null;
}

export interface DeliveryStartEvent extends EventBase {
  kind: "delivery-start";
  dcid: number;
  mid: number;
  rids: number[];
  /** Text after the RID list, e.g. `to offbox IronPort Spam Quarantine`; null for outbound SMTP. */
  suffix: string | null;
}

export interface MessageDoneEvent extends EventBase {
  kind: "message-done";
  dcid: number;
  mid: number;
  rids: number[];
  /** What follows the RID list: `(external quarantine)`, a header list, or null. */
  suffix: string | null;
}

export interface DeliveryResponseEvent extends EventBase {
  kind: "delivery-response";
  mid: number;
  rids: number[];
  response: string;
}

/** `Delayed:` and `Bounced:` lines, old and new forms. */
export interface DeliveryProblemEvent extends EventBase {
  kind: "delivery-delayed" | "delivery-bounced";
  dcid: number | null;
  mid: number | null;
  from: string | null;
  to: string | null;
  rid: number | null;
  dsn: string | null;
  text: string | null;
  smtpCode: string | null;
  smtpLines: string[];
}

export interface MessageRecipientEvent extends EventBase {
  kind: "message-recipient";
  mid: number;
  icid: number;
  rid: number;
  to: string;
}

export interface MessageSenderEvent extends EventBase {
  kind: "message-sender";
  mid: number;
  icid: number;
  from: string;
}

export interface MessageStartEvent extends EventBase {
  kind: "message-start";
  mid: number;
  icid: number;
  note: string | null;
}

export interface MessageQueuedEvent extends EventBase {
  kind: "message-queued";
  mid: number;
}

export interface MessageFinishedEvent extends EventBase {
  kind: "message-finished";
  mid: number;
  outcome: string;
}

export interface LogBeginEvent extends EventBase {
  kind: "log-begin";
}

export interface LogVersionEvent extends EventBase {
  kind: "log-version";
  version: string;
  serial: string | null;
}

export interface TimeOffsetEvent extends EventBase {
  kind: "time-offset";
  seconds: number;
}

export type LogEvent =
  | DnsQueryEvent
  | DnsResponseEvent
  | DnsEncacheEvent
  | DnsNoAnswerEvent
  | DnsNoCnameEvent
  | DnsResolverFailureEvent
  | DnssecErrorEvent
  | ConnectionNewEvent
  | TlsSuccessEvent
  | TlsFailedEvent
  | ConnectionCloseEvent
  | ConnectionErrorEvent
  | DeliveryStartEvent
  | MessageDoneEvent
  | DeliveryResponseEvent
  | DeliveryProblemEvent
  | MessageRecipientEvent
  | MessageSenderEvent
  | MessageStartEvent
  | MessageQueuedEvent
  | MessageFinishedEvent
  | LogBeginEvent
  | LogVersionEvent
  | TimeOffsetEvent;

export type EventKind = LogEvent["kind"];

/** Stable codes for lines esa-dane could not read as their family's form. */
export type MalformedCode =
  | "E_PREFIX" // starts like a timestamp but the date or time is impossible
  | "E_LEX" // characters the message grammar has no token for
  | "E_PARSE" // a modelled family whose words do not fit the grammar
  | "E_SHAPE"; // fits the grammar but a value has the wrong shape (arity, type)

export interface Unknown {
  file: string;
  line: number;
  /** The first words of the message, numbers replaced by N: what kind of line this is. */
  family: string;
  text: string;
}

export interface Malformed {
  file: string;
  line: number;
  family: string;
  code: MalformedCode;
  message: string;
  text: string;
}

/** An event without its base fields (file, line, time, host, level): what the grammar builds from one message. */
export type EventBody = LogEvent extends infer E ? (E extends LogEvent ? Omit<E, keyof EventBase> : never) : never;
