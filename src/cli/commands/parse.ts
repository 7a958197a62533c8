import type { CommandModule } from "yargs";
import type { ParseArgs } from "../args.js";
import { withExamples } from "../help.js";
import { withInputOptions } from "../input-options.js";

export const parseCommand: CommandModule<object, ParseArgs> = {
  command: "parse [inputs..]",
  describe: "Print every modelled line as a typed event (NDJSON); --unknown lists the lines not modelled",
  builder: (yargs) =>
    withExamples(withInputOptions(yargs), [
      ["the events of the bundled samples as NDJSON", "$0 parse samples/"],
      ["the lines esa-dane does not read", "$0 parse --unknown mail_logs_d.current"],
    ])
      .option("unknown", { type: "boolean", default: false, describe: "print only the lines not modelled (and malformed ones), as file:line: [family] text" })
      .option("max-malformed", { type: "number", default: 20, describe: "malformed lines to describe on stderr (the rest are counted)" }) as never,
  handler: async (args) => {
    const { runParse } = await import("../run-parse.js");
    process.exitCode = await runParse(args);
  },
};
