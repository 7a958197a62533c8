// Chevrotain, loaded from the single-file build its package ships (lib/chevrotain.mjs: the same
// version and code). The package's entry point is a tree of ES modules that imports lodash-es
// file by file: about 530 ms to load on the project machine, against 30 ms for the bundle. Every
// command that reads logs, every worker thread and every cron run of `esa-dane alert` pays it at
// start. The package's "exports" do not list the bundle, hence the path from the resolved entry;
// should a future layout lack it, the entry point is used.
//
// Everything in esa-dane imports Chevrotain from here: tokens made by one copy of Chevrotain
// and a parser of another would not know each other.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as ChevrotainModule from "chevrotain";

function bundlePath(): string | null {
  try {
    // The entry point is lib/src/api.js; the bundle is lib/chevrotain.mjs.
    const entry = createRequire(import.meta.url).resolve("chevrotain");
    const bundle = join(dirname(entry), "..", "chevrotain.mjs");
    return existsSync(bundle) ? bundle : null;
  } catch {
    return null;
  }
}

const bundle = bundlePath();

/** What was loaded: the bundle's path, or "chevrotain" for the package entry point. */
export const chevrotainSource = bundle ?? "chevrotain";

const chevrotain = (await import(bundle === null ? "chevrotain" : pathToFileURL(bundle).href)) as typeof ChevrotainModule;

export const { createToken, createTokenInstance, createSyntaxDiagramsCode, EmbeddedActionsParser, EOF, Lexer } = chevrotain;
export type { IOrAlt, IToken, TokenType } from "chevrotain";
