// Generates a realistic debug-level mail log (`mail_logs_d`) of a chosen size, for benchmarks:
// concurrent deliveries whose DNS lookups interleave, cache reuse within TTLs, several MX hosts,
// resolver failures with fallbacks, Bogus bursts from a non-DNSSEC secondary, several
// appliances over syslog, and the many inbound and scanning lines that real logs are mostly made of.
//
//   npm run gen:corpus -- --size 1GB --seed 7 [--gzip] [--appliances 2] [--out bench/corpus/x.log]   (--help: the options)
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createGzip } from "node:zlib";
import type { Writable } from "node:stream";
import {
  closeMessage,
  connectionTimeoutMessage,
  connectMessage,
  deliveredMessages,
  fileHeader,
  inboundMessages,
  linePrefix,
  lookupMessages,
  tlsSuccessMessage,
  type Level,
  type LineForm,
  type Lookup,
  type Message,
} from "./log-lines.js";
import { parseOptions, runScript, UsageError, wholeNumber } from "./cli-args.js";

export interface CorpusOptions {
  bytes: number;
  seed: number;
  appliances: number;
}

/** Small, fast, seeded PRNG (mulberry32): the same seed gives the same corpus. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

  const forms: LineForm[] = appliances.map((host) => (syslog ? { form: "syslog", host, subscription: "mail_logs_d" } : { form: "file", utcOffsetSeconds: 0 }));
  const flush = async () => {
    const chunk = buffer.join("");
    buffer.length = 0;
    bufferBytes = 0;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  };
  const write = (appliance: number, level: Level, message: string) => {
    const line = `${linePrefix(forms[appliance]!, time, level)}${message}\n`;
    buffer.push(line);
    bufferBytes += line.length;
    written += line.length;
  };
  // A delivery is generated as groups of lines (one DNS lookup, one connection step...); groups
  // of concurrent deliveries are then interleaved, as a busy appliance writes them.
  type Group = [number, Level, string][];
  let groups: Group[] = [];
  let group: Group = [];
  const emit = (appliance: number, level: Level, message: string) => {
    group.push([appliance, level, message]);
  };
  const emitAll = (appliance: number, messages: readonly Message[]) => {
    for (const m of messages) group.push([appliance, m.level, m.text]);
  };
  const endGroup = () => {
    if (group.length > 0) groups.push(group);
    group = [];
  };

  if (!syslog) {
    for (const m of fileHeader("15.0.1-030", "4229A5E2D3B1C7E8F9A0-1B2C3D4E5F60", 0)) write(0, m.level, m.text);
  }

  /** One lookup's lines, possibly failing over; returns nothing: the lines are the point. */
  const lookup = (appliance: number, name: string, qtype: string, records: Lookup["records"], status: Lookup["status"], ttl: number) => {
    endGroup();
    let resolver = resolvers[Math.floor(random() * 2)]!;
    const failedAt: string[] = [];
    if (time < outageUntil) {
      failedAt.push(resolvers[0]!);
      resolver = resolvers[1]!;
    } else if (random() < 0.002) {
      failedAt.push(resolver);
      resolver = resolvers.find((r) => r !== resolver)!;
    }
    const stamp = Math.floor(time / 1000) * 1000 + 8_400_000_000_000_000;
    const messages = lookupMessages({ name, qtype, failedAt, answeredBy: resolver, records, status, ttl, stamp });
    // `No CNAME record(NoError)` has always been a group of its own here (other deliveries' lines
    // may come between): kept, so that a seed gives the same traffic as before.
    const noCname = qtype === "CNAME" && records.length === 0 ? messages.pop() : undefined;
    emitAll(appliance, messages);
    endGroup();
    if (noCname !== undefined) emitAll(appliance, [noCname]);
  };

  const delivery = (appliance: number) => {
    const domain = domains[Math.floor(Math.pow(random(), 2) * domains.length)]!;
    const cache = cacheUntil[appliance]!;
    const thisMid = mid++;
    const thisIcid = icid++;
    // Inbound: the message arrives and is scanned (unmodelled lines, most of a real log).
    const sender = `sender${thisMid % 977}@corp.example`;
    const messageId = hex(random, 16);
    const bytes = 1000 + Math.floor(random() * 90000);
    emitAll(appliance, inboundMessages({ mid: thisMid, icid: thisIcid, sender, recipient: `user${thisMid % 313}@${domain.name}`, messageId, subject: `Quarterly report ${thisMid % 97}`, bytes }));
    time += Math.floor(random() * 400);
    const secureOf = (kind: Domain["kind"], record: "MX" | "A" | "TLSA") => {
      if (kind === "bogus" || time < outageUntil) return record === "MX" ? "bogus" : "secure";
      if (kind === "insecure") return "insecure";
      return "secure";
    };
    const expired = (key: string) => (cache.get(key) ?? 0) < time;
    const mxStatus = secureOf(domain.kind, "MX");
    if (expired(`${domain.name}|MX`) || mxStatus === "bogus") {
      lookup(appliance, domain.name, "MX", domain.hosts.map((h, i) => [(i + 1) * 10, h] as const), mxStatus, 3600);
      if (mxStatus === "bogus") return endGroup(); // DANE Fail: the message stays queued
      cache.set(`${domain.name}|MX`, time + 3600_000);
    }
    const hostIndex = domain.hosts.length > 1 && random() < 0.1 ? 1 : 0;
    if (hostIndex === 1) {
      const firstIp = domain.ips[0]![0]!;
      const failedDcid = dcid++;
      emitAll(appliance, [connectMessage(failedDcid, firstIp)]);
      time += 30_000;
      emitAll(appliance, [connectionTimeoutMessage(failedDcid, domain.name, firstIp)]);
    }
    const host = domain.hosts[hostIndex]!;
    const ip = domain.ips[hostIndex]![0]!;
    const aStatus = secureOf(domain.kind, "A");
    if (expired(`${host}|A`)) {
      lookup(appliance, host, "A", [ip], aStatus, 3600);
      lookup(appliance, host, "AAAA", [], aStatus, 3600);
      lookup(appliance, host, "CNAME", [], aStatus, 3600);
      if (domain.kind !== "insecure") {
        const tlsa = domain.kind === "dane" ? [`030101${hex(random, 64)}`] : [];
        // The encache line once drew a value of its own; drawing it still keeps every seed's
        // corpus (and the README's figures measured on it) the same traffic as before.
        if (domain.kind === "dane") hex(random, 64);
        lookup(appliance, `_25._tcp.${host}`, "TLSA", tlsa, "secure", 3600);
      }
      cache.set(`${host}|A`, time + 3600_000);
    }
    const thisDcid = dcid++;
    endGroup();
    emitAll(appliance, [connectMessage(thisDcid, ip), tlsSuccessMessage(thisDcid, domain.kind === "dane" ? domain.name : null)]);
    endGroup();
    emitAll(appliance, [...deliveredMessages(thisDcid, thisMid, hex(random, 12).toUpperCase()), closeMessage(thisDcid)]);
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

const HELP = `gen-corpus: writes a synthetic ESA debug mail log (mail_logs_d) of a chosen size, for benchmarks.

usage: npm run gen:corpus -- [--size SIZE] [--seed N] [--appliances N] [--gzip] [--out FILE]

options:
  --size SIZE       bytes to write: 500KB, 100MB, 1GB (default 100MB)
  --seed N          random seed: the same seed gives the same log (default 1)
  --appliances N    appliances; more than one writes the syslog form with hostnames (default 1)
  --gzip            gzip the output
  --out FILE        output file (default bench/corpus/mail_logs_d-<size>-seed<N>[-x<appliances>].log[.gz])
  -h, --help        this text

For logs with the ground truth of every delivery attempt, see npm run gen:truth -- --help.
`;

function parseCorpusArgs(argv: string[]) {
  const { values } = parseOptions(argv, { size: { type: "string" }, seed: { type: "string" }, appliances: { type: "string" }, gzip: { type: "boolean" }, out: { type: "string" } });
  let bytes;
  try {
    bytes = parseSize(values.size ?? "100MB");
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { help: values.help === true, bytes, size: values.size ?? "100MB", seed: wholeNumber("seed", values.seed, 1, 0), appliances: wholeNumber("appliances", values.appliances, 1, 1), gzip: values.gzip === true, out: values.out };
}

async function main(argv: string[]): Promise<void> {
  const { help, bytes, size, seed, appliances, gzip, out: outArg } = parseCorpusArgs(argv);
  if (help) {
    process.stdout.write(HELP);
    return;
  }
  const outPath = outArg ?? `bench/corpus/mail_logs_d-${size}-seed${seed}${appliances > 1 ? `-x${appliances}` : ""}.log${gzip ? ".gz" : ""}`;
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

runScript(import.meta, "gen-corpus", main);
