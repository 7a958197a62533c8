// Random and hostile input never crashes the reader, and the accounting always adds up.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newFileStats } from "../src/input/accounting.js";
import { Clock } from "../src/input/clock.js";
import { LineSplitter } from "../src/input/lines.js";
import { RecordAssembler } from "../src/input/records.js";
import { Correlator } from "../src/correlate/correlator.js";
import { ESA_FRAGMENTS as FRAGMENTS } from "./helpers/fragments.js";


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
