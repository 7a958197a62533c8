// Placeholder API while correlation is written; see types.ts for the output.
import type { LogEvent } from "../events/types.js";
import type { Attempt, DnsLookup, ModeSetting, ResolverStats } from "./types.js";
import type { DestinationControls } from "./destination-controls.js";

export interface CorrelatorOptions {
  /** Mode for domains the destination controls do not name (default `unknown`). */
  mode?: ModeSetting | undefined;
  destinationControls?: DestinationControls | undefined;
  /** An attempt with no line for this long is closed (default 300 s). */
  quietSeconds?: number | undefined;
}

export interface CorrelatorSinks {
  attempt?: ((attempt: Attempt) => void) | undefined;
  lookup?: ((lookup: DnsLookup) => void) | undefined;
}

export class Correlator {
  constructor(
    readonly options: CorrelatorOptions,
    readonly sinks: CorrelatorSinks,
  ) {}
  push(_event: LogEvent): void {}
  end(): void {}
  resolverStats(): ResolverStats[] {
    return [];
  }
}
