import type { CommandModule } from "yargs";
import { withAnalysisOptions } from "../analysis-options.js";
import type { ReportArgs } from "../args.js";
import { withFilterOptions } from "../filter-options.js";
import { formatOption, withExamples } from "../help.js";
import { withInputOptions, withWorkersStarted } from "../input-options.js";

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: "report [inputs..]",
  describe: "Per-domain DANE report: successes, fallbacks, failures, Bogus answers, resolvers",
  builder: (yargs) =>
    withExamples(withFilterOptions(withAnalysisOptions(withInputOptions(yargs))), [
      ["the report of the bundled samples", "$0 report samples/"],
      ["a page to open in a browser or attach to a ticket", "$0 report logs/ --format html --output dane.html"],
      ["the last day of logs as a node_exporter textfile", "$0 report logs/ --since 24h --format prometheus --output esa_dane.prom"],
    ])
      .option(
        "format",
        formatOption(
          ["table", "json", "csv", "markdown", "tlsrpt", "prometheus", "html"] as const,
          "table",
          "table for people; json, csv, markdown; tlsrpt: RFC 8460 reports, one JSON report per line (per UTC day and domain); prometheus: node_exporter textfile; html: one self-contained page with a time line",
        ),
      )
      .option("by", { choices: ["domain", "mx"] as const, default: "domain" as const, describe: "one row per recipient domain or per MX host" })
      .option("top", {
        type: "number",
        describe: "table and markdown: the N rows that need attention most, and how many more (default on a terminal: 25; piped: all; 0: all). json, csv and prometheus keep every row",
      })
      .option("output", { type: "string", describe: "write to this file (atomically: a temporary file renamed into place)" })
      .option("org", { type: "string", describe: "tlsrpt organization-name (default: the appliance name, else esa-dane)" })
      .option("contact", { type: "string", default: "postmaster", describe: "tlsrpt contact-info" })
      .option("bucket", { type: "string", default: "5m", describe: "html: time line bucket (30s, 5m, 1h), also the alert episodes' bucket" }) as never,
  handler: async (args) => {
    await withWorkersStarted(args, async (pool) => {
      const { runReport } = await import("../run-report.js");
      process.exitCode = await runReport(args, pool);
    });
  },
};
