import type { CommandModule } from "yargs";
import { withAnalysisOptions, type AnalysisArgs } from "../analysis-options.js";
import { withInputOptions, type InputArgs } from "../input-options.js";

export interface DeliveriesArgs extends InputArgs, AnalysisArgs {
  format: "ndjson" | "table";
  explain: boolean;
}

export const deliveriesCommand: CommandModule<object, DeliveriesArgs> = {
  command: "deliveries [inputs..]",
  describe: "Rebuild each delivery attempt's DANE decision (NDJSON per the contract, or a table)",
  builder: (yargs) =>
    withAnalysisOptions(withInputOptions(yargs))
      .option("format", { choices: ["ndjson", "table"] as const, default: "ndjson" as const, describe: "output format" })
      .option("explain", { type: "boolean", default: false, describe: "print each attempt's evidence trail: the source lines" })
      .example("$0 deliveries samples/ --format table", "one row per attempt")
      .example("$0 deliveries mail_logs_d.current --mode mandatory --explain", "why each attempt got its decision") as never,
  handler: async (args) => {
    const { runDeliveries } = await import("../run-deliveries.js");
    process.exitCode = await runDeliveries(args);
  },
};
