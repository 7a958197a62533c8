import type { CommandModule } from "yargs";
import { withAnalysisOptions, type AnalysisArgs } from "../analysis-options.js";
import { withInputOptions, type InputArgs } from "../input-options.js";

export interface AlertArgs extends InputArgs, AnalysisArgs {
  bucket: string;
  "min-count": number;
  warning: number;
  critical: number;
  factor: number;
  alpha: number;
  hold: number;
  state?: string | undefined;
  follow: boolean;
  "poll-ms": number;
  format: "text" | "json";
  verbose: boolean;
}

export const alertCommand: CommandModule<object, AlertArgs> = {
  command: "alert [inputs..]",
  describe: "Alert on Bogus spikes (monitoring-plugin output and exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)",
  builder: (yargs) =>
    withAnalysisOptions(withInputOptions(yargs))
      .option("bucket", { type: "string", default: "5m", describe: "time bucket of log time: 30s, 5m, 1h" })
      .option("min-count", { type: "number", default: 3, describe: "no alert for a bucket with fewer Bogus lookups than this" })
      .option("warning", { type: "number", default: 5, describe: "Bogus lookups per bucket for WARNING" })
      .option("critical", { type: "number", default: 20, describe: "Bogus lookups per bucket for CRITICAL" })
      .option("factor", { type: "number", default: 4, describe: "WARNING also when a bucket has more than this times the baseline" })
      .option("alpha", { type: "number", default: 0.3, describe: "weight of the newest bucket in the baseline (EWMA)" })
      .option("hold", { type: "number", default: 2, describe: "buckets a condition must last before an alert fires, or clears" })
      .option("state", { type: "string", describe: "state file: read only lines new since the last run, and carry the detector over" })
      .option("follow", { type: "boolean", default: false, describe: "keep reading growing files (across rotation) and print alerts as they fire" })
      .option("poll-ms", { type: "number", default: 1000, describe: "with --follow: how often to look for new lines" })
      .option("format", { choices: ["text", "json"] as const, default: "text" as const, describe: "text: plugin output; json: one object per alert event" })
      .option("verbose", { type: "boolean", default: false, describe: "print the time line of buckets" })
      .example("$0 alert /var/log/esa/mail_logs_d.current --state /var/lib/esa-dane/alert.state", "from cron: only new lines, exit status for the monitoring system") as never,
  handler: async (args) => {
    const { runAlert } = await import("../run-alert.js");
    process.exitCode = await runAlert(args);
  },
};
