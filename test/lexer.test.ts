// The lexer is built once with Chevrotain's first-character optimisation, and stays total.
import { describe, expect, it } from "vitest";
import { chevrotainSource, EmbeddedActionsParser } from "../grammars/chevrotain.js";
import { buildLexer, esaLexer, esaParser, EsaLogParser, ENTRY_RULES } from "../grammars/parser.js";

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
