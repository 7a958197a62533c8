// A small library that writes realistic ESA debug logs (`mail_logs_d`) for tests, in the exact
// line forms of the reference (section 2) and the tech note's runs: one delivery's DNS lookups
// with chosen classifications, resolver failures (`SERVER FAILED`) and fallbacks, the connection
// lines that follow, at chosen times, for a chosen appliance (file form with its header, or
// syslog form with a hostname). Lines carry their instant and are rendered at the end, so that
// several generators' lines can be merged in time order.
//
// Deliberately small: a scenario is a few function calls. bench/gen-corpus.ts makes big corpora.

export type Level = "Info" | "Warning" | "Debug" | "Critical" | "Trace";

export interface Appliance {
  /** `file`: `Www Mmm dd HH:MM:SS YYYY Level: ` with the Begin/Version/Time offset header; `syslog`: `<PRI>Mmm dd HH:MM:SS host subscription: Level: `. */
  form: "file" | "syslog";
  host: string;
  /** The serial number in the file form's `Version:` header. */
  serial: string;
  /** File form: lines are written in local time, this many seconds east of UTC (the header says so). */
  utcOffsetSeconds: number;
  subscription: string;
  version: string;
}

export function appliance(overrides: Partial<Appliance> = {}): Appliance {
  return { form: "file", host: "esa1.example.com", serial: "4229A5E2D3B1C7E8F9A0-1B2C3D4E5F60", utcOffsetSeconds: 0, subscription: "mail_logs_d", version: "14.0.0-692", ...overrides };
}

