// Worker threads must not change a single byte of output: the record codec that carries
// classified records between threads, and `report --format json` over a generated corpus with
// 0, 1 and 2 workers (the 1 GB version of this check is in the README's Speed section).
import { createWriteStream, mkdtempSync, readFileSync, statSync } from "node:fs";
import { finished } from "node:stream/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeCorpus } from "../bench/gen-corpus.js";
import { classifyChunk } from "../src/input/chunk-worker.js";
import { decodeRecords, RecordEncoder, recordList } from "../src/input/record-codec.js";
import { RecordReader, RecordTimer, type ClassifiedRecord, type ReaderCounts } from "../src/input/records.js";
import { runCli, PUBLIC_SAMPLES, ROOT } from "./helpers/cli.js";
import { readdirSync } from "node:fs";
import fc from "fast-check";
import { newFileStats } from "../src/input/accounting.js";
import { Clock } from "../src/input/clock.js";
import { CHUNK_BYTES, FIRST_CHUNK_BYTES, lineChunks, readChunked, type ChunkClassifier } from "../src/input/parallel.js";
import { ChunkPool, defaultWorkers, startChunkPool } from "../src/input/chunk-pool.js";
import { readInputs, readText } from "../src/input/read.js";
import { ESA_FRAGMENTS } from "./helpers/fragments.js";

function classifyAll(text: string): ClassifiedRecord[] {
  const counts: ReaderCounts = { logLines: 0, joined: 0, truncated: 0, invalidUtf8: 0, nulBytes: 0 };
  const records: ClassifiedRecord[] = [];
  const reader = new RecordReader(counts, (record) => records.push(record));
  text.split("\n").forEach((line, i) => reader.pushLine(line, i + 1, 0));
  reader.flush();
  return records;
}

function roundTrip(records: ClassifiedRecord[], lineBase = 0): ClassifiedRecord[] {
  const encoder = new RecordEncoder();
  for (const record of records) encoder.push(structuredClone(record));
  const decoded: ClassifiedRecord[] = [];
  decodeRecords(encoder.finish(), lineBase, recordList(decoded));
  return decoded;
}

async function corpus(bytes: number, appliances: number): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), "esa-dane-corpus-")), `corpus-${appliances}.log`);
  const out = createWriteStream(file);
  await writeCorpus(out, { bytes, seed: 7, appliances });
  out.end();
  await finished(out);
  return file;
}

