// Writes realistic ESA debug mail logs (`mail_logs_d`, the appliance's file form) for tests, in
// the exact line shapes of samples/mail_logs_d.@20240311T083000.s: the 3-line header, then per
// delivery the relayed message's lines, one Q / QN / QIP / Q (ip) group per lookup followed by
// its `DNSSEC Response` and `DNS encache` (or `Received NODATA`) lines, then the connection:
// `New SMTP DCID`, `DCID n TLS success ...[ for <domain>]`, `Delivery start`, `Message done`,
// `MID n RID [0] Response '...'`, `DCID n close`. A Bogus MX stops the delivery before any
// connection (reference section 1: DANE Fail, the message stays queued).
//
//   const log = new LogBuilder({ start: Date.UTC(2024, 2, 11, 8, 0, 0) });
//   log.delivery({ domain: "a.example", mxHost: "mx.a.example", ip: "192.0.2.1", at: log.start + 60_000 });
//   writeFileSync(path, log.text());
//
// Times are UTC milliseconds; the file says `Time offset from UTC: <utcOffsetSeconds> seconds`
// and its prefixes are in that local time (0 by default, so local = UTC).

import { tlsaValue } from "../../bench/log-lines.js";
export type Classification = "secure" | "insecure" | "bogus" | "nodata";

export interface LogLine {
  ms: number;
  level: "Info" | "Warning" | "Debug";
  message: string;
}

export interface DeliverySpec {
  /** The recipient domain (also the `for <domain>` of the TLS line unless `tlsFor` says otherwise). */
  domain: string;
  mxHost: string;
  ip: string;
  /** UTC milliseconds of the first line of the delivery. */
  at: number;
  mx?: Classification;
  a?: Classification;
  tlsa?: Classification;
  /** Whether `TLS success ... for <domain>` (DANE verified) is logged; default: MX, A and TLSA all secure. */
  daneSuccess?: boolean;
  /** Text after `for ` on the TLS line (hostile-content tests); default the domain. */
  tlsFor?: string;
  /** Resolvers: [primary, secondary]. Lookups go to the primary; the secondary answers after a failure. */
  resolvers?: [string, string?];
  /**
   * The primary answers `SERVER FAILED` and the query is retried at the secondary: for the MX
   * lookup only (`mx`), or for every lookup (`all`).
   */
  primaryFailure?: "mx" | "all" | false;
  /** Also the AAAA (`Unsupported qtype` warning) and CNAME (NODATA) lookups of the sample. Default true. */
  extraLookups?: boolean;
  /** The SMTP response text; default `2.0.0 Ok: queued as <id>`. */
  response?: string;
  /** Local part of the recipient address. */
  recipient?: string;
  /** TTL of the answers. */
  ttl?: number;
  /** IDs; default: the builder's counters. */
  dcid?: number;
  mid?: number;
  icid?: number;
  /** Whether the message's relay lines (ICID, Start MID, From, To, queued) are written. Default true. */
  message?: boolean;
  /** Whether the TLS session line is written at all (false: plaintext). Default true. */
  tls?: boolean;
}