/** One log line, not yet rendered: the instant (ms since epoch, UTC) and what follows the prefix. */
export interface Line {
  ms: number;
  level: Level;
  message: string;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad2 = (n: number) => String(n).padStart(2, "0");

/** The prefix of a line at `ms`, as the appliance writes it (the day padded with a space). */
export function prefix(app: Appliance, ms: number, level: Level): string {
  if (app.form === "syslog") {
    const d = new Date(ms);
    return `<22>${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${app.host} ${app.subscription}: ${level}: `;
  }
  const local = new Date(ms + app.utcOffsetSeconds * 1000);
  const time = `${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())}`;
  return `${DAYS[local.getUTCDay()]} ${MONTHS[local.getUTCMonth()]} ${String(local.getUTCDate()).padStart(2, " ")} ${time} ${local.getUTCFullYear()} ${level}: `;
}

/** The three lines each file of the file form starts with. */
export function fileHeader(app: Appliance, ms: number): Line[] {
  return [
    { ms, level: "Info", message: "Begin Logfile" },
    { ms, level: "Info", message: `Version: ${app.version} SN: ${app.serial}` },
    { ms, level: "Info", message: `Time offset from UTC: ${app.utcOffsetSeconds} seconds` },
  ];
}

/**
 * The log text of `lines` in time order (a stable sort: lines of one instant keep their order).
 * The file form gets its header unless `header: false` (a file continued by a later write).
 */
export function render(app: Appliance, lines: readonly Line[], options: { header?: boolean } = {}): string {
  const sorted = [...lines].sort((a, b) => a.ms - b.ms);
  const first = sorted[0]?.ms ?? 0;
  const all = app.form === "file" && options.header !== false ? [...fileHeader(app, first), ...sorted] : sorted;
  return all.map((line) => `${prefix(app, line.ms, line.level)}${line.message}\n`).join("");
}

/** Renders and splits into lines (without the newlines), for tests that cut a log in parts. */
export function renderLines(app: Appliance, lines: readonly Line[], options: { header?: boolean } = {}): string[] {
  return render(app, lines, options).split("\n").slice(0, -1);
}

// ---- DNS ----

export type Classification = "secure" | "insecure" | "bogus";

/** Which resolvers a query went to: each of `failed` answered SERVER FAILED, then `answeredBy` answered. */
export interface ResolverPath {
  failed?: readonly string[];
  answeredBy: string;
}

export interface LookupSpec {
  ms: number;
  name: string;
  qtype: string;
  via: ResolverPath;
  /** What the last resolver said; `nodata` is an empty answer (a TLSA that does not exist). */
  status: Classification | "nodata";
  values?: readonly string[];
  ttl?: number;
}

const ENCACHE_STAMP = "8496573380345476L";

/** One lookup: Q / QN, then QIP and Q per resolver (SERVER FAILED for the failing ones), the answer and its encache (or NODATA) line. */
export function lookupLines(spec: LookupSpec): Line[] {
  const { ms, name, qtype } = spec;
  const debug = (message: string): Line => ({ ms, level: "Debug", message });
  const out: Line[] = [debug(`DNS query: Q('${name}', '${qtype}')`), debug(`DNS query: QN('${name}', '${qtype}', 'recursive_nameserver0.parent')`)];
  for (const resolver of [...(spec.via.failed ?? []), spec.via.answeredBy]) {
    out.push(debug(`DNS query: QIP ('${name}', '${qtype}', '${resolver}', 60)`), debug(`DNS query: Q ('${name}', '${qtype}', '${resolver}')`));
    if (resolver !== spec.via.answeredBy) out.push({ ms, level: "Warning", message: `Received an invalid DNS Response: SERVER FAILED to IP ${resolver} looking up ${name}` });
  }
  const ttl = spec.ttl ?? 1800;
  const values = spec.values ?? [];
  if (spec.status === "nodata" || values.length === 0) {
    out.push(debug(`DNSSEC Response data([], ${spec.status === "nodata" ? "" : spec.status}, 0, ${ttl})`), debug(`Received NODATA for domain ${name} type ${qtype}`));
    return out;
  }
  const isMx = qtype === "MX";
  const data = values.map((v, i) => (isMx ? `(${(i + 1) * 10}, '${v}.')` : `'${v}'`)).join(", ");
  const cached = values.map((v, i) => `(${ENCACHE_STAMP}, 0, '${spec.status.toUpperCase()}', ${isMx ? `(${(i + 1) * 10}, '${v}')` : `'${v}'`})`).join(", ");
  out.push(debug(`DNSSEC Response data([${data}], ${spec.status}, 0, ${ttl})`), debug(`DNS encache (${name}, ${qtype}, [${cached}])`));
  return out;
}

/** The AAAA lookup the tech note shows: the resolver's `Unsupported qtype` DNSSEC_Error (not a Bogus), then the CNAME check. */
export function aaaaUnsupportedLines(ms: number, host: string, resolver: string): Line[] {
  const debug = (message: string): Line => ({ ms, level: "Debug", message });
  return [
    debug(`DNS query: Q('${host}', 'AAAA')`),
    debug(`DNS query: QN('${host}', 'AAAA', 'recursive_nameserver0.parent')`),
    debug(`DNS query: QIP ('${host}', 'AAAA', '${resolver}', 60)`),
    debug(`DNS query: Q ('${host}', 'AAAA', '${resolver}')`),
    {
      ms,
      level: "Warning",
      message: `Received an invalid DNSSEC Response: DNSSEC_Error('${host}', 'AAAA', '${resolver}', 'DNSSEC Error for hostname ${host} (AAAA) while asking ${resolver}. Error was: Unsupported qtype') of qtype AAAA looking up ${host}`,
    },
    debug(`DNS query: Q('${host}', 'CNAME')`),
    debug(`DNS query: QN('${host}', 'CNAME', 'recursive_nameserver0.parent')`),
    debug(`DNS query: QIP ('${host}', 'CNAME', '${resolver}', 60)`),
    debug(`DNS query: Q ('${host}', 'CNAME', '${resolver}')`),
    debug("DNSSEC Response data([], , 0, 1800)"),
    debug(`Received NODATA for domain ${host} type CNAME`),
    debug(`No CNAME record(NoError) found for domain(${host})`),
  ];
}

/** The tech note's thinkbeyond.ch CNAME check: SERVER FAILED at both resolvers, then no CNAME (everyday noise, no Bogus). */
export function cnameBothFailLines(ms: number, host: string, resolvers: readonly [string, string]): Line[] {
  const [first, second] = resolvers;
  const debug = (at: number, message: string): Line => ({ ms: at, level: "Debug", message });
  const warn = (at: number, resolver: string): Line => ({ ms: at, level: "Warning", message: `Received an invalid DNS Response: SERVER FAILED to IP ${resolver} looking up ${host}` });
  return [
    debug(ms, `DNS query: Q('${host}', 'CNAME')`),
    debug(ms, `DNS query: QN('${host}', 'CNAME', 'recursive_nameserver0.parent')`),
    debug(ms, `DNS query: QIP ('${host}','CNAME','${first}',60)`),
    debug(ms, `DNS query: Q ('${host}', 'CNAME', '${first}')`),
    warn(ms + 1000, first),
    debug(ms + 1000, `DNS query: QIP ('${host}','CNAME','${second}',60)`),
    debug(ms + 1000, `DNS query: Q ('${host}', 'CNAME', '${second}')`),
    warn(ms + 2000, second),
    debug(ms + 2000, `No CNAME record() found for domain(${host})`),
  ];
}

// ---- Deliveries ----

export interface DeliverySpec {
  ms: number;
  domain: string;
  dcid: number;
  mid: number;
  mxHost?: string;
  ip?: string;
  recipient?: string;
  /** How each record was classified. A Bogus answer ends the lookups (DANE Fail: no connection). */
  mx: Classification;
  a?: Classification;
  /** `nxdomain`: no TLSA record (an empty answer); `skip`: no TLSA lookup (as for an unsigned MX host). Default: like `a`. */
  tlsa?: Classification | "nxdomain" | "skip";
  /** The resolvers each lookup went to; a function to choose per record type. Default: 10.0.0.53 answers. */
  via?: ResolverPath | ((qtype: "MX" | "A" | "TLSA") => ResolverPath);
  /** Add the AAAA `Unsupported qtype` and CNAME lines of the tech note after the A lookup. */
  aaaa?: boolean;
  /** The certificate check when TLSA is Secure (default: success). */
  cert?: "success" | "failed";
}

export const PRIMARY = "10.0.0.53";
export const SECONDARY = "10.0.1.53";

/**
 * One outbound delivery as the debug log shows it: the recipient, the MX, A and TLSA lookups
 * (one second apart), then - unless a Bogus answer stopped it - the connection, TLS, delivery
 * and close lines. `TLS success ... for <domain>` marks DANE success (all Secure, certificate matched).
 */
export function deliveryLines(spec: DeliverySpec): Line[] {
  const mxHost = spec.mxHost ?? `mx1.${spec.domain}`;
  const ip = spec.ip ?? "198.51.100.25";
  const via = (qtype: "MX" | "A" | "TLSA"): ResolverPath => (typeof spec.via === "function" ? spec.via(qtype) : (spec.via ?? { answeredBy: PRIMARY }));
  const info = (ms: number, message: string): Line => ({ ms, level: "Info", message });
  const out: Line[] = [info(spec.ms, `MID ${spec.mid} ICID ${spec.mid + 5000} RID 0 To: <${spec.recipient ?? `user@${spec.domain}`}>`)];
  out.push(...lookupLines({ ms: spec.ms, name: spec.domain, qtype: "MX", via: via("MX"), status: spec.mx, values: [mxHost] }));
  if (spec.mx === "bogus") return out;
  const a = spec.a ?? spec.mx;
  out.push(...lookupLines({ ms: spec.ms + 1000, name: mxHost, qtype: "A", via: via("A"), status: a, values: [ip] }));
  if (spec.aaaa) out.push(...aaaaUnsupportedLines(spec.ms + 1000, mxHost, via("A").answeredBy));
  if (a === "bogus") return out;
  const tlsa = spec.tlsa ?? a;
  if (tlsa !== "skip") {
    const name = `_25._tcp.${mxHost}`;
    out.push(
      ...(tlsa === "nxdomain"
        ? lookupLines({ ms: spec.ms + 2000, name, qtype: "TLSA", via: via("TLSA"), status: "nodata" })
        : lookupLines({ ms: spec.ms + 2000, name, qtype: "TLSA", via: via("TLSA"), status: tlsa, values: ["0301010c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6"] })),
    );
    if (tlsa === "bogus") return out;
  }
  const daneSuccess = spec.mx === "secure" && a === "secure" && tlsa === "secure" && spec.cert !== "failed";
  const t = spec.ms + 3000;
  out.push(
    info(t, `New SMTP DCID ${spec.dcid} interface 10.0.3.10 address ${ip} port 25`),
    info(t + 1000, `DCID ${spec.dcid} TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384${daneSuccess ? ` for ${spec.domain}` : ""}`),
    info(t + 1000, `Delivery start DCID ${spec.dcid} MID ${spec.mid} to RID [0]`),
    info(t + 2000, `Message done DCID ${spec.dcid} MID ${spec.mid} to RID [0]`),
    info(t + 2000, `MID ${spec.mid} RID [0] Response '2.0.0 Ok: queued as ${spec.mid.toString(36).toUpperCase()}'`),
    info(t + 3000, `DCID ${spec.dcid} close`),
  );
  return out;
}

// ---- Traffic ----

/** A domain of the generated population: DANE-signed (all Secure) or unsigned (all Insecure, no TLSA). */
export interface Domain {
  name: string;
  signed: boolean;
}

/** `count` domains, `signedShare` of them DANE-signed, spread evenly. */
export function domains(count: number, signedShare = 0.4, suffix = "example"): Domain[] {
  return Array.from({ length: count }, (_, i) => ({ name: `d${i}.${suffix}`, signed: Math.floor((i + 1) * signedShare) > Math.floor(i * signedShare) }));
}

/** What the resolvers do to one delivery of traffic(): the path per lookup, and whether a signed domain comes out Bogus. */
export interface Resolving {
  via: ResolverPath;
  /** A resolver without DNSSEC answered: signed domains' MX come back Bogus, unsigned ones stay Insecure. */
  noDnssec: boolean;
}

export const HEALTHY: Resolving = { via: { answeredBy: PRIMARY }, noDnssec: false };

/** The primary does not answer: every query fails there first (SERVER FAILED), the secondary, without DNSSEC, answers. */
export const FAILOVER_TO_NO_DNSSEC: Resolving = { via: { failed: [PRIMARY], answeredBy: SECONDARY }, noDnssec: true };

export interface TrafficSpec {
  fromMs: number;
  toMs: number;
  everyMs: number;
  population: readonly Domain[];
  /** How the resolvers behave for the delivery number `i` at `ms` (default: healthy). */
  resolving?: (ms: number, i: number) => Resolving;
  /** First DCID and MID; delivery `i` gets `+ i`. */
  firstId?: number;
  /** Every `noiseEvery`-th delivery adds the tech note's harmless noise (AAAA Unsupported qtype, a CNAME failing at both resolvers). */
  noiseEvery?: number;
}

/** Deliveries every `everyMs` from `fromMs` to `toMs`, cycling through the population. */
export function traffic(spec: TrafficSpec): Line[] {
  const out: Line[] = [];
  const firstId = spec.firstId ?? 1000;
  let i = 0;
  for (let ms = spec.fromMs; ms < spec.toMs; ms += spec.everyMs, i++) {
    const domain = spec.population[i % spec.population.length]!;
    const resolving = spec.resolving?.(ms, i) ?? HEALTHY;
    const status: Classification = domain.signed ? (resolving.noDnssec ? "bogus" : "secure") : "insecure";
    const noise = spec.noiseEvery !== undefined && i % spec.noiseEvery === spec.noiseEvery - 1;
    out.push(
      ...deliveryLines({
        ms,
        domain: domain.name,
        dcid: firstId + i,
        mid: firstId + i,
        ip: `198.51.100.${(i % 200) + 1}`,
        mx: status,
        tlsa: domain.signed ? status : "skip",
        via: resolving.via,
        aaaa: noise,
      }),
    );
    if (noise) out.push(...cnameBothFailLines(ms + 5000, `${domain.name}-mail.protection.outlook.com`, [SECONDARY, PRIMARY]));
  }
  return out;
}

/** A domain whose own DNSSEC is broken: its MX is Bogus whichever resolver answers. */
export function brokenDomainLines(ms: number, domain: string, id: number, qtype: "MX" | "A" | "TLSA" = "MX", resolver = PRIMARY): Line[] {
  return deliveryLines({
    ms,
    domain,
    dcid: id,
    mid: id,
    mx: qtype === "MX" ? "bogus" : "secure",
    a: qtype === "A" ? "bogus" : "secure",
    tlsa: qtype === "TLSA" ? "bogus" : "secure",
    via: { answeredBy: resolver },
  });
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
/** Mon Mar 11 2024 08:00:00 UTC: the scenarios' day starts here. */
export const T0 = Date.UTC(2024, 2, 11, 8, 0, 0);

// ---- Scenarios (the alert tests' days; each is a list of lines to render for an appliance) ----

/** The outage of resolverOutage(): 09:00 to 09:20 UTC. */
export const OUTAGE = { fromMs: T0 + HOUR, toMs: T0 + HOUR + 20 * MINUTE };

/**
 * Three hours of traffic (a delivery every 6 s over 60 domains, half of them DANE-signed, with
 * everyday noise) in which the primary resolver stops answering from 09:00 to 09:20 and the
 * secondary, which cannot do DNSSEC, answers instead: Bogus for every signed domain. `sticky`:
 * after the first minute the appliance stops trying the primary and asks the secondary directly,
 * so only the first minute shows failures.
 */
export function resolverOutage(options: { sticky?: boolean } = {}): Line[] {
  return traffic({
    fromMs: T0,
    toMs: T0 + 3 * HOUR,
    everyMs: 6000,
    population: domains(60, 0.5),
    noiseEvery: 25,
    resolving: (ms) => {
      if (ms < OUTAGE.fromMs || ms >= OUTAGE.toMs) return HEALTHY;
      if (options.sticky && ms >= OUTAGE.fromMs + MINUTE) return { via: { answeredBy: SECONDARY }, noDnssec: true };
      return FAILOVER_TO_NO_DNSSEC;
    },
  });
}

/**
 * Three hours of traffic; `domain` validates (mail to it every 10 minutes) until its DNSSEC
 * breaks at 09:00; until 10:00 its mail is retried every minute.
 */
export function brokenDomain(domain = "broken.example", qtype: "MX" | "A" | "TLSA" = "MX"): Line[] {
  const lines = traffic({ fromMs: T0, toMs: T0 + 3 * HOUR, everyMs: 30_000, population: domains(40, 0.4), noiseEvery: 20 });
  for (let ms = T0 + 45_000, id = 910_000; ms < T0 + HOUR; ms += 10 * MINUTE, id++) lines.push(...deliveryLines({ ms, domain, dcid: id, mid: id, mx: "secure" }));
  for (let ms = T0 + HOUR + 30_000, id = 900_000; ms < T0 + 2 * HOUR; ms += MINUTE, id++) lines.push(...brokenDomainLines(ms, domain, id, qtype));
  return lines;
}

/**
 * A DNS host's key rollover gone wrong: four of its domains, which validated until then, are Bogus from 09:00 to 10:00, from
 * both resolvers (both do DNSSEC; queries alternate between them), while now and then a query
 * falls back harmlessly after a SERVER FAILED. Domain-specific, however many domains.
 */
export function hosterIncident(): Line[] {
  const lines = traffic({
    fromMs: T0,
    toMs: T0 + 3 * HOUR,
    everyMs: 20_000,
    population: domains(40, 0.4),
    noiseEvery: 10,
    resolving: (_ms, i) => (i % 13 === 0 ? { via: { failed: [PRIMARY], answeredBy: SECONDARY }, noDnssec: false } : { via: { answeredBy: i % 2 === 0 ? PRIMARY : SECONDARY }, noDnssec: false }),
  });
  const hosted = ["shop.hosted.example", "news.hosted.example", "mail.hosted.example", "corp.hosted.example"];
  // They validated, through either resolver, before the DNS host's rollover broke them at 09:00.
  for (let ms = T0 + 50_000, id = 810_000; ms < T0 + HOUR; ms += 5 * MINUTE, id++) {
    lines.push(...deliveryLines({ ms, domain: hosted[id % hosted.length]!, dcid: id, mid: id, mx: "secure", via: { answeredBy: id % 2 === 0 ? PRIMARY : SECONDARY } }));
  }
  let id = 800_000;
  for (let ms = T0 + HOUR + 10_000; ms < T0 + 2 * HOUR; ms += 40_000) {
    const domain = hosted[id % hosted.length]!;
    lines.push(...brokenDomainLines(ms, domain, id, "MX", id % 2 === 0 ? PRIMARY : SECONDARY));
    id++;
  }
  return lines;
}

/**
 * Cisco's first warning: two resolvers of the same priority, the secondary without DNSSEC.
 * Queries alternate; whenever the secondary answers for a signed domain, the answer is Bogus.
 */
export function halfDnssec(): Line[] {
  return traffic({
    fromMs: T0,
    toMs: T0 + 2 * HOUR,
    everyMs: 6000,
    population: domains(60, 0.5),
    // Three in seven to the secondary: over the cycles each domain meets both resolvers.
    resolving: (_ms, i) => (i % 7 < 3 ? { via: { answeredBy: SECONDARY }, noDnssec: true } : HEALTHY),
  });
}

/** 24 hours of ordinary traffic (a delivery every 2 minutes, noise included); `strayBogusAtMs`: one Bogus MX then. */
export function quietDay(options: { strayBogusAtMs?: number } = {}): Line[] {
  const lines = traffic({
    fromMs: T0,
    toMs: T0 + 24 * HOUR,
    everyMs: 2 * MINUTE,
    population: domains(50, 0.4),
    noiseEvery: 15,
    resolving: (_ms, i) => (i % 47 === 0 ? { via: { failed: [PRIMARY], answeredBy: SECONDARY }, noDnssec: false } : HEALTHY),
  });
  if (options.strayBogusAtMs !== undefined) lines.push(...brokenDomainLines(options.strayBogusAtMs, "stray.example", 700_000));
  return lines;
}
