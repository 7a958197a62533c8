// The whole chain for one run: input -> grammar -> events -> correlation. Commands call
// `analyse` with file names; callers with their own reader (alert --state / --follow) build an
// Analysis and feed it records themselves.
import { Correlator, type CorrelatorOptions } from "./correlate/correlator.js";
import type { Attempt, DnsLookup, ResolverStats } from "./correlate/types.js";
import type { LogEvent, Malformed, Unknown } from "./events/types.js";
import { readInputs, type ReadOptions, type ReadResult } from "./input/read.js";
import type { RecordSink } from "./input/records.js";

export interface AnalysisSinks {
  /** Each delivery attempt once it is closed, in the order attempts close. */
  attempt?: (attempt: Attempt) => void;
  /** Each DNS lookup once it is answered or given up. */
  lookup?: (lookup: DnsLookup) => void;
  event?: (event: LogEvent) => void;
  unknown?: (line: Unknown) => void;
  malformed?: (line: Malformed) => void;
}

export type AnalysisOptions = ReadOptions & CorrelatorOptions;

export class Analysis {
  private readonly correlator: Correlator;
  readonly records: RecordSink;

  constructor(options: CorrelatorOptions, sinks: AnalysisSinks) {
    this.correlator = new Correlator(options, { attempt: sinks.attempt, lookup: sinks.lookup });
    const correlator = this.correlator;
    this.records = {
      event: (event) => {
        sinks.event?.(event);
        correlator.push(event);
      },
      unknown: sinks.unknown,
      malformed: (line) => sinks.malformed?.(line),
      // Only attempts are emitted in time order (lookups go out as they are answered).
      beginInput: sinks.attempt === undefined ? undefined : (ms) => correlator.beginInput(ms),
    };
  }

  /** Sizes of the correlator's working state (for tests of bounded memory). */
  debugSizes(): ReturnType<Correlator["debugSizes"]> {
    return this.correlator.debugSizes();
  }

  /** Attempts emitted out of start order so far, and the first of them. */
  attemptsOutOfOrder(): { count: number; first: Attempt | null } {
    return this.correlator.attemptsOutOfOrder();
  }

  /** Closes every open attempt (flushing it to the sinks) and returns the resolver table. */
  finish(): ResolverStats[] {
    this.correlator.end();
    return this.correlator.resolverStats();
  }
}

export async function analyse(
  inputs: readonly string[],
  options: AnalysisOptions,
  sinks: AnalysisSinks,
): Promise<{ read: ReadResult; resolvers: ResolverStats[]; outOfOrder: { count: number; first: Attempt | null } }> {
  const analysis = new Analysis(options, sinks);
  const read = await readInputs(inputs, options, analysis.records);
  const resolvers = analysis.finish();
  return { read, resolvers, outOfOrder: analysis.attemptsOutOfOrder() };
}
