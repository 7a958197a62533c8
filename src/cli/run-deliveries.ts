// `esa-dane deliveries`: one line per delivery attempt, as the contract has it.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Attempt } from "../correlate/types.js";
import { attemptRecord } from "../output/attempt-record.js";
import { attemptsTable } from "../output/deliveries-table.js";
import { OutputBuffer } from "../output/buffer.js";
import { escapeTerminal } from "../output/escape.js";
import { analyse } from "../pipeline.js";
import { correlatorOptions } from "./analysis-options.js";
import type { DeliveriesArgs } from "./commands/deliveries.js";
import { finishRun, validateZone } from "./input-options.js";

export async function runDeliveries(args: DeliveriesArgs): Promise<number> {
  await validateZone(args.tz);
  const options = { ...(await correlatorOptions(args)), host: args.host, zone: args.tz, year: args.year, workers: args.workers, backpressure: () => out.drained };
  const out = new OutputBuffer(process.stdout);
  const kept: Attempt[] = [];
  const { read } = await analyse(args.inputs, options, {
    attempt: (attempt) => {
      if (args.format === "ndjson" && !args.explain) out.line(JSON.stringify(attemptRecord(attempt)));
      else kept.push(attempt);
    },
  });
  if (args.format === "table") out.line(attemptsTable(kept, process.stdout.columns));
  if (args.explain) {
    const records = kept.map(attemptRecord);
    const lines = await sourceLines(records.flatMap((r) => r.source));
    for (const record of records) {
      if (args.format === "ndjson") out.line(JSON.stringify(record));
      else out.line(`${escapeTerminal(record.domain ?? "(unknown domain)")} DCID ${record.dcid ?? "-"}: ${record.decision}${record.row ? ` (${record.row})` : ""}`);
      for (const ref of record.source) out.line(`    ${escapeTerminal(ref)}  ${escapeTerminal(lines.get(ref) ?? "(line not available: standard input)")}`);
    }
  }
  await out.close();
  return finishRun(read, args);
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