export interface BuilderOptions {
  /** UTC milliseconds of the header. */
  start: number;
  utcOffsetSeconds?: number;
  serial?: string;
  /** Default resolvers [primary, secondary]. */
  resolvers?: [string, string?];
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad2 = (n: number) => String(n).padStart(2, "0");

/** `Mon Mar 11 08:30:13 2024` for UTC ms shifted by the offset; the day padded (`Mon Mar  4`). */
export function stamp(ms: number, utcOffsetSeconds = 0): string {
  const d = new Date(ms + utcOffsetSeconds * 1000);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

const STATUS_UPPER: Record<Exclude<Classification, "nodata">, string> = { secure: "SECURE", insecure: "INSECURE", bogus: "BOGUS" };

export class LogBuilder {
  readonly start: number;
  readonly utcOffsetSeconds: number;
  private readonly serial: string;
  private readonly resolvers: [string, string?];
  private readonly lines: LogLine[] = [];
  private nextDcid = 219101;
  private nextMid = 441101;
  private nextIcid = 773101;
  /** Deliveries written. */
  deliveries = 0;

  constructor(options: BuilderOptions) {
    this.start = options.start;
    this.utcOffsetSeconds = options.utcOffsetSeconds ?? 0;
    this.serial = options.serial ?? "4229C1A8E2F7B0D63E15-9F04C2A1B7D8";
    this.resolvers = options.resolvers ?? ["10.0.0.53", "10.0.1.53"];
  }

  /** The three header lines every appliance file starts with. */
  header(ms = this.start): LogLine[] {
    return [
      { ms, level: "Info", message: "Begin Logfile" },
      { ms, level: "Info", message: `Version: 15.0.1-030 SN: ${this.serial}` },
      { ms, level: "Info", message: `Time offset from UTC: ${this.utcOffsetSeconds} seconds` },
    ];
  }

  /** Adds a line as is (for hostile or odd lines). */
  raw(ms: number, level: LogLine["level"], message: string): this {
    this.lines.push({ ms, level, message });
    return this;
  }

  /**
   * The lines of one lookup: the query group at `resolver` (and after `failedAt` answered
   * SERVER FAILED, the QIP/Q retry at `resolver`), then the answer and its encache or NODATA.
   */
  lookup(ms: number, name: string, qtype: string, values: string[], status: Classification, resolver: string, failedAt: string | null = null, ttl = 3600): this {
    const push = (message: string, level: LogLine["level"] = "Debug") => this.lines.push({ ms, level, message });
    push(`DNS query: Q('${name}', '${qtype}')`);
    push(`DNS query: QN('${name}', '${qtype}', 'recursive_nameserver0.parent')`);
    if (failedAt !== null) {
      push(`DNS query: QIP ('${name}', '${qtype}', '${failedAt}', 60)`);
      push(`DNS query: Q ('${name}', '${qtype}', '${failedAt}')`);
      push(`Received an invalid DNS Response: SERVER FAILED to IP ${failedAt} looking up ${name}`, "Warning");
    }
    push(`DNS query: QIP ('${name}', '${qtype}', '${resolver}', 60)`);
    push(`DNS query: Q ('${name}', '${qtype}', '${resolver}')`);
    if (status === "nodata" || values.length === 0) {
      push(`DNSSEC Response data([], , 0, ${ttl})`);
      push(`Received NODATA for domain ${name} type ${qtype}`);
      if (qtype === "CNAME") push(`No CNAME record(NoError) found for domain(${name})`);
      return this;
    }
    const upper = STATUS_UPPER[status];
    const stampL = `${5240668788550065 + this.lines.length}L`;
    if (qtype === "MX") {
      const data = values.map((v, i) => `(${(i + 1) * 10}, '${v}.')`).join(", ");
      const cache = values.map((v, i) => `(${stampL}, 0, '${upper}', (${(i + 1) * 10}, '${v}'))`).join(", ");
      push(`DNSSEC Response data([${data}] , ${status}, 0, ${ttl})`);
      push(`DNS encache (${name}, ${qtype}, [${cache}])`);
    } else {
      push(`DNSSEC Response data([${values.map((v) => `'${v}'`).join(", ")}], ${status}, 0, ${ttl})`);
      push(`DNS encache (${name}, ${qtype}, [${values.map((v) => `(${stampL}, 0, '${upper}', '${v}')`).join(", ")}])`);
    }
    return this;
  }

  /** One outbound delivery; returns its DCID (null when a Bogus MX stopped it before connecting). */
  delivery(spec: DeliverySpec): number | null {
    this.deliveries++;
    const mx = spec.mx ?? "secure";
    const a = spec.a ?? "secure";
    const tlsa = spec.tlsa ?? "secure";
    const [primary, secondary = "10.0.1.53"] = spec.resolvers ?? this.resolvers;
    const ttl = spec.ttl ?? 3600;
    const mid = spec.mid ?? this.nextMid++;
    const icid = spec.icid ?? this.nextIcid++;
    const dcid = spec.dcid ?? this.nextDcid++;
    const recipient = `${spec.recipient ?? "info"}@${spec.domain}`;
    let t = spec.at;
    const info = (message: string) => this.lines.push({ ms: t, level: "Info", message });
    if (spec.message !== false) {
      info(`New SMTP ICID ${icid} interface Data 1 (10.0.3.10) address 10.0.2.25 reverse dns host exch01.example.com verified yes`);
      info(`ICID ${icid} RELAY SG RELAYLIST match 10.0.2.0/24 SBRS not enabled country not enabled`);
      info(`Start MID ${mid} ICID ${icid}`);
      info(`MID ${mid} ICID ${icid} From: <alice@example.com>`);
      info(`MID ${mid} ICID ${icid} RID 0 To: <${recipient}>`);
      info(`MID ${mid} ready 4211 bytes from <alice@example.com>`);
      info(`ICID ${icid} close`);
      info(`MID ${mid} queued for delivery`);
    }
    const failedFor = (qtype: string) => (spec.primaryFailure === "all" || (spec.primaryFailure === "mx" && qtype === "MX") ? primary : null);
    const resolverFor = (qtype: string) => (failedFor(qtype) !== null ? secondary : primary);
    this.lookup(t, spec.domain, "MX", [spec.mxHost], mx, resolverFor("MX"), failedFor("MX"), ttl);
    if (mx === "bogus") return null;
    t += 1000;
    this.lookup(t, spec.mxHost, "A", [spec.ip], a, resolverFor("A"), failedFor("A"), ttl);
    if (spec.extraLookups !== false) {
      const resolver = resolverFor("AAAA");
      for (const line of [
        `DNS query: Q('${spec.mxHost}', 'AAAA')`,
        `DNS query: QN('${spec.mxHost}', 'AAAA', 'recursive_nameserver0.parent')`,
        `DNS query: QIP ('${spec.mxHost}', 'AAAA', '${resolver}', 60)`,
        `DNS query: Q ('${spec.mxHost}', 'AAAA', '${resolver}')`,
      ])
        this.lines.push({ ms: t, level: "Debug", message: line });
      this.lines.push({
        ms: t,
        level: "Warning",
        message: `Received an invalid DNSSEC Response: DNSSEC_Error('${spec.mxHost}', 'AAAA', '${resolver}', 'DNSSEC Error for hostname ${spec.mxHost} (AAAA) while asking ${resolver}. Error was: Unsupported qtype') of qtype AAAA looking up ${spec.mxHost}`,
      });
      this.lookup(t, spec.mxHost, "CNAME", [], "nodata", resolverFor("CNAME"), failedFor("CNAME"), ttl);
    }
    if (a !== "bogus") {
      const tlsaName = `_25._tcp.${spec.mxHost}`;
      this.lookup(t, tlsaName, "TLSA", tlsa === "nodata" ? [] : [tlsaValue(tlsaName)], tlsa, resolverFor("TLSA"), failedFor("TLSA"), ttl);
    }
    // DANE Fail on a Bogus A or TLSA: no connection either.
    if (a === "bogus" || tlsa === "bogus") return null;
    t += 1000;
    info(`New SMTP DCID ${dcid} interface 10.0.3.10 address ${spec.ip} port 25`);
    const dane = spec.daneSuccess ?? (mx === "secure" && a === "secure" && tlsa === "secure");
    if (spec.tls !== false) info(`DCID ${dcid} TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384${dane ? ` for ${spec.tlsFor ?? spec.domain}` : ""}`);
    info(`Delivery start DCID ${dcid} MID ${mid} to RID [0]`);
    t += 1000;
    info(`Message done DCID ${dcid} MID ${mid} to RID [0]`);
    info(`MID ${mid} RID [0] Response '${spec.response ?? `2.0.0 Ok: queued as ${mid.toString(36).toUpperCase()}`}'`);
    info(`Message finished MID ${mid} done`);
    t += 1000;
    info(`DCID ${dcid} close`);
    return dcid;
  }

  /** The lines so far in time order (stable: lines of one instant keep their order), without the header. */
  sortedLines(): LogLine[] {
    return [...this.lines].sort((x, y) => x.ms - y.ms);
  }

  /** Renders lines in the file form: `Www Mmm dd HH:MM:SS YYYY Level: message`. */
  render(lines: readonly LogLine[]): string[] {
    return lines.map((l) => `${stamp(l.ms, this.utcOffsetSeconds)} ${l.level}: ${l.message}`);
  }

  /** The whole file: header, then every line in time order, each ending in LF. */
  text(): string {
    return `${this.render([...this.header(), ...this.sortedLines()]).join("\n")}\n`;
  }

  /** The same as an array of lines (no newlines), header included: for tests that cut a log in parts. */
  textLines(): string[] {
    return this.render([...this.header(), ...this.sortedLines()]);
  }
}

/** `n` DANE domains `dane01.example` .. with their MX host and address. */
export function daneDomains(n: number): { domain: string; mxHost: string; ip: string }[] {
  return Array.from({ length: n }, (_, i) => {
    const domain = `dane${String(i + 1).padStart(2, "0")}.example`;
    return { domain, mxHost: `mail.${domain}`, ip: `203.0.113.${i + 1}` };
  });
}

// ---- Scenarios for `esa-dane alert` ------------------------------------------------------------

export const MINUTE = 60_000;
/** Mon Mar 11 2024 08:00:00 UTC: where the scenarios start (a bucket boundary for 5 m buckets). */
export const T0 = Date.UTC(2024, 2, 11, 8, 0, 0);

export interface Scenario {
  text: string;
  builder: LogBuilder;
  /** Times (UTC ms) that matter to the assertions. */
  marks: Record<string, number>;
}

/**
 * A resolver outage: 5 deliveries a minute, round robin over 30 DANE domains (all Secure from
 * the primary 10.0.0.53) for 2 hours; then for 20 minutes every MX query gets SERVER FAILED from
 * the primary and the secondary 10.0.1.53 (no DNSSEC) answers Bogus; then 40 minutes of normal
 * traffic again. 25 Bogus per 5-minute bucket during the outage: CRITICAL with the defaults.
 */
export function outageScenario(): Scenario {
  const builder = new LogBuilder({ start: T0 });
  const domains = daneDomains(30);
  const outageStart = T0 + 120 * MINUTE;
  const outageEnd = outageStart + 20 * MINUTE;
  const end = outageEnd + 40 * MINUTE;
  let k = 0;
  for (let minute = T0 + 30_000; minute < end; minute += MINUTE) {
    for (let j = 0; j < 5; j++) {
      const at = minute + j * 6_000;
      const outage = at >= outageStart && at < outageEnd;
      builder.delivery({ ...domains[k++ % domains.length]!, at, extraLookups: false, ...(outage ? { mx: "bogus" as const, primaryFailure: "mx" as const } : {}) });
    }
  }
  return { text: builder.text(), builder, marks: { outageStart, outageEnd, end } };
}

/**
 * One domain turning Bogus: 3 deliveries a minute to 10 DANE domains (Secure) all along, and one
 * a minute to broken.example, whose MX answers Bogus from the normal resolver (no failure, no
 * fallback) for one hour: 5 Bogus per 5-minute bucket.
 */
export function oneDomainBogusScenario(): Scenario {
  const builder = new LogBuilder({ start: T0 });
  const domains = daneDomains(10);
  const broken = { domain: "broken.example", mxHost: "mx.broken.example", ip: "198.51.100.99" };
  const bogusStart = T0 + 60 * MINUTE;
  const bogusEnd = bogusStart + 60 * MINUTE;
  const end = bogusEnd + 30 * MINUTE;
  let k = 0;
  for (let minute = T0 + 10_000; minute < end; minute += MINUTE) {
    for (let j = 0; j < 3; j++) builder.delivery({ ...domains[k++ % domains.length]!, at: minute + j * 10_000, extraLookups: false });
    const bogus = minute >= bogusStart && minute < bogusEnd;
    builder.delivery({ ...broken, at: minute + 40_000, extraLookups: false, mx: bogus ? "bogus" : "secure" });
  }
  return { text: builder.text(), builder, marks: { bogusStart, bogusEnd, end } };
}

/**
 * A clean day: 24 hours, one delivery every 5 minutes round robin over 12 domains, a mix of DANE
 * (Secure), signed without TLSA, and unsigned domains. `strayBogusAt`: times where one extra
 * delivery to a DANE domain gets a Bogus MX answer (stray Bogus answers).
 */
export function cleanDayScenario(strayBogusAt: readonly number[] = []): Scenario {
  const builder = new LogBuilder({ start: T0 });
  const domains = daneDomains(12);
  const end = T0 + 24 * 60 * MINUTE;
  let k = 0;
  for (let at = T0 + 20_000; at < end; at += 5 * MINUTE) {
    const i = k++ % domains.length;
    const kind = i % 3 === 0 ? { mx: "insecure" as const, a: "insecure" as const, tlsa: "nodata" as const } : i % 3 === 1 ? { tlsa: "nodata" as const } : {};
    builder.delivery({ ...domains[i]!, at, extraLookups: i % 4 === 0, ...kind });
  }
  strayBogusAt.forEach((at, j) => builder.delivery({ ...domains[(3 * j + 2) % domains.length]!, at, extraLookups: false, mx: "bogus" }));
  return { text: builder.text(), builder, marks: { end } };
}

/** Index of the first line (of `lines`, file form) stamped at or after `ms` on the same day. */
export function lineIndexAt(lines: readonly string[], ms: number): number {
  const time = stamp(ms).slice(11, 19);
  const index = lines.findIndex((line, i) => i >= 3 && line.slice(11, 19) >= time);
  return index < 0 ? lines.length : index;
}