describe("record codec between threads", () => {
  const sources = [
    ...readdirSync(join(ROOT, "samples")).filter((f) => !f.endsWith(".md")).map((f) => join(ROOT, "samples", f)),
    ...readdirSync(PUBLIC_SAMPLES).map((f) => join(PUBLIC_SAMPLES, f)),
  ];

  it.each(sources)("gives back every record of %s as JSON writes it", (file) => {
    const records = classifyAll(readFileSync(file, "utf8"));
    expect(records.length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(roundTrip(records)))).toEqual(JSON.parse(JSON.stringify(records)));
  });

  it("keeps timestamps with and without offset, no timestamp, hosts, levels and line numbers", () => {
    const records = classifyAll(
      [
        "2024-03-12T09:15:01+01:00 esa1.example.com mail_logs_d: Debug: DNS query: Q('a.example', 'MX')",
        "<22>Mar 12 09:15:01 esa2.example.com mail_logs_d: Info: DCID 4 close",
        "Warning: Received an invalid DNS Response: SERVER FAILED to IP 10.0.0.53 looking up a.example",
        "Mon Feb  4 20:08:47 2019 Info: MID 1 using engine: CASE spam negative",
        "Mon Feb 30 20:08:47 2019 Info: x",
      ].join("\n"),
    );
    expect(records.map((r) => r.t)).toEqual(["event", "event", "event", "unknown", "malformed"]);
    const decoded = roundTrip(records, 1000);
    expect(decoded.map((r) => r.line)).toEqual([1001, 1002, 1003, 1004, 1005]);
    expect(decoded[0]).toMatchObject({ stamp: { year: 2024, month: 3, day: 12, hour: 9, utcOffsetMinutes: 60 }, host: "esa1.example.com", level: "Debug" });
    expect(decoded[1]).toMatchObject({ stamp: { year: null, month: 3 }, host: "esa2.example.com", level: "Info" });
    expect(decoded[1]!.t === "event" && "utcOffsetMinutes" in decoded[1]!.stamp!).toBe(false);
    expect(decoded[2]).toMatchObject({ stamp: null, host: null, level: "Warning", body: { kind: "dns-resolver-failure", resolver: "10.0.0.53" } });
  });

  it("builds objects whose keys a literal cannot carry key by key (no prototype set, no base key twice)", () => {
    // The grammar never builds such keys; the decoder must still give them back as data.
    const body = JSON.parse('{"kind":"log-begin","__proto__":{"polluted":true},"file":"other.log"}') as Record<string, unknown>;
    const nested = JSON.parse('{"__proto__":{"polluted":true},"v":1}') as Record<string, unknown>;
    const records: ClassifiedRecord[] = [
      { t: "event", line: 1, lines: 1, stamp: null, host: null, level: "Info", body: body as never },
      { t: "event", line: 2, lines: 1, stamp: null, host: null, level: "Info", body: { kind: "log-begin", extra: nested } as never },
    ];
    const decoded = roundTrip(records);
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(records));
    const first = decoded[0] as Extract<ClassifiedRecord, { t: "event" }>;
    expect(Object.getPrototypeOf(first.body)).toBe(Object.prototype);
    expect(Object.keys(first.body)).toEqual(["kind", "__proto__", "file"]);
    const second = (decoded[1] as Extract<ClassifiedRecord, { t: "event" }>).body as unknown as { extra: object };
    expect(Object.getPrototypeOf(second.extra)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Timed into events, the decoded records give what the records read line by line give.
    const events = (list: ClassifiedRecord[]) => {
      const out: string[] = [];
      const sink = { event: (e: unknown) => out.push(JSON.stringify(e)), malformed: () => {} };
      const timer = new RecordTimer("x.log", new Clock({ referenceTime: 0 }), null, newFileStats("x.log"), sink);
      for (const record of list) timer.push(record);
      timer.end();
      return out;
    };
    expect(events(decoded)).toEqual(events(records));
    // Such a body is copied behind the base keys, as the grammar's bodies are: its `file` wins.
    const timed = JSON.parse(events(decoded)[0]!) as Record<string, unknown>;
    expect(Object.keys(timed).slice(0, 7)).toEqual(["file", "line", "time", "utcKnown", "host", "level", "kind"]);
    expect(timed.file).toBe("other.log");
  });

  it("carries a worker's chunk of a generated corpus unchanged", async () => {
    const file = await corpus(600_000, 1);
    const bytes = readFileSync(file);
    const result = classifyChunk({ seq: 0, bytes: new Uint8Array(bytes), firstLineTruncated: false, keepUnknownText: true });
    const viaCodec: ClassifiedRecord[] = [];
    decodeRecords(result.records, 0, recordList(viaCodec));
    const direct = classifyAll(bytes.toString("utf8").replace(/\n$/, ""));
    // The chunk's last record stays open (the next chunk might continue it): it goes back unclassified.
    expect(result.tail?.line).toBe(direct.at(-1)!.line);
    direct.pop();
    expect(viaCodec.length).toBe(direct.length);
    expect(JSON.parse(JSON.stringify(viaCodec))).toEqual(JSON.parse(JSON.stringify(direct)));
  });
});

describe("report with worker threads", () => {
  it.each([1, 3])("writes the same report and deliveries byte for byte with 0, 1 and 2 workers (%i appliance(s))", async (appliances) => {
    // Chunks of 64 KiB growing to a megabyte (see FIRST_CHUNK_BYTES), and two of a megabyte or
    // more: boundaries to join records across, and both workers of --workers 2 classify some.
    const file = await corpus(2_200_000, appliances);
    expect(statSync(file).size).toBeGreaterThan(2 * CHUNK_BYTES);
    const args = ["report", file, "--format", "json", "--year", "2024", "--stats", "none"];
    const sequential = runCli([...args, "--workers", "0"]);
    expect(sequential.status).toBe(0);
    const report = JSON.parse(sequential.stdout);
    // Not a trivial report: deliveries, Bogus answers and every line accounted for.
    expect(report.totals.attempts).toBeGreaterThan(100);
    expect(report.stats.total.read).toBe(report.stats.total.parsed + report.stats.total.unknown + report.stats.total.malformed);
    for (const workers of ["1", "2"]) {
      const parallel = runCli([...args, "--workers", workers]);
      expect(parallel.status).toBe(0);
      expect(parallel.stdout === sequential.stdout).toBe(true);
    }
    // Attempts stream out as they close: the same records in the same order with a worker.
    const deliveries = ["deliveries", file, "--year", "2024", "--stats", "none"];
    const oneThread = runCli([...deliveries, "--workers", "0"]);
    const withWorker = runCli([...deliveries, "--workers", "1"]);
    expect(oneThread.stdout.split("\n").length).toBeGreaterThan(100);
    expect(withWorker.stdout === oneThread.stdout).toBe(true);
  });
});

