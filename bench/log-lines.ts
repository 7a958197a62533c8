// The line writers of the generated corpora (gen-corpus.ts for speed, gen-truth.ts for fidelity):
// prefixes, the DNS lookup block and the delivery and message lines, in the exact forms of the
// reference (section 2), the tech note's runs and `samples/`. One writer per line form, so that
// both generators write the same log and a form changes in one place.

export type Level = "Info" | "Warning" | "Debug" | "Critical" | "Trace";

/** A message before its prefix: what follows `Level: `. */
export interface Message {
  level: Level;
  text: string;
}

export type LineForm =
  /** `Www Mmm dd HH:MM:SS YYYY Level: `, in appliance local time (this many seconds east of UTC). */
  | { form: "file"; utcOffsetSeconds: number }
  /** `<PRI>Mmm dd HH:MM:SS host subscription: Level: `, in UTC here (the push carries no zone). */
  | { form: "syslog"; host: string; subscription: string };

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** Syslog PRI: facility mail (2) x 8 + the level's severity, as samples/README.md says. */
const PRI: Record<Level, number> = { Critical: 18, Warning: 20, Info: 22, Debug: 23, Trace: 23 };
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** The prefix of a line at UTC `ms`, the day padded with a space (`Mon Mar  4`) as on the appliance. */
export function linePrefix(form: LineForm, ms: number, level: Level): string {
  const local = new Date(form.form === "file" ? ms + form.utcOffsetSeconds * 1000 : ms);
  const dd = String(local.getUTCDate()).padStart(2, " ");
  const hms = `${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())}`;
  if (form.form === "syslog") return `<${PRI[level]}>${MONTHS[local.getUTCMonth()]} ${dd} ${hms} ${form.host} ${form.subscription}: ${level}: `;
  return `${DAYS[local.getUTCDay()]} ${MONTHS[local.getUTCMonth()]} ${dd} ${hms} ${local.getUTCFullYear()} ${level}: `;
}

/** `YYYYMMDDTHHMMSS` of UTC `ms` shifted by the offset: the stamp of a rotated file's name. */
export function rotationStamp(ms: number, utcOffsetSeconds: number): string {
  const d = new Date(ms + utcOffsetSeconds * 1000);
  return `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}`;
}

/** The three lines each file of the file form starts with. */
export function fileHeader(version: string, serial: string, utcOffsetSeconds: number): Message[] {
  return [
    { level: "Info", text: "Begin Logfile" },
    { level: "Info", text: `Version: ${version} SN: ${serial}` },
    { level: "Info", text: `Time offset from UTC: ${utcOffsetSeconds} seconds` },
  ];
}

export type AnswerStatus = "secure" | "insecure" | "bogus";

export interface Lookup {
  name: string;
  qtype: string;
  /** Resolvers that answered SERVER FAILED, in order, before `answeredBy` answered. */
  failedAt: readonly string[];
  answeredBy: string;
  /** The answer: MX as `[preference, host]`, other types as strings. Empty: NODATA. */
  records: readonly (string | readonly [number, string])[];
  /** Ignored for NODATA, whose status is empty (`data([], , 0, ttl)`). */
  status: AnswerStatus;
  ttl: number;
  /** The encache line's stamp, without its `L`. */
  stamp: number;
}

/**
 * One lookup: `Q(` / `QN(`, then `QIP (` / `Q (` per resolver asked (SERVER FAILED for the failing
 * ones), the `DNSSEC Response` and its `DNS encache` line, or for an empty answer the NODATA line
 * (and `No CNAME record(NoError)` for CNAME), as in the tech note's runs.
 */
export function lookupMessages(lookup: Lookup): Message[] {
  return [...lookupQueryMessages(lookup), ...lookupAnswerMessages(lookup)];
}

/** The query half of a lookup, up to the query to the resolver that answers. */
export function lookupQueryMessages(lookup: Lookup): Message[] {
  const { name, qtype } = lookup;
  const debug = (text: string): Message => ({ level: "Debug", text });
  const out: Message[] = [debug(`DNS query: Q('${name}', '${qtype}')`), debug(`DNS query: QN('${name}', '${qtype}', 'recursive_nameserver0.parent')`)];
  for (const resolver of [...lookup.failedAt, lookup.answeredBy]) {
    out.push(debug(`DNS query: QIP ('${name}', '${qtype}', '${resolver}', 60)`), debug(`DNS query: Q ('${name}', '${qtype}', '${resolver}')`));
    if (resolver !== lookup.answeredBy) out.push({ level: "Warning", text: `Received an invalid DNS Response: SERVER FAILED to IP ${resolver} looking up ${name}` });
  }
  return out;
}

/**
 * The answer half: `DNSSEC Response` (which does not name its query: it answers the latest
 * outstanding one) and the `DNS encache` or NODATA line that names it.
 */
export function lookupAnswerMessages(lookup: Lookup): Message[] {
  const { name, qtype } = lookup;
  const debug = (text: string): Message => ({ level: "Debug", text });
  if (lookup.records.length === 0) {
    const out = [debug(`DNSSEC Response data([], , 0, ${lookup.ttl})`), debug(`Received NODATA for domain ${name} type ${qtype}`)];
    if (qtype === "CNAME") out.push(debug(`No CNAME record(NoError) found for domain(${name})`));
    return out;
  }
  const answer = lookup.records.map((r) => (typeof r === "string" ? `'${r}'` : `(${r[0]}, '${r[1]}.')`)).join(", ");
  const upper = lookup.status.toUpperCase();
  const cached = lookup.records.map((r) => `(${lookup.stamp}L, 0, '${upper}', ${typeof r === "string" ? `'${r}'` : `(${r[0]}, '${r[1]}')`})`).join(", ");
  // ` , ` before the status on MX answers only, as in the tech note.
  return [debug(`DNSSEC Response data([${answer}]${qtype === "MX" ? " " : ""}, ${lookup.status}, 0, ${lookup.ttl})`), debug(`DNS encache (${name}, ${qtype}, [${cached}])`)];
}

