// Generates a realistic debug-level mail log (`mail_logs_d`) of a chosen size, for benchmarks:
// concurrent deliveries whose DNS lookups interleave, cache reuse within TTLs, several MX hosts,
// resolver failures with fallbacks, Bogus bursts from a non-DNSSEC secondary, several
// appliances over syslog, and the many inbound and scanning lines that real logs are mostly made of.
//
//   npm run gen:corpus -- --size 1GB --seed 7 [--gzip] [--appliances 2] [--out bench/corpus/x.log]
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createGzip } from "node:zlib";
import type { Writable } from "node:stream";

export interface CorpusOptions {
  bytes: number;
  seed: number;
  appliances: number;
}

/** Small, fast, seeded PRNG (mulberry32): the same seed gives the same corpus. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

interface Domain {
  name: string;
  kind: "dane" | "signed" | "insecure" | "bogus";
  hosts: string[];
  ips: string[][];
}

function makeDomains(random: () => number, count: number): Domain[] {
  const domains: Domain[] = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    const kind = r < 0.3 ? "dane" : r < 0.45 ? "signed" : r < 0.98 ? "insecure" : "bogus";
    const name = `d${i}.example${i % 7 === 0 ? ".net" : ".com"}`;
    const hostCount = random() < 0.3 ? 2 : 1;
    const hosts = Array.from({ length: hostCount }, (_, h) => `mx${h + 1}.${name}`);
    const ips = hosts.map((_, h) => [`198.51.${(i >> 8) & 255}.${(i + h) & 255}`]);
    domains.push({ name, kind, hosts, ips });
  }
  return domains;
}

function hex(random: () => number, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += "0123456789abcdef"[Math.floor(random() * 16)];
  return out;
}

/** Writes the corpus to `out`; resolves when `bytes` have been written. */
export async function writeCorpus(out: Writable, options: CorpusOptions): Promise<void> {
  const random = prng(options.seed);
  const domains = makeDomains(random, 5000);
  const resolvers = ["10.0.0.53", "10.0.1.53"];
  const appliances = Array.from({ length: options.appliances }, (_, i) => `esa${i + 1}.example.com`);
  const syslog = options.appliances > 1;
  let written = 0;
  let time = Date.UTC(2024, 2, 11, 0, 0, 0);
  let mid = 100000;
  let dcid = 500000;
  let icid = 900000;
  // Per appliance: when each name's answers expire from its cache.
  const cacheUntil = appliances.map(() => new Map<string, number>());
  let outageUntil = 0;
  const buffer: string[] = [];
  let bufferBytes = 0;

  const prefixOf = (appliance: number, level: string): string => {
    const d = new Date(time);
    const dd = String(d.getUTCDate()).padStart(2, " ");
    const hms = `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}:${String(d.getUTCSeconds()).padStart(2, "0")}`;
    if (syslog) return `<23>${MONTHS[d.getUTCMonth()]} ${dd} ${hms} ${appliances[appliance]} mail_logs_d: ${level}: `;
    return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${dd} ${hms} ${d.getUTCFullYear()} ${level}: `;
  };
  const flush = async () => {
    const chunk = buffer.join("");
    buffer.length = 0;
    bufferBytes = 0;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  };
  const write = (appliance: number, level: string, message: string) => {
    const line = `${prefixOf(appliance, level)}${message}\n`;
    buffer.push(line);
    bufferBytes += line.length;
    written += line.length;
  };
  // A delivery is generated as groups of lines (one DNS lookup, one connection step...); groups
  // of concurrent deliveries are then interleaved, as a busy appliance writes them.
  type Group = [number, string, string][];
  let groups: Group[] = [];
  let group: Group = [];
  const emit = (appliance: number, level: string, message: string) => {
    group.push([appliance, level, message]);
  };
  const endGroup = () => {
    if (group.length > 0) groups.push(group);
    group = [];
  };

  if (!syslog) {
    write(0, "Info", "Begin Logfile");
    write(0, "Info", "Version: 15.0.1-030 SN: 4229A5E2D3B1C7E8F9A0-1B2C3D4E5F60");
    write(0, "Info", "Time offset from UTC: 0 seconds");
  }

  /** One lookup's lines, possibly failing over; returns nothing: the lines are the point. */
  const lookup = (appliance: number, name: string, qtype: string, answer: string, status: string, ttl: number, encache: string | null) => {
    endGroup();
    emit(appliance, "Debug", `DNS query: Q('${name}', '${qtype}')`);
    emit(appliance, "Debug", `DNS query: QN('${name}', '${qtype}', 'recursive_nameserver0.parent')`);
    let resolver = resolvers[Math.floor(random() * 2)]!;
    if (time < outageUntil) {
      resolver = resolvers[0]!;
      emit(appliance, "Debug", `DNS query: QIP ('${name}', '${qtype}', '${resolver}', 60)`);
      emit(appliance, "Debug", `DNS query: Q ('${name}', '${qtype}', '${resolver}')`);
      emit(appliance, "Warning", `Received an invalid DNS Response: SERVER FAILED to IP ${resolver} looking up ${name}`);
      resolver = resolvers[1]!;
    } else if (random() < 0.002) {
      emit(appliance, "Debug", `DNS query: QIP ('${name}', '${qtype}', '${resolver}', 60)`);
      emit(appliance, "Debug", `DNS query: Q ('${name}', '${qtype}', '${resolver}')`);
      emit(appliance, "Warning", `Received an invalid DNS Response: SERVER FAILED to IP ${resolver} looking up ${name}`);
      resolver = resolvers.find((r) => r !== resolver)!;
    }
    emit(appliance, "Debug", `DNS query: QIP ('${name}', '${qtype}', '${resolver}', 60)`);
    emit(appliance, "Debug", `DNS query: Q ('${name}', '${qtype}', '${resolver}')`);
    emit(appliance, "Debug", `DNSSEC Response data(${answer}, ${status}, 0, ${ttl})`);
    if (encache !== null) emit(appliance, "Debug", `DNS encache (${name}, ${qtype}, [${encache}])`);
    else emit(appliance, "Debug", `Received NODATA for domain ${name} type ${qtype}`);
    endGroup();
  };

  const delivery = (appliance: number) => {
    const domain = domains[Math.floor(Math.pow(random(), 2) * domains.length)]!;
    const cache = cacheUntil[appliance]!;
    const thisMid = mid++;
    const thisIcid = icid++;
    // Inbound: the message arrives and is scanned (unmodelled lines, most of a real log).
    emit(appliance, "Info", `New SMTP ICID ${thisIcid} interface Data 1 (10.0.3.10) address 10.0.2.${thisMid % 250} reverse dns host app${thisMid % 40}.corp.example verified yes`);
    emit(appliance, "Info", `ICID ${thisIcid} RELAY SG RELAYLIST match 10.0.2.0/24 SBRS not enabled country not enabled`);
    emit(appliance, "Info", `Start MID ${thisMid} ICID ${thisIcid}`);
    emit(appliance, "Info", `MID ${thisMid} ICID ${thisIcid} From: <sender${thisMid % 977}@corp.example>`);
    emit(appliance, "Info", `MID ${thisMid} ICID ${thisIcid} RID 0 To: <user${thisMid % 313}@${domain.name}>`);
    emit(appliance, "Info", `MID ${thisMid} Message-ID '<${hex(random, 16)}@corp.example>'`);
    emit(appliance, "Info", `MID ${thisMid} Subject 'Quarterly report ${thisMid % 97}'`);
    emit(appliance, "Info", `MID ${thisMid} ready ${1000 + Math.floor(random() * 90000)} bytes from <sender${thisMid % 977}@corp.example>`);
    emit(appliance, "Info", `MID ${thisMid} matched all recipients for per-recipient policy DEFAULT in the outbound table`);
    emit(appliance, "Info", `ICID ${thisIcid} close`);
    emit(appliance, "Info", `MID ${thisMid} interim verdict using engine: CASE spam negative`);
    emit(appliance, "Info", `MID ${thisMid} using engine: CASE spam negative`);
    emit(appliance, "Info", `MID ${thisMid} interim AV verdict using Sophos CLEAN`);
    emit(appliance, "Info", `MID ${thisMid} antivirus negative`);
    emit(appliance, "Info", `MID ${thisMid} Outbreak Filters: verdict negative`);
    emit(appliance, "Info", `MID ${thisMid} DKIM: signing with selector s1 for corp.example`);
    emit(appliance, "Info", `MID ${thisMid} queued for delivery`);
    time += Math.floor(random() * 400);
    const stamp = () => `${Math.floor(time / 1000) * 1000 + 8_400_000_000_000_000}L`;
    const secureOf = (kind: Domain["kind"], record: "MX" | "A" | "TLSA") => {
      if (kind === "bogus" || time < outageUntil) return record === "MX" ? "bogus" : "secure";
      if (kind === "insecure") return "insecure";
      return "secure";
    };
    const expired = (key: string) => (cache.get(key) ?? 0) < time;
    const mxStatus = secureOf(domain.kind, "MX");
    if (expired(`${domain.name}|MX`) || mxStatus === "bogus") {
      const answer = `[${domain.hosts.map((h, i) => `(${(i + 1) * 10}, '${h}.')`).join(", ")}]`;
      const encache = domain.hosts.map((h, i) => `(${stamp()}, 0, '${mxStatus.toUpperCase()}', (${(i + 1) * 10}, '${h}'))`).join(", ");
      lookup(appliance, domain.name, "MX", answer, mxStatus, 3600, encache);
      if (mxStatus === "bogus") return endGroup(); // DANE Fail: the message stays queued
      cache.set(`${domain.name}|MX`, time + 3600_000);
    }
    const hostIndex = domain.hosts.length > 1 && random() < 0.1 ? 1 : 0;
    if (hostIndex === 1) {
      const firstIp = domain.ips[0]![0]!;
      const failedDcid = dcid++;
      emit(appliance, "Info", `New SMTP DCID ${failedDcid} interface 10.0.3.10 address ${firstIp} port 25`);
      time += 30_000;
      emit(appliance, "Info", `Connection Error: DCID ${failedDcid} domain: ${domain.name} IP: ${firstIp} port: 25 details: timeout interface: 10.0.3.10 reason: network error`);
    }
    const host = domain.hosts[hostIndex]!;
    const ip = domain.ips[hostIndex]![0]!;
    const aStatus = secureOf(domain.kind, "A");
    if (expired(`${host}|A`)) {
      lookup(appliance, host, "A", `['${ip}']`, aStatus, 3600, `(${stamp()}, 0, '${aStatus.toUpperCase()}', '${ip}')`);
      lookup(appliance, host, "AAAA", "[]", "", 3600, null);
      lookup(appliance, host, "CNAME", "[]", "", 3600, null);
      emit(appliance, "Debug", `No CNAME record(NoError) found for domain(${host})`);
      if (domain.kind !== "insecure") {
        const tlsa = domain.kind === "dane" ? `['030101${hex(random, 64)}']` : "[]";
        lookup(appliance, `_25._tcp.${host}`, "TLSA", tlsa, domain.kind === "dane" ? "secure" : "", 3600, domain.kind === "dane" ? `(${stamp()}, 0, 'SECURE', '030101${hex(random, 64)}')` : null);
      }
      cache.set(`${host}|A`, time + 3600_000);
    }
    const thisDcid = dcid++;
    endGroup();
    emit(appliance, "Info", `New SMTP DCID ${thisDcid} interface 10.0.3.10 address ${ip} port 25`);
    const forDomain = domain.kind === "dane" ? ` for ${domain.name}` : "";
    emit(appliance, "Info", `DCID ${thisDcid} TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384${forDomain}`);
    endGroup();
    emit(appliance, "Info", `Delivery start DCID ${thisDcid} MID ${thisMid} to RID [0]`);
    emit(appliance, "Info", `Message done DCID ${thisDcid} MID ${thisMid} to RID [0]`);
    emit(appliance, "Info", `MID ${thisMid} RID [0] Response '2.0.0 Ok: queued as ${hex(random, 12).toUpperCase()}'`);
    emit(appliance, "Info", `Message finished MID ${thisMid} done`);
    emit(appliance, "Info", `DCID ${thisDcid} close`);
    endGroup();
  };

  const active: Group[][] = [];
  while (written < options.bytes) {
    // Keep three deliveries in flight and write their groups in random turns.
    while (active.length < 3) {
      const appliance = Math.floor(random() * appliances.length);
      // Now and then a resolver outage: the primary fails, the secondary answers Bogus for 20 minutes.
      if (random() < 0.00002 && time > outageUntil) outageUntil = time + 20 * 60_000;
      if (random() < 0.01) {
        emit(appliance, "Info", `Status: CPULd 4 DskIO 0 RAMUtil 9 QKUsd 212 QKFre 8388396 CrtMID ${mid} CrtICID ${icid} CrtDCID ${dcid} InjMsg 27635 InjRcp 29310 DnsReq 914490 NetReq 402117 CchHit 1723390 CchMis 310844`);
        endGroup();
      }
      delivery(appliance);
      active.push(groups);
      groups = [];
    }
    const turn = Math.floor(random() * active.length);
    const next = active[turn]!.shift();
    if (next !== undefined) {
      time += Math.floor(random() * 150);
      for (const [appliance, level, message] of next) write(appliance, level, message);
    }
    if (active[turn]!.length === 0) active.splice(turn, 1);
    if (bufferBytes > 1 << 20) await flush();
  }
  await flush();
}

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$/i.exec(text.trim());
  if (!match) throw new Error(`--size: expected a size such as 100MB or 1GB, got '${text}'`);
  const unit = (match[2] ?? "B").toUpperCase();
  const factor = unit === "GB" ? 1e9 : unit === "MB" ? 1e6 : unit === "KB" ? 1e3 : 1;
  return Math.round(Number(match[1]) * factor);
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const bytes = parseSize(arg("size") ?? "100MB");
  const seed = Number(arg("seed") ?? "1");
  const appliances = Number(arg("appliances") ?? "1");
  const gzip = argv.includes("--gzip");
  const outPath = arg("out") ?? `bench/corpus/mail_logs_d-${arg("size") ?? "100MB"}-seed${seed}${appliances > 1 ? `-x${appliances}` : ""}.log${gzip ? ".gz" : ""}`;
  mkdirSync(dirname(outPath), { recursive: true });
  const file = createWriteStream(outPath);
  const out = gzip ? createGzip({ level: 6 }) : file;
  if (gzip) out.pipe(file);
  await writeCorpus(out, { bytes, seed, appliances });
  await new Promise<void>((resolve, reject) => {
    file.on("finish", () => resolve());
    file.on("error", reject);
    out.end();
  });
  process.stdout.write(`${outPath}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`gen-corpus: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