describe("chunked reading (the worker path) on random input", () => {
  // The worker's code run on this thread, so that hundreds of cases stay fast; chunks of a few
  // bytes put chunk boundaries inside wrapped records, blank runs and over-long lines.
  const inProcess: ChunkClassifier = {
    size: 1,
    classify: async (bytes, firstLineTruncated, keepUnknownText) => classifyChunk({ seq: 0, bytes, firstLineTruncated, keepUnknownText }),
  };
  const line = fc.oneof(
    { weight: 8, arbitrary: fc.array(fc.constantFrom(...ESA_FRAGMENTS), { minLength: 1, maxLength: 10 }).map((parts) => parts.join("")) },
    { weight: 1, arbitrary: fc.constantFrom("", "  ", "\t", "# comment", "continued text without a prefix") },
    // Written out in the property: a counterexample then shows "LONG 65000", not 65,000 x's.
    { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 70_000 }).map((n) => `LONG ${n}`) },
  );
  const expand = (l: string) => (l.startsWith("LONG ") ? `Mon Feb  4 20:08:47 2019 Info: ${"x".repeat(Number(l.slice(5)))}` : l);

  async function viaChunks(text: string, chunkBytes: number) {
    const out: string[] = [];
    const stats = newFileStats("r.log");
    const sink = { event: (e: unknown) => out.push(JSON.stringify(e)), unknown: (u: unknown) => out.push(JSON.stringify(u)), malformed: (m: unknown) => out.push(JSON.stringify(m)) };
    async function* bytes() {
      yield Buffer.from(text, "utf8");
    }
    await readChunked(bytes(), inProcess, "r.log", new Clock({ referenceTime: 0 }), null, stats, sink, undefined, chunkBytes);
    return { out, stats };
  }

  it("gives the same records, counts and order as reading line by line", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 40 }), fc.boolean(), fc.integer({ min: 1, max: 400 }), async (lines, finalNewline, chunkBytes) => {
        const text = lines.map(expand).join("\n") + (finalNewline ? "\n" : "");
        const out: string[] = [];
        const stats = readText(text, "r.log", {}, { event: (e) => out.push(JSON.stringify(e)), unknown: (u) => out.push(JSON.stringify(u)), malformed: (m) => out.push(JSON.stringify(m)) });
        const chunked = await viaChunks(text, chunkBytes);
        expect(chunked.stats).toEqual(stats);
        expect(chunked.out).toEqual(out);
      }),
      { numRuns: 300 },
    );
  });
});