/** The AAAA lookup as the tech note shows it: the resolver's `Unsupported qtype` DNSSEC_Error (not a Bogus). */
export function aaaaUnsupportedMessages(host: string, resolver: string): Message[] {
  return [
    { level: "Debug", text: `DNS query: Q('${host}', 'AAAA')` },
    { level: "Debug", text: `DNS query: QN('${host}', 'AAAA', 'recursive_nameserver0.parent')` },
    { level: "Debug", text: `DNS query: QIP ('${host}', 'AAAA', '${resolver}', 60)` },
    { level: "Debug", text: `DNS query: Q ('${host}', 'AAAA', '${resolver}')` },
    {
      level: "Warning",
      text: `Received an invalid DNSSEC Response: DNSSEC_Error('${host}', 'AAAA', '${resolver}', 'DNSSEC Error for hostname ${host} (AAAA) while asking ${resolver}. Error was: Unsupported qtype') of qtype AAAA looking up ${host}`,
    },
  ];
}

export interface InboundMessage {
  mid: number;
  icid: number;
  sender: string;
  recipient: string;
  /** `Message-ID '<...>'` left part. */
  messageId: string;
  subject: string;
  bytes: number;
}

/**
 * A message relayed in from the organisation's own mail server and scanned, up to `queued for
 * delivery`: the lines most of a real log is made of (forms of `public-samples/`).
 */
export function inboundMessages(m: InboundMessage): Message[] {
  const info = (text: string): Message => ({ level: "Info", text });
  return [
    info(`New SMTP ICID ${m.icid} interface Data 1 (10.0.3.10) address 10.0.2.${m.mid % 250} reverse dns host app${m.mid % 40}.corp.example verified yes`),
    info(`ICID ${m.icid} RELAY SG RELAYLIST match 10.0.2.0/24 SBRS not enabled country not enabled`),
    info(`Start MID ${m.mid} ICID ${m.icid}`),
    info(`MID ${m.mid} ICID ${m.icid} From: <${m.sender}>`),
    info(`MID ${m.mid} ICID ${m.icid} RID 0 To: <${m.recipient}>`),
    info(`MID ${m.mid} Message-ID '<${m.messageId}@corp.example>'`),
    info(`MID ${m.mid} Subject '${m.subject}'`),
    info(`MID ${m.mid} ready ${m.bytes} bytes from <${m.sender}>`),
    info(`MID ${m.mid} matched all recipients for per-recipient policy DEFAULT in the outbound table`),
    info(`ICID ${m.icid} close`),
    info(`MID ${m.mid} interim verdict using engine: CASE spam negative`),
    info(`MID ${m.mid} using engine: CASE spam negative`),
    info(`MID ${m.mid} interim AV verdict using Sophos CLEAN`),
    info(`MID ${m.mid} antivirus negative`),
    info(`MID ${m.mid} Outbreak Filters: verdict negative`),
    info(`MID ${m.mid} DKIM: signing with selector s1 for corp.example`),
    info(`MID ${m.mid} queued for delivery`),
  ];
}

/** `New SMTP DCID`: the appliance opens a connection to `ip`. */
export function connectMessage(dcid: number, ip: string): Message {
  return { level: "Info", text: `New SMTP DCID ${dcid} interface 10.0.3.10 address ${ip} port 25` };
}

/** The connection never came up: the line AsyncOS writes after the timeout (sample e1). */
export function connectionTimeoutMessage(dcid: number, domain: string, ip: string): Message {
  return { level: "Info", text: `Connection Error: DCID ${dcid} domain: ${domain} IP: ${ip} port: 25 details: timeout interface: 10.0.3.10 reason: network error` };
}

/** `TLS success`, ending in ` for <domain>` when DANE succeeded. */
export function tlsSuccessMessage(dcid: number, daneDomain: string | null): Message {
  return { level: "Info", text: `DCID ${dcid} TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384${daneDomain === null ? "" : ` for ${daneDomain}`}` };
}

/** One message delivered on an open connection: start, done, the remote's response, finished. */
export function deliveredMessages(dcid: number, mid: number, queuedAs: string): Message[] {
  return [
    { level: "Info", text: `Delivery start DCID ${dcid} MID ${mid} to RID [0]` },
    { level: "Info", text: `Message done DCID ${dcid} MID ${mid} to RID [0]` },
    { level: "Info", text: `MID ${mid} RID [0] Response '2.0.0 Ok: queued as ${queuedAs}'` },
    { level: "Info", text: `Message finished MID ${mid} done` },
  ];
}

export function closeMessage(dcid: number): Message {
  return { level: "Info", text: `DCID ${dcid} close` };
}

/** A TLSA value as in the samples: usage 3, selector 1, matching 1, then 32 bytes of hex derived from the name. */
export function tlsaValue(name: string): string {
  let h = 0x811c9dc5;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  let hex = "";
  for (let i = 0; i < 8; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    hex += h.toString(16).padStart(8, "0");
  }
  return `030101${hex}`;
}
