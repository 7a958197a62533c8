// `esa-dane parse`: events as NDJSON, or with --unknown the lines esa-dane does not model.
import { readInputs } from "../input/read.js";
import type { Malformed } from "../events/types.js";
import { eventToJson } from "../output/events-json.js";
import { escapeTerminal } from "../output/escape.js";
import { OutputBuffer } from "../output/buffer.js";
import type { ParseArgs } from "./args.js";
import { finishRun, readOptions, validateZone } from "./input-options.js";

export async function runParse(args: ParseArgs): Promise<number> {
  await validateZone(args.tz);
  const out = new OutputBuffer(process.stdout);
  let malformedShown = 0;
  let malformedTotal = 0;
  const describeMalformed = (m: Malformed) => {
    malformedTotal++;
    if (malformedShown++ < args["max-malformed"]) {
      process.stderr.write(`${escapeTerminal(m.file)}:${m.line}: malformed ${m.family} (${m.code}): ${escapeTerminal(m.message)}\n`);
    }
  };
  // One thread unless asked: parse does no correlation for a worker to run beside, and the hop
  // cost 40 % more CPU for the same time (100 MB corpus, medians of 3).
  const options = readOptions(args);
  const result = await readInputs(args.inputs, { ...options, workers: options.workers ?? 0, backpressure: () => out.drained }, {
    event: (event) => {
      if (!args.unknown) out.line(eventToJson(event));
    },
    unknown: (u) => {
      if (args.unknown) out.line(`${escapeTerminal(u.file)}:${u.line}: [${escapeTerminal(u.family)}] ${escapeTerminal(u.text)}`);
    },
    malformed: (m) => {
      describeMalformed(m);
      if (args.unknown) out.line(`${escapeTerminal(m.file)}:${m.line}: [malformed ${m.family} ${m.code}] ${escapeTerminal(m.text)}`);
    },
  });
  await out.close();
  if (malformedTotal > malformedShown) process.stderr.write(`esa-dane: ${malformedTotal - args["max-malformed"]} more malformed lines not described\n`);
  return finishRun(result, args);
}
