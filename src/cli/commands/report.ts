import type { CommandModule } from "yargs";
import { withAnalysisOptions, type AnalysisArgs } from "../analysis-options.js";
import { withInputOptions, type InputArgs } from "../input-options.js";

export interface ReportArgs extends InputArgs, AnalysisArgs {
  format: "table" | "json" | "csv" | "markdown" | "tlsrpt" | "prometheus" | "html";
  by: "domain" | "mx";
  top?: number | undefined;
  since?: string | undefined;
  until?: string | undefined;
  domain: string[];
  output?: string | undefined;
  org?: string | undefined;
  contact: string;
  /** html: time line bucket; callers in process may leave it out (5m). */
  bucket?: string | undefined;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: "report [inputs..]",
  describe: "Per-domain DANE report: successes, fallbacks, failures, Bogus answers, resolvers",
  builder: (yargs) =>
    withAnalysisOptions(withInputOptions(yargs))
      .option("format", {
        choices: ["table", "json", "csv", "markdown", "tlsrpt", "prometheus", "html"] as const,
        default: "table" as const,
        describe: "table for people; json, csv, markdown; tlsrpt: RFC 8460 reports, one JSON report per line (per UTC day and domain); prometheus: node_exporter textfile; html: one self-contained page with a time line",
      })
      .option("by", { choices: ["domain", "mx"] as const, default: "domain" as const, describe: "one row per recipient domain or per MX host" })
      .option("top", { type: "number", describe: "show only the N rows that need attention most (table and markdown; json, csv and prometheus keep every row)" })
      .option("since", { type: "string", describe: "only attempts from this time: ISO 8601 (UTC unless it says otherwise) or relative: 30m, 24h, 7d" })
      .option("until", { type: "string", describe: "only attempts before this time (same forms as --since)" })
      .option("domain", { type: "string", array: true, default: [] as string[], describe: "only attempts to these recipient domains (repeatable; * and ? globs, case-insensitive)" })
      .option("output", { type: "string", describe: "write to this file (atomically: a temporary file renamed into place)" })
      .option("org", { type: "string", describe: "tlsrpt organization-name (default: the appliance name, else esa-dane)" })
      .option("contact", { type: "string", default: "postmaster", describe: "tlsrpt contact-info" })
      .option("bucket", { type: "string", default: "5m", describe: "html: time line bucket (30s, 5m, 1h), also the alert episodes' bucket" })
      .example("$0 report samples/", "the report of the bundled samples")
      .example("$0 report /var/log/esa/ --format html --output dane.html", "a page to open in a browser or attach to a ticket")
      .example("$0 report /var/log/esa/ --since 24h --format prometheus --output /var/lib/node_exporter/esa_dane.prom", "a metrics file for node_exporter") as never,
  handler: async (args) => {
    const { runReport } = await import("../run-report.js");
    process.exitCode = await runReport(args);
  },
};