describe("a reader ahead of a slow worker", () => {
  it("waits for it (a bounded backlog) and gives the same records, counts and order as reading line by line", async () => {
    const lines = readFileSync(join(ROOT, "samples", "mail_logs_d.@20240311T083000.s"), "utf8").split("\n");
    const text = Array.from({ length: 6 }, () => lines.join("\n")).join("\n");
    const expected: string[] = [];
    const expectedStats = readText(text, "r.log", {}, { event: (e) => expected.push(JSON.stringify(e)), unknown: (u) => expected.push(JSON.stringify(u)), malformed: (m) => expected.push(JSON.stringify(m)) });
    // A worker that answers only after a few turns of the event loop: the reader runs ahead of it.
    let sentToWorker = 0;
    let outstanding = 0;
    let mostOutstanding = 0;
    const slowWorker: ChunkClassifier = {
      size: 1,
      classify: (bytes, firstLineTruncated, keepUnknownText) => {
        sentToWorker++;
        outstanding++;
        mostOutstanding = Math.max(mostOutstanding, outstanding);
        const result = classifyChunk({ seq: 0, bytes, firstLineTruncated, keepUnknownText });
        return new Promise((resolve) =>
          setTimeout(() => {
            outstanding--;
            resolve(result);
          }, 2),
        );
      },
    };
    const out: string[] = [];
    const stats = newFileStats("r.log");
    let reads = 0;
    async function* bytes() {
      const all = Buffer.from(text, "utf8");
      for (let at = 0; at < all.length; at += 300) {
        reads++;
        yield all.subarray(at, at + 300);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const sink = { event: (e: unknown) => out.push(JSON.stringify(e)), unknown: (u: unknown) => out.push(JSON.stringify(u)), malformed: (m: unknown) => out.push(JSON.stringify(m)) };
    await readChunked(bytes(), slowWorker, "r.log", new Clock({ referenceTime: 0 }), null, stats, sink, undefined, 250);
    expect(out).toEqual(expected);
    expect(stats).toEqual(expectedStats);
    expect(reads).toBeGreaterThan(100);
    // The worker classified every chunk (cut again here the same way), and the reader never ran
    // more than the backlog ahead of it.
    let cut = 0;
    for await (const _chunk of lineChunks(bytes(), 250)) cut++;
    expect(sentToWorker).toBe(cut);
    expect(mostOutstanding).toBe(4);
  });
});

describe("worker threads by default", () => {
  const file = (size: number, path = "/l/mail_logs_d.log") => ({ kind: "file" as const, path, size, mtimeMs: 0 });
  it("starts one for big inputs on two or more cores, none otherwise", () => {
    expect(defaultWorkers([file(100_000_000)], 2)).toBe(1);
    expect(defaultWorkers([file(100_000_000)], 1)).toBe(0);
    expect(defaultWorkers([file(1_000_000)], 8)).toBe(0);
    expect(defaultWorkers([file(5_000_000), file(5_000_000)], 2)).toBe(1);
    // A gzip file holds several times its size in log.
    expect(defaultWorkers([file(2_000_000, "/l/mail_logs_d.@20240312.gz")], 2)).toBe(1);
    // A pipe may be a live log: a worker would print nothing until a megabyte came.
    expect(defaultWorkers([{ kind: "stdin" }], 2)).toBe(0);
    expect(defaultWorkers([{ kind: "stdin" }, file(100_000_000)], 2)).toBe(0);
  });
});

describe("chunks growing to full size", () => {
  async function cut(text: string, reads: number[], target: number, first: number): Promise<string[]> {
    async function* bytes() {
      const all = Buffer.from(text, "latin1");
      let at = 0;
      for (let i = 0; at < all.length; i++) {
        const size = reads[i % reads.length]!;
        yield all.subarray(at, at + size);
        at += size;
      }
    }
    const chunks: string[] = [];
    for await (const chunk of lineChunks(bytes(), target, undefined, first)) chunks.push(Buffer.from(chunk.bytes).toString("latin1"));
    return chunks;
  }

  it("cuts whole lines, the first ones small, and loses no byte", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 90 }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 2000 }),
        async (lengths, reads, first, target) => {
          const text = lengths.map((n) => "x".repeat(n) + "\n").join("");
          const chunks = await cut(text, reads, target, first);
          expect(chunks.join("")).toBe(text);
          for (const chunk of chunks) expect(chunk.endsWith("\n")).toBe(true);
          // The first chunk holds at most `first` bytes unless a line is longer than that.
          if (first < target && lengths[0]! + 1 <= first) expect(chunks[0]!.length).toBeLessThanOrEqual(first);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("start at FIRST_CHUNK_BYTES and double up to CHUNK_BYTES on a real file's reads", async () => {
    const text = "Mon Mar 11 00:00:01 2024 Info: a line of a log\n".repeat(Math.ceil((3 * CHUNK_BYTES) / 48));
    const chunks = await cut(text, [1 << 20], CHUNK_BYTES, FIRST_CHUNK_BYTES);
    const sizes = chunks.map((c) => c.length);
    expect(sizes.slice(0, 4).map((size, i) => size <= FIRST_CHUNK_BYTES << i && size > (FIRST_CHUNK_BYTES << i) - 48)).toEqual([true, true, true, true]);
    expect(sizes.slice(4, -1).every((size) => size >= CHUNK_BYTES)).toBe(true);
    expect(chunks.join("")).toBe(text);
  });
});

describe("workers started before the read", () => {
  const sample = join(ROOT, "samples", "mail_logs_d.@20240311T083000.s");
  const collect = (out: string[]) => ({ event: (e: unknown) => out.push(JSON.stringify(e)), unknown: (u: unknown) => out.push(JSON.stringify(u)), malformed: (m: unknown) => out.push(JSON.stringify(m)) });

  it("start only when the inputs call for them", async () => {
    expect(await startChunkPool([sample], undefined)).toBeNull();
    expect(await startChunkPool([sample], 0)).toBeNull();
    const pool = await startChunkPool([sample], 2);
    expect(pool?.size).toBe(2);
    await pool?.close();
  });

  it("are used by readInputs, which stops them when the read ends", { timeout: 20_000 }, async () => {
    const pool = new ChunkPool(1);
    const alone: string[] = [];
    await readInputs([sample], { workers: 0, year: 2024 }, collect(alone));
    expect(alone.length).toBeGreaterThan(100);
    const withPool: string[] = [];
    const read = await readInputs([sample], { pool, year: 2024 }, collect(withPool));
    expect(read.errors).toEqual([]);
    expect(withPool).toEqual(alone);
    // Their memory is gone before the outputs are written; closing again is harmless.
    expect(pool.size).toBe(0);
    await pool.close();
  });
});
