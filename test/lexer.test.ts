// The lexer is built once with Chevrotain's first-character optimisation, and stays total.
import { describe, expect, it } from "vitest";
import { chevrotainSource, EmbeddedActionsParser, Lexer } from "../grammars/chevrotain.js";
import fc from "fast-check";
import type { TokenType } from "../grammars/chevrotain.js";
import { allTokens, Integer, Newline, PlainWord } from "../grammars/tokens.js";
import { buildLexer, entryRuleOf, esaLexer, esaParser, EsaLogParser, ENTRY_HEADS, ENTRY_RULES, mayStartWithHead } from "../grammars/parser.js";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readPrefix } from "../src/input/prefix.js";
import { PUBLIC_SAMPLES, ROOT } from "./helpers/cli.js";
import { ESA_FRAGMENTS } from "./helpers/fragments.js";

describe("lexer", () => {
  it("runs on Chevrotain's single-file build (its package entry takes half a second to load)", () => {
    expect(chevrotainSource.replaceAll("\\", "/")).toMatch(/\/chevrotain\/lib\/chevrotain\.mjs$/);
    expect(esaParser).toBeInstanceOf(EmbeddedActionsParser);
  });
  it("has the first-character optimisation on (built with ensureOptimizations, which throws otherwise)", () => {
    const lexer = esaLexer as unknown as { canModeBeOptimized: Record<string, boolean>; config: { ensureOptimizations: boolean } };
    expect(lexer.config.ensureOptimizations).toBe(true);
    expect(Object.values(lexer.canModeBeOptimized)).toEqual([true]);
  });
  it("never fails to lex: stray characters become tokens the parser refuses", () => {
    const result = esaLexer.tokenize("DNS query: Q('unterminated, <, \u0000, \u001b[31m, é ✓)");
    expect(result.errors).toEqual([]);
    expect(result.tokens.length).toBeGreaterThan(5);
  });
  it("has an entry rule for each modelled family, and passes Chevrotain's checks of tokens and grammar", () => {
    const rules = esaParser.getGAstProductions();
    for (const rule of ENTRY_RULES) expect(rules[rule]).toBeDefined();
    // The shared instances skip the checks at start-up: validated ones are built here (each
    // throws on a definition error, an ambiguity for one).
    expect(() => buildLexer(true)).not.toThrow();
    expect(new EsaLogParser(true).definitionErrors).toEqual([]);
  });
  it("lexes every fixed text as its own token, and a keyword with more letters as a plain word, in the order of trial", () => {
    // The order of allTokens is the order of trial (most frequent first): it must never let a
    // keyword take the start of a head (`Received` of `Received an invalid ...`) or of a word.
    const fixed = allTokens.filter((type) => typeof type.PATTERN === "string" && type.GROUP !== Lexer.SKIPPED && type !== Newline);
    expect(fixed.length).toBeGreaterThan(50);
    for (const type of fixed) {
      const text = type.PATTERN as string;
      for (const after of ["", " x", ")", ",", ":"]) {
        const tokens = esaLexer.tokenize(text + after).tokens;
        expect(tokens[0]!.tokenType, `${JSON.stringify(text + after)}`).toBe(type);
        expect(tokens[0]!.image).toBe(text);
      }
      if (/^\w+$/.test(text)) expect(esaLexer.tokenize(`${text}x`).tokens.map((t) => t.tokenType)).toEqual([PlainWord]);
    }
  });
});

describe("messages not worth lexing", () => {
  // The lexer only ever runs on messages mayStartWithHead lets through: it must let through
  // every message the grammar would give an entry rule.
  const headRule = (message: string) => {
    const tokens = esaLexer.tokenize(message).tokens;
    return entryRuleOf(tokens, 0, tokens.length, 0);
  };
  it("are those no head can start", () => {
    // A head's own tokens, a number for Integer and a word for a category, then any text.
    const example = (head: readonly TokenType[]) => head.map((type) => (type === Integer ? "7" : typeof type.PATTERN === "string" ? type.PATTERN : "x")).join(" ");
    for (const { head } of ENTRY_HEADS) {
      expect(mayStartWithHead(`${example(head)} x`), example(head)).toBe(true);
      // Other blanks, and runs of them, between a head's tokens.
      const blanks = example(head).replace(/^(\S+) 7/, "$1\t 7");
      expect(headRule(blanks), blanks).not.toBeNull();
      expect(mayStartWithHead(blanks), blanks).toBe(true);
    }
    // Lines of families not modelled that share a head's first word are not lexed either.
    expect(mayStartWithHead("MID 1449 using engine: CASE spam negative")).toBe(false);
    expect(mayStartWithHead("MID 1449 ICID 900002 Subject 'DANE test'")).toBe(false);
    expect(mayStartWithHead("DCID 30 close")).toBe(true);
    expect(mayStartWithHead("ICID 900002 RELAY SG RELAYLIST match 10.0.2.0/24 SBRS not enabled")).toBe(false);
    expect(mayStartWithHead("New SMTP ICID 900002 interface Data 1 (10.0.3.10) address 10.0.2.2")).toBe(false);
    expect(mayStartWithHead(" DNS query: Q('a', 'MX')")).toBe(false);
    expect(headRule(" DNS query: Q('a', 'MX')")).toBeNull();
    expect(mayStartWithHead("")).toBe(false);
  });
  it("include every message of the samples and the public samples that the grammar has a rule for", () => {
    const files = [
      ...readdirSync(join(ROOT, "samples")).filter((f) => !f.endsWith(".md") && !f.endsWith(".png")).map((f) => join(ROOT, "samples", f)),
      ...readdirSync(PUBLIC_SAMPLES).map((f) => join(PUBLIC_SAMPLES, f)),
    ];
    let withRule = 0;
    for (const file of files) {
      for (const line of readFileSync(file, "utf8").split("\n")) {
        const prefix = readPrefix(line);
        if (prefix === null || "invalid" in prefix) continue;
        const message = line.slice(prefix.messageStart);
        if (headRule(message) === null) continue;
        withRule++;
        expect(mayStartWithHead(message), `${file}: ${message}`).toBe(true);
      }
    }
    expect(withRule).toBeGreaterThan(500);
  });
  it("never include a message the grammar has a rule for", () => {
    const word = fc.oneof(fc.constantFrom(...ESA_FRAGMENTS), fc.constantFrom("MID", "MIDS", "DCI", "DCID", "New SMTP", "Rec", "ICID", " ", "1", "x", "\t", "-3", "12L", " RID ", "To", "From", ":", "[", "queued for delivery", "close", "TLS success"), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 10 }), (parts) => {
        const message = parts.join("");
        if (!mayStartWithHead(message)) expect(headRule(message)).toBeNull();
      }),
      { numRuns: 3000 },
    );
  });
});

describe("grammar documentation", () => {
  it("has a generated note for every line family and a self-contained railroad diagram", async () => {
    const { readFileSync } = await import("node:fs");
    const notes = readFileSync("grammars/NOTES.md", "utf8");
    for (const rule of ENTRY_RULES) expect(notes).toContain(`## ${rule}\n`);
    // Notes are the rules' doc comments, never code that lies between two comments.
    expect(notes).not.toMatch(/^\s*(private|public|const|function|class|export) |this\.(OR|MANY|CONSUME)/m);
    const diagram = readFileSync("grammars/diagram.html", "utf8");
    expect(diagram).toContain("drawDiagramsFromSerializedGrammar");
    expect(diagram).not.toMatch(/<script src=/);
    for (const rule of ENTRY_RULES) expect(diagram).toContain(`"name": "${rule}"`);
  });
});
