// Help text that can be copied: each example is a `# what it does` line above a command short
// enough for an 80-column terminal, so no layout ever breaks a command in two.
import type { Argv } from "yargs";

/** The widest example command: 80 columns less yargs' indent and padding. */
export const MAX_EXAMPLE = 70;

export function withExamples<T>(yargs: Argv<T>, examples: readonly (readonly [description: string, command: string])[]): Argv<T> {
  let out = yargs;
  for (const [description, command] of examples) out = out.example(`# ${description}`, "").example(command, "");
  return out;
}

/** Edit distance, for "did you mean" suggestions of misspelt options. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** The known option nearest to a misspelt one (at most 2 edits, or a prefix of it), or null. */
export function nearestOption(unknown: string, known: readonly string[]): string | null {
  const word = unknown.replace(/^-+/, "");
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const option of known) {
    if (option.length <= 1) continue;
    const d = option.startsWith(word) && word.length >= 3 ? 1 : distance(word, option);
    if (d < bestDistance && d <= Math.max(1, Math.min(2, Math.floor(option.length / 3)))) {
      best = option;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Every command names its formats the same way: `table` or `text` for people (either name works
 * wherever one does), `json` for machines (`ndjson` for the same where the output is a stream of
 * objects). The aliases are mapped to the command's own name before yargs checks the choices.
 */
const FORMAT_ALIASES: Record<string, readonly string[]> = { table: ["text"], text: ["table"], json: ["ndjson"], ndjson: ["json"] };

export function formatOption<const Choices extends readonly string[]>(choices: Choices, defaultChoice: Choices[number], describe: string) {
  const aliasOf = new Map<string, Choices[number]>();
  for (const choice of choices) for (const alias of FORMAT_ALIASES[choice] ?? []) if (!choices.includes(alias)) aliasOf.set(alias, choice);
  const aliasText = [...aliasOf].map(([alias, choice]) => `${alias} = ${choice}`).join(", ");
  return {
    choices,
    default: defaultChoice,
    type: "string",
    describe: aliasText === "" ? describe : `${describe} (also: ${aliasText})`,
    coerce: (value: string): Choices[number] => {
      const lower = value.toLowerCase();
      return (aliasOf.get(lower) ?? lower) as Choices[number];
    },
  } as const;
}
