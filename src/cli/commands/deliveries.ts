import type { CommandModule } from "yargs";
import { withAnalysisOptions } from "../analysis-options.js";
import type { DeliveriesArgs } from "../args.js";
import { withFilterOptions } from "../filter-options.js";
import { formatOption, withExamples } from "../help.js";
import { withInputOptions, withWorkersStarted } from "../input-options.js";

export const deliveriesCommand: CommandModule<object, DeliveriesArgs> = {
  command: "deliveries [inputs..]",
  describe: "Rebuild each delivery attempt's DANE decision (NDJSON per the contract, or a table)",
  builder: (yargs) =>
    withExamples(withFilterOptions(withAnalysisOptions(withInputOptions(yargs))), [
      ["one row per attempt, for people", "$0 deliveries samples/ --format table"],
      ["everything about one domain, with the log lines behind each decision", "$0 deliveries /var/log/esa/ --domain example.com --explain"],
    ])
      .option("format", formatOption(["ndjson", "table"] as const, "ndjson", "ndjson: one JSON object per attempt (the contract); table: one row per attempt, for people"))
      .option("explain", { type: "boolean", default: false, describe: "print each attempt's evidence trail: the source lines" }) as never,
  handler: async (args) => {
    await withWorkersStarted(args, async (pool) => {
      const { runDeliveries } = await import("../run-deliveries.js");
      process.exitCode = await runDeliveries(args, pool);
    });
  },
};
