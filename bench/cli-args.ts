// The command lines of the bench scripts (gen-corpus, gen-truth, score-fidelity): strict options
// (an unknown or incomplete one is a usage error, never a silent default), `--help`, and one way
// of ending: the message on stderr, a pointer to --help for usage errors, exit status 1.
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parses `argv` against `options` (plus -h/--help); throws UsageError on anything unknown. */
export function parseOptions<T extends Options>(argv: string[], options: T, positionals = false) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: positionals, options: { ...options, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The whole number an option gives, at least `min`; `fallback` when the option is absent. */
export function wholeNumber(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min) throw new UsageError(`--${name}: expected a whole number >= ${min}, got '${text}'`);
  return n;
}

/** The npm script that runs each bench script, for the pointer to --help. */
const NPM_SCRIPTS: Record<string, string> = { "gen-corpus": "gen:corpus", "gen-truth": "gen:truth", "score-fidelity": "fidelity", bench: "bench" };

/** Runs a script's main when the file is the one node was started with. */
export function runScript(meta: ImportMeta, script: string, main: (argv: string[]) => Promise<void> | void): void {
  if (meta.url !== `file://${process.argv[1]}`) return;
  Promise.resolve()
    .then(() => main(process.argv.slice(2)))
    .catch((error: unknown) => {
      process.stderr.write(`${script}: ${error instanceof Error ? error.message : String(error)}\n`);
      if (error instanceof UsageError) process.stderr.write(`try: npm run ${NPM_SCRIPTS[script] ?? script} -- --help\n`);
      process.exitCode = 1;
    });
}
