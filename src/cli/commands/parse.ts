import type { CommandModule } from "yargs";
import { withInputOptions, type InputArgs } from "../input-options.js";

interface ParseArgs extends InputArgs {
  unknown: boolean;
  "max-malformed": number;
}

export const parseCommand: CommandModule<object, ParseArgs> = {
  command: "parse [inputs..]",
  describe: "Print every modelled line as a typed event (NDJSON); --unknown lists the lines not modelled",
  builder: (yargs) =>
    withInputOptions(yargs)
      .option("unknown", { type: "boolean", default: false, describe: "print only the lines not modelled (and malformed ones), as file:line: [family] text" })
      .option("max-malformed", { type: "number", default: 20, describe: "malformed lines to describe on stderr (the rest are counted)" })
      .example("$0 parse samples/", "events of the bundled samples as NDJSON")
      .example("$0 parse --unknown mail_logs_d.current", "what esa-dane does not read yet") as never,
  handler: async (args) => {
    const { runParse } = await import("../run-parse.js");
    process.exitCode = await runParse(args);
  },
};
