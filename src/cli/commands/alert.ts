import type { CommandModule } from "yargs";
import { withAnalysisOptions } from "../analysis-options.js";
import type { AlertArgs } from "../args.js";
import { formatOption, withExamples } from "../help.js";
import { withInputOptions } from "../input-options.js";

export const alertCommand: CommandModule<object, AlertArgs> = {
  command: "alert [inputs..]",
  describe: "Alert on Bogus spikes, resolver-wide or domain-specific (monitoring-plugin output and exit status)",
  builder: (yargs) =>
    withExamples(withAnalysisOptions(withInputOptions(yargs)), [
      ["from cron: only the new lines, exit status for the monitoring system", "$0 alert /var/log/esa/ --state /var/lib/esa-dane/alert.state"],
      ["watch live: alerts print as they fire", "$0 alert /var/log/esa/mail_logs_d.current --follow"],
    ])
      .option("bucket", { type: "string", default: "5m", describe: "time bucket of log time: 30s, 5m, 1h" })
      .option("min-count", { type: "number", default: 3, describe: "no alert for a bucket with fewer Bogus lookups than this" })
      .option("warning", { type: "number", default: 5, describe: "Bogus lookups per bucket for WARNING" })
      .option("critical", { type: "number", default: 20, describe: "Bogus lookups per bucket for CRITICAL" })
      .option("factor", { type: "number", default: 4, describe: "WARNING also when a bucket has more than this times the baseline" })
      .option("alpha", { type: "number", default: 0.3, describe: "weight of the newest bucket in the baseline (EWMA of earlier buckets)" })
      .option("hold", { type: "number", default: 2, describe: "buckets a condition must last before an alert fires, and quiet buckets before it clears" })
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
          "and 3 UNKNOWN when an input or the state file could not be read or written, or for bad usage. " +
          "Buckets are of log time, not of the clock: the same log gives the same alerts.",
      ) as never,
  handler: async (args) => {
    const { runAlert } = await import("../run-alert.js");
    process.exitCode = await runAlert(args);
  },
};
