// `esa-dane deliveries`: one line per delivery attempt, as the contract has it, streamed as the
// attempts close. --explain adds the text of each attempt's source lines: inside the NDJSON
// record (field `lines`), so the output stays one JSON object per line, or under the table row.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Attempt, AttemptRecord } from "../correlate/types.js";
import { sourceFile } from "../correlate/sources.js";
import type { ChunkPool } from "../input/chunk-pool.js";
import { formatInstant } from "../input/clock.js";
import type { InputError } from "../input/sources.js";
import { attemptJsonLine, attemptRecord } from "../output/attempt-record.js";
import { ATTEMPTS_TABLE_HEADER, attemptRow, attemptsTableFooter } from "../output/deliveries-table.js";
import { OutputBuffer } from "../output/buffer.js";
import { escapeTerminal } from "../output/escape.js";
import { jsonLine } from "../output/json.js";
import { analyse } from "../pipeline.js";
import { correlatorOptions } from "./analysis-options.js";
import type { DeliveriesArgs } from "./args.js";
import { AttemptFilter } from "./filter-options.js";
import { finishRun, readOptions, validateZone } from "./input-options.js";

/** `pool`: the workers withWorkersStarted started for this read, if any. */
export async function runDeliveries(args: DeliveriesArgs, pool: ChunkPool | null = null): Promise<number> {
  await validateZone(args.tz);
  const out = new OutputBuffer(process.stdout);
  const options = { ...(await correlatorOptions(args)), ...readOptions(args, pool), backpressure: () => out.drained };
  const table = args.format === "table";
  let count = 0;
  const kept: AttemptRecord[] = [];
  const print = (attempt: Attempt): void => {
    count++;
    if (args.explain) kept.push(attemptRecord(attempt));
    else out.line(table ? attemptRow(attemptRecord(attempt)) : attemptJsonLine(attempt));
  };
  const filter = new AttemptFilter(args, print);
  if (table) out.line(ATTEMPTS_TABLE_HEADER);
  const { read, outOfOrder } = await analyse(args.inputs, options, { attempt: filter.add });
  filter.finish();
  if (outOfOrder.first !== null) read.warnings.push(outOfOrderWarning(outOfOrder.count, outOfOrder.first));
  if (args.explain) {
    // The lines are read back from their files at the end: the reader keeps no text of the lines it used.
    const lines = await sourceLines(kept.flatMap((record) => record.source));
    const textOf = (ref: string): string | null => lines.get(ref) ?? null;
    for (const record of kept) {
      if (!table) {
        out.line(jsonLine({ ...record, lines: record.source.map((source) => ({ source, text: textOf(source) })) }));
        continue;
      }
      out.line(attemptRow(record));
      for (const ref of record.source) out.line(`    ${escapeTerminal(ref)}  ${escapeTerminal(textOf(ref) ?? "(line not available: standard input)")}`);
    }
  }
  if (table) out.line(attemptsTableFooter(count));
  await out.close();
  return finishRun(read, args);
}

/** The contract wants attempts in time order: say so when the log made that impossible. */
function outOfOrderWarning(count: number, first: Attempt): InputError {
  return {
    input: first.sources.length === 0 ? "(input)" : sourceFile(Math.min(...first.sources)),
    message: `${count} attempt${count === 1 ? "" : "s"} printed out of time order, the first one started ${formatInstant(first.startMs, first.utcKnown)}: the log's time goes back (another appliance's log after this one's in one stream?); name each appliance's files as inputs of their own`,
  };
}

/** Reads the referenced lines back from their files (standard input cannot be read twice). */
async function sourceLines(refs: string[]): Promise<Map<string, string>> {
  const wanted = new Map<string, Set<number>>();
  for (const ref of refs) {
    const colon = ref.lastIndexOf(":");
    const file = ref.slice(0, colon);
    if (file === "(stdin)") continue;
    const set = wanted.get(file) ?? new Set<number>();
    set.add(Number(ref.slice(colon + 1)));
    wanted.set(file, set);
  }
  const found = new Map<string, string>();
  for (const [file, numbers] of wanted) {
    const { decodedBytes } = await import("../input/sources.js");
    const { Readable } = await import("node:stream");
    let lineNo = 0;
    try {
      const reader = createInterface({ input: Readable.from(decodedBytes(createReadStream(file))), crlfDelay: Infinity });
      for await (const line of reader) {
        lineNo++;
        if (numbers.has(lineNo)) found.set(`${file}:${lineNo}`, line);
      }
    } catch {
      // The file changed or vanished since: the references stay without text.
    }
  }
  return found;
}
