// One pass over DNS lookups that sorts each Bogus answer into new (counts toward a spike) or
// standing (a chronically broken record), and tallies both with their context, per appliance.
// The detector feeds it lookup by lookup (and tallies its buckets from what it returns); the
// report feeds it the whole run. Both then attribute with the same function, so `alert` and
// `report` give the same verdict on the same answers.
import { attribute, hostTally, tallyBogus, tallyContext, type Attribution, type HostTallies, type LookupLike } from "./attribution.js";
import type { EpisodeReport } from "./detector.js";
import { BogusHistory, type ChronicRecord, type HistoryState, type Noted } from "./history.js";

export const DEFAULT_CHRONIC_MS = 3_600_000;

export interface LedgerVerdict {
  /** The new Bogus answers of the run (records that validated before), attributed; null when there were none. */
  fresh: Attribution | null;
  /** The standing ones (chronic records), attributed; null when there were none. */
  standing: Attribution | null;
  /** The records chronically Bogus at the end, longest first. */
  chronic: ChronicRecord[];
}

/** The Bogus answers of a run as the detector tells them (BogusDetector.verdict): what `report` says. */
export interface BogusVerdict {
  /** The alerts, worst first, as `alert` reports them. */
  episodes: EpisodeReport[];
  /** New Bogus answers outside any alert, attributed; null when there were none. */
  isolated: Attribution | null;
  standing: Attribution | null;
  chronic: ChronicRecord[];
}

export class BogusLedger {
  readonly history: BogusHistory;
  /** This run's new Bogus answers, with every lookup's context. */
  readonly fresh: HostTallies = {};
  /** This run's chronic Bogus answers, with every lookup's context. */
  readonly standing: HostTallies = {};

  /** `counted`: which lookups the tallies take (the history notes every one: what validated before still matters). */
  constructor(
    chronicMs = DEFAULT_CHRONIC_MS,
    state?: HistoryState,
    private readonly counted: (lookup: LookupLike & { startMs: number | null }) => boolean = () => true,
  ) {
    this.history = new BogusHistory(chronicMs, state);
  }

  /**
   * Notes and tallies one lookup; `freeze` as in BogusHistory.note. `alsoFresh`: tallies that
   * get the lookup's context and new Bogus answer too (the detector's bucket).
   */
  add(lookup: LookupLike & { startMs: number | null }, freeze = false, alsoFresh?: HostTallies): Noted {
    const facts = this.history.note(lookup, freeze);
    if (!this.counted(lookup)) return facts;
    const chronic = facts.bogusClass === "chronic";
    for (const tallies of alsoFresh === undefined ? [this.fresh, this.standing] : [this.fresh, this.standing, alsoFresh]) {
      const tally = hostTally(tallies, lookup.host);
      tallyContext(tally, lookup, facts);
      if (facts.bogusClass !== null && chronic === (tallies === this.standing)) tallyBogus(tally, lookup, facts);
    }
    return facts;
  }

  verdict(): LedgerVerdict {
    const attributed = (tallies: HostTallies) => {
      const attribution = attribute(tallies, null, this.history.secureEver);
      return attribution.bogus > 0 ? attribution : null;
    };
    return { fresh: attributed(this.fresh), standing: attributed(this.standing), chronic: this.history.chronic() };
  }
}
