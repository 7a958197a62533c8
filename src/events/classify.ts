// Decides what a message is: the grammar reads it (grammars/parser.ts), choosing its rule from
// the message's first tokens. Messages of families esa-dane does not model are `unknown`; most
// lines of a real mail log are, and most of those are never lexed (they do not start with the
// text of any head's tokens: see mayStartWithHead).
import { parseMessage, parseMessages, type MessageParse } from "../../grammars/parser.js";

export type MessageOutcome = MessageParse;

/**
 * A short name for a line shape nobody modelled: its first words, numbers as N, so that
 * `--unknown` and the statistics group lines like `MID 123 using engine: CASE spam negative`.
 */
export function familyOf(message: string): string {
  if (message.length === 0) return "(blank)";
  const words = message.slice(0, 120).split(/\s+/, 3);
  return words
    .map((w) => {
      if (/^\d+$/.test(w)) return "N";
      const cut = w.split("|")[0]!;
      return cut.length > 24 ? `${cut.slice(0, 24)}…` : cut;
    })
    .join(" ")
    .trim();
}

/** Classifies one message (the text after `Level: `). Pure: the same text gives the same outcome. */
export function classifyMessage(message: string): MessageOutcome {
  return parseMessage(message);
}

/** Classifies messages together (one lexer call for the lot): the same outcomes as classifyMessage on each. */
export function classifyMessages(messages: readonly string[]): MessageOutcome[] {
  return parseMessages(messages);
}
