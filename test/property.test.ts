// Random and hostile input never crashes the reader, and the accounting always adds up; the
// speed paths of the reader give the same records as the plain ones.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newFileStats } from "../src/input/accounting.js";
import { Clock } from "../src/input/clock.js";
import { LineSplitter } from "../src/input/lines.js";
import { readPrefix, readPrefixGeneral } from "../src/input/prefix.js";
import { CLASSIFY_BATCH, RecordAssembler, RecordReader, type ClassifiedRecord, type ReaderCounts } from "../src/input/records.js";
import { Correlator } from "../src/correlate/correlator.js";
import { ESA_FRAGMENTS as FRAGMENTS } from "./helpers/fragments.js";
import { int } from "../grammars/values.js";


function readAll(chunks: Uint8Array[]) {
  const stats = newFileStats("p");
  const correlator = new Correlator({}, { attempt: () => {}, lookup: () => {} });
  const assembler = new RecordAssembler("p", new Clock({ referenceTime: 0 }), null, stats, {
    event: (e) => correlator.push(e),
    unknown: () => {},
    malformed: () => {},
  });
  const splitter = new LineSplitter((text, n, flags) => {
    stats.read++;
    assembler.pushLine(text, n, flags);
  });
  for (const chunk of chunks) splitter.pushBytes(Buffer.from(chunk));
  splitter.end();
  assembler.end();
  correlator.end();
  correlator.resolverStats();
  return { stats, lines: splitter.linesSeen };
}

function physicalLines(chunks: Uint8Array[]): number {
  const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
  if (all.length === 0) return 0;
  let n = 0;
  for (const byte of all) if (byte === 10) n++;
  return all[all.length - 1] === 10 ? n : n + 1;
}

describe("hostile input", () => {
  it("arbitrary bytes in arbitrary chunks: no exception, every line counted once", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => {
        const { stats, lines } = readAll(chunks);
        expect(stats.read).toBe(lines);
        expect(stats.read).toBe(physicalLines(chunks));
        expect(stats.read).toBe(stats.parsed + stats.unknown + stats.malformed);
      }),
      { numRuns: 300 },
    );
  });

  it("arbitrary strings: no exception, the accounting adds up", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const { stats } = readAll([Buffer.from(text)]);
        expect(stats.read).toBe(stats.parsed + stats.unknown + stats.malformed);
      }),
      { numRuns: 300 },
    );
  });

  it("lines built from fragments of real ESA lines: no exception, the accounting adds up", () => {
    const line = fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 14 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.integer({ min: 1, max: 64 }), (lines, cut) => {
        const bytes = Buffer.from(lines.join("\n"));
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < bytes.length; i += cut) chunks.push(bytes.subarray(i, i + cut));
        const { stats, lines: seen } = readAll(chunks);
        expect(stats.read).toBe(seen);
        expect(stats.read).toBe(stats.parsed + stats.unknown + stats.malformed);
      }),
      { numRuns: 400 },
    );
  });
});

// Two speed paths of the input stage must not change a single record (issue 13): the fast path
// for the file-form prefix, and classifying records in batches (their messages lexed together).
describe("speed paths give the same records as the plain ones", () => {
  /** Mostly the usual value, sometimes one of the odd ones. */
  const mostly = (usual: fc.Arbitrary<string>, ...odd: string[]) => fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: fc.constantFrom(...odd) });
  const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, "0"));
  // File-form prefixes, right and subtly wrong: every field and separator varies.
  const filePrefix = fc
    .tuple(
      mostly(fc.constantFrom("Mon", "Tue", "Sun"), "Xyz", "mon", "", "Mo"),
      mostly(fc.constant(" "), "  ", "\t"),
      mostly(fc.constantFrom("Jan", "Feb", "Dec"), "Foo", "feb", "Fe"),
      mostly(fc.integer({ min: 1, max: 31 }).map((d) => (d < 10 ? `  ${d}` : ` ${d}`)), " 0", "  0", " 32", " 04", " 4", "\u00a04", "  x", " 29", " 30"),
      mostly(two(23), "24", "7", "x1"),
      mostly(two(59), "60", "5", ""),
      mostly(two(59), "60", "61", "5", ""),
      mostly(fc.integer({ min: 1990, max: 2030 }).map((y) => ` ${y}`), "", " 24", " 0999", " 2000", " 1900", "  2024", " 202x"),
      mostly(fc.constant(" "), "", "  ", "x"),
      mostly(fc.constantFrom("Info", "Debug", "Warning", "Critical", "Trace"), "Infox", "info", "Inf", "Debug:x", "esa1 mail_logs_d: Info", ""),
      mostly(fc.constant(": "), ":", ":  ", " : ", ":x", ""),
    )
    .map((parts) => parts[0] + parts[1] + parts[2] + parts[3] + " " + parts[4] + ":" + parts[5] + ":" + parts[6] + parts[7] + parts[8] + parts[9] + parts[10]);
  const line = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(filePrefix, fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 8 })).map(([p, parts]) => p + parts.join("")) },
    { weight: 2, arbitrary: fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 14 }).map((parts) => parts.join("")) },
  );

  it("the file-form fast path reads every prefix as the general reader does", () => {
    fc.assert(
      fc.property(line, (text) => {
        expect(readPrefix(text)).toEqual(readPrefixGeneral(text));
      }),
      { numRuns: 5000 },
    );
  });

  function recordsOf(text: string, batch: number): ClassifiedRecord[] {
    const counts: ReaderCounts = { logLines: 0, joined: 0, truncated: 0, invalidUtf8: 0, nulBytes: 0 };
    const out: ClassifiedRecord[] = [];
    const reader = new RecordReader(counts, (record) => out.push(record), batch);
    const splitter = new LineSplitter((l, n, flags) => reader.pushLine(l, n, flags));
    splitter.push(text);
    splitter.end();
    reader.flush();
    return out;
  }

  it("records classified in batches (one lexer call each) equal records classified one by one", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.integer({ min: 2, max: 20 }), (lines, batch) => {
        const text = lines.join("\n");
        const single = recordsOf(text, 1);
        expect(recordsOf(text, batch)).toEqual(single);
        expect(recordsOf(text, CLASSIFY_BATCH)).toEqual(single);
      }),
      { numRuns: 500 },
    );
  });
});

describe("integers as logged", () => {
  it("read digit by digit equal Number() of their digits, longs and signs included", () => {
    const digits = fc.string({ unit: fc.constantFrom("0", "1", "5", "9"), minLength: 1, maxLength: 20 });
    const image = fc.oneof(digits, digits.map((d) => `${d}L`), digits.map((d) => `-${d}`), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(image, (text) => {
        expect(Object.is(int(text), Number(text.endsWith("L") ? text.slice(0, -1) : text))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
