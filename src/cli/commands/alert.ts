import type { CommandModule } from "yargs";
import { withAnalysisOptions } from "../analysis-options.js";
import type { AlertArgs } from "../args.js";
import { withFilterOptions } from "../filter-options.js";
import { formatOption, withExamples } from "../help.js";
import { withInputOptions, withWorkersStarted } from "../input-options.js";

export const alertCommand: CommandModule<object, AlertArgs> = {
  command: "alert [inputs..]",
  describe: "Alert on Bogus spikes, resolver-wide or domain-specific (monitoring-plugin output and exit status)",
  builder: (yargs) =>
    withExamples(withFilterOptions(withAnalysisOptions(withInputOptions(yargs))), [
      ["from cron: only the new lines, exit status for the monitoring system", "$0 alert /var/log/esa/ --state /var/lib/esa-dane/alert.state"],
      ["watch live: alerts print as they fire", "$0 alert /var/log/esa/mail_logs_d.current --follow"],
    ])
      .option("bucket", { type: "string", default: "5m", describe: "time bucket of log time: 30s, 5m, 1h" })
      .option("min-count", { type: "number", default: 3, describe: "no alert for a bucket with fewer new Bogus answers than this" })
      .option("warning", { type: "number", default: 5, describe: "new Bogus answers per bucket for WARNING (a floor: the bucket must also be above --factor x baseline)" })
      .option("critical", { type: "number", default: 20, describe: "new Bogus answers per bucket for CRITICAL (a resolver-wide burst is CRITICAL at any size above --min-count)" })
      .option("factor", { type: "number", default: 4, describe: "a bucket must have more than this times the baseline to be above the rule" })
      .option("alpha", { type: "number", default: 0.3, describe: "weight of the newest quiet bucket in the baseline (EWMA of earlier buckets, frozen during an alert)" })
      .option("hold", { type: "number", default: 2, describe: "buckets a domain-specific condition must last before it fires (resolver-wide fires at once), and quiet buckets before an alert clears" })
      .option("chronic", { type: "string", default: "1h", describe: "a record Bogus this long without validating (or since it was first seen) is a standing condition: listed, not alerted on" })
      .option("stale", { type: "string", default: "1h", describe: "with --state: UNKNOWN when no new line came for this long (wall-clock time since a run last read one)" })
      .option("state", { type: "string", describe: "state file: read only the lines added since the last run (across rotation), and carry the detector over" })
      .option("follow", { type: "boolean", default: false, describe: "keep reading growing files (across rotation) and print alerts as they fire; stop with Ctrl-C / SIGTERM" })
      .option("poll-ms", { type: "number", default: 1000, describe: "with --follow: how often to look for new lines" })
      .option("format", formatOption(["text", "json"] as const, "text", "text: plugin output; json: one object per line per alert event (and per error)"))
      .option("verbose", { type: "boolean", default: false, describe: "print the time line of buckets: time, Bogus count, domains, baseline, level" })
      // A monitoring plugin's stderr is noise to most monitoring systems: no accounting unless asked.
      .default("stats", "none" as const)
      .epilogue(
        "Exit status (monitoring-plugin convention): 0 OK, 1 WARNING, 2 CRITICAL - the worst alert that fired or was still " +
          "active in the lines this run read (so a burst that fired and cleared between two cron runs is reported once) - " +
          "and 3 UNKNOWN when an input or the state file could not be read or written, for bad usage, or for a dead feed " +
          "(no line at all, or with --state no new line for longer than --stale). " +
          "Buckets are of log time, not of the clock: the same log gives the same alerts.",
      ) as never,
  handler: async (args) => {
    // --state and --follow read what is new since the last look, on this thread.
    const whole = !args.follow && args.state === undefined;
    await withWorkersStarted(whole ? args : { ...args, workers: 0 }, async (pool) => {
      const { runAlert } = await import("../run-alert.js");
      process.exitCode = await runAlert(args, pool);
    });
  },
};
