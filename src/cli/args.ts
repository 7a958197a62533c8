// The arguments of each command, as yargs hands them to its handler. Here rather than beside the
// commands so that a command's implementation (run-*.ts) and its declaration (commands/*.ts)
// both depend on this module, and not on each other.
import type { DetectorArgs } from "../alert/options.js";
import type { AnalysisArgs } from "./analysis-options.js";
import type { FilterArgs } from "./filter-options.js";
import type { InputArgs } from "./input-options.js";

export interface ReportArgs extends InputArgs, AnalysisArgs, FilterArgs {
  format: "table" | "json" | "csv" | "markdown" | "tlsrpt" | "prometheus" | "html";
  by: "domain" | "mx";
  top?: number | undefined;
  output?: string | undefined;
  org?: string | undefined;
  contact: string;
  /** html: time line bucket; callers in process may leave it out (5m). */
  bucket?: string | undefined;
}

export interface DeliveriesArgs extends InputArgs, AnalysisArgs, FilterArgs {
  format: "ndjson" | "table";
  explain: boolean;
}

export interface AlertArgs extends InputArgs, AnalysisArgs, DetectorArgs, FilterArgs {
  state?: string | undefined;
  follow: boolean;
  "poll-ms": number;
  format: "text" | "json";
  verbose: boolean;
  stale: string;
}

export interface ParseArgs extends InputArgs {
  unknown: boolean;
  "max-malformed": number;
}
