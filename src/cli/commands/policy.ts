// `esa-dane policy` prints Cisco's DANE policy table; `esa-dane policy explain` replays it for one
// set of inputs, the same way the replay of a log does, and says why. Neither reads logs, so
// neither loads the grammar; the renderer (cli-table3) is loaded in the handlers only.

import type { Argv, CommandModule } from "yargs";
import type { PolicyInput } from "../../policy/evaluate.js";
import type { Mode } from "../../policy/table.js";
import { formatOption } from "../help.js";

// Kept literal here rather than imported so that building the command line loads no policy code.
// test/policy.format.test.ts checks they match POLICY_INPUT_VALUES.
export const EXPLAIN_CHOICES = {
  mode: ["unknown", "mandatory", "opportunistic"],
  mx: ["secure", "insecure", "bogus", "nxdomain", "unknown"],
  a: ["secure", "insecure", "bogus", "nxdomain", "unknown"],
  tlsa: ["secure", "insecure", "bogus", "nxdomain", "unknown"],
  cert: ["success", "failed", "unknown"],
} as const;

interface PolicyTablesArgs {
  format: "table" | "json" | "markdown";
}

interface PolicyExplainArgs extends PolicyInput {
  mode: Mode | "unknown";
  format: "text" | "json";
}

// The appliance and the tech note write these values capitalised (SECURE, Secure); accept any case.
// The cast only names the type; yargs checks the value against `choices` after coercing it.
function lowerCase<Choice extends string>(value: string): Choice {
  return value.toLowerCase() as Choice;
}

function inputOption<const Choices extends readonly string[]>(description: string, choices: Choices) {
  return {
    describe: description,
    choices,
    default: "unknown" as Choices[number],
    coerce: lowerCase<Choices[number]>,
    type: "string",
  } as const;
}

const explainCommand: CommandModule<object, PolicyExplainArgs> = {
  command: "explain",
  describe: "Replay the policy table for given lookup results and say which rows apply and why",
  builder: (yargs: Argv<object>): Argv<PolicyExplainArgs> =>
    yargs
      .option("mode", {
        describe: "DANE Support setting of the destination (unknown: explain each mode; 'both' is read as unknown)",
        choices: EXPLAIN_CHOICES.mode,
        default: "unknown" as const,
        // `both` was this option's name for unknown before every command said unknown.
        coerce: (value: string) => (value.toLowerCase() === "both" ? "unknown" : lowerCase<(typeof EXPLAIN_CHOICES.mode)[number]>(value)),
        type: "string",
      })
      .option("mx", inputOption("Classification of the MX lookup", EXPLAIN_CHOICES.mx))
      .option("a", inputOption("Classification of the A/AAAA lookup of the MX host", EXPLAIN_CHOICES.a))
      .option("tlsa", inputOption("Classification of the TLSA lookup", EXPLAIN_CHOICES.tlsa))
      .option("cert", inputOption("Certificate check against the TLSA records", EXPLAIN_CHOICES.cert))
      .option("format", formatOption(["text", "json"] as const, "text", "json: one object, or an object keyed by mode with --mode unknown"))
      .example("# ietf.org with no TLS line: undetermined", "")
      .example("$0 policy explain --mx secure -a secure --tlsa secure", "")
      .example("# thinkbeyond.ch: row O12", "")
      .example("$0 policy explain --mode opportunistic --mx insecure -a insecure", "")
      .epilogue("An input left out is unknown and stands for every value it could have."),
  handler: async (args) => {
    const { evaluatePolicy } = await import("../../policy/evaluate.js");
    const { explainEvaluations, explanationJson } = await import("../../policy/format.js");
    const input: PolicyInput = { mx: args.mx, a: args.a, tlsa: args.tlsa, cert: args.cert };
    const modes: Mode[] = args.mode === "unknown" ? ["mandatory", "opportunistic"] : [args.mode];
    const results = modes.map((mode) => evaluatePolicy(mode, input));
    if (args.format === "json") {
      const explanations = results.map((result) => explanationJson(input, result));
      const output =
        args.mode === "unknown" ? Object.fromEntries(explanations.map((explanation) => [explanation.mode, explanation])) : explanations[0];
      const { jsonDocument } = await import("../../output/json.js");
      process.stdout.write(jsonDocument(output));
    } else {
      process.stdout.write(explainEvaluations(input, results));
    }
  },
};

export const policyCommand: CommandModule<object, PolicyTablesArgs> = {
  command: "policy",
  describe: "Print Cisco's DANE policy tables (Mandatory M1-M15, Opportunistic O1-O14); 'policy explain' replays them",
  builder: (yargs: Argv<object>): Argv<PolicyTablesArgs> =>
    yargs
      .command(explainCommand)
      .option("format", {
        ...formatOption(["table", "json", "markdown"] as const, "table", "Output format"),
        // Not inherited by `policy explain`, whose --format has other choices.
        global: false,
      }),
  handler: async (args) => {
    const { renderPolicyTables } = await import("../../policy/format.js");
    process.stdout.write(renderPolicyTables(args.format));
  },
};
