// Exhaustive checks of the evaluator against expectations written by hand from the tech note
// (Cisco 214794, "DANE Opportunistic or DANE Mandatory"), without reading src/policy/table.ts:
//  - GRID: the expected row and action of every one of the 72 known combinations per mode;
//  - ruleOfTheNote: the same actions stated as the note's logic, to catch slips in GRID;
//  - oracle: what the evaluator must say for any input with unknowns, computed from GRID by
//    trying every value (a different procedure from the evaluator's).
import { describe, expect, it } from "vitest";
import { evaluateBothModes, evaluatePolicy, type PolicyInput, type PolicyInputName } from "../src/policy/evaluate.js";

type ModeName = "mandatory" | "opportunistic";
type ActionName = "dane-success" | "dane-fail" | "tls-fallback";

const MODES: ModeName[] = ["mandatory", "opportunistic"];
const ACTION_ORDER: ActionName[] = ["dane-success", "dane-fail", "tls-fallback"];
const INPUT_ORDER: PolicyInputName[] = ["mx", "a", "tlsa", "cert"];
const KNOWN_VALUES: Record<PolicyInputName, string[]> = {
  mx: ["secure", "insecure", "bogus"],
  a: ["secure", "insecure", "bogus"],
  tlsa: ["secure", "insecure", "bogus", "nxdomain"],
  cert: ["success", "failed"],
};

// One line per (MX, A, TLSA), then the row and action for certificate Success and for Failed.
// S Secure, I Insecure, B Bogus, N NXDOMAIN; OK DANE Success, FAIL DANE Fail, TLS fallback to TLS.
const GRID_TEXT: Record<ModeName, string> = {
  mandatory: `
    S S S  M1:OK    M2:FAIL
    S S I  M3:FAIL  M3:FAIL
    S S B  M5:FAIL  M5:FAIL
    S S N  M4:FAIL  M4:FAIL
    S I S  M6:FAIL  M6:FAIL
    S I I  M6:FAIL  M6:FAIL
    S I B  M6:FAIL  M6:FAIL
    S I N  M6:FAIL  M6:FAIL
    S B S  M7:FAIL  M7:FAIL
    S B I  M7:FAIL  M7:FAIL
    S B B  M7:FAIL  M7:FAIL
    S B N  M7:FAIL  M7:FAIL
    I S S  M8:FAIL  M9:FAIL
    I S I  M10:FAIL M10:FAIL
    I S B  M12:FAIL M12:FAIL
    I S N  M11:FAIL M11:FAIL
    I I S  M13:FAIL M13:FAIL
    I I I  M13:FAIL M13:FAIL
    I I B  M13:FAIL M13:FAIL
    I I N  M13:FAIL M13:FAIL
    I B S  M14:FAIL M14:FAIL
    I B I  M14:FAIL M14:FAIL
    I B B  M14:FAIL M14:FAIL
    I B N  M14:FAIL M14:FAIL
    B S S  M15:FAIL M15:FAIL
    B S I  M15:FAIL M15:FAIL
    B S B  M15:FAIL M15:FAIL
    B S N  M15:FAIL M15:FAIL
    B I S  M15:FAIL M15:FAIL
    B I I  M15:FAIL M15:FAIL
    B I B  M15:FAIL M15:FAIL
    B I N  M15:FAIL M15:FAIL
    B B S  M15:FAIL M15:FAIL
    B B I  M15:FAIL M15:FAIL
    B B B  M15:FAIL M15:FAIL
    B B N  M15:FAIL M15:FAIL`,
  opportunistic: `
    S S S  O1:OK    O2:FAIL
    S S I  O3:TLS   O3:TLS
    S S B  O5:FAIL  O5:FAIL
    S S N  O4:TLS   O4:TLS
    S I S  O6:TLS   O6:TLS
    S I I  O6:TLS   O6:TLS
    S I B  O6:TLS   O6:TLS
    S I N  O6:TLS   O6:TLS
    S B S  O7:FAIL  O7:FAIL
    S B I  O7:FAIL  O7:FAIL
    S B B  O7:FAIL  O7:FAIL
    S B N  O7:FAIL  O7:FAIL
    I S S  O8:TLS   O8:TLS
    I S I  O9:TLS   O9:TLS
    I S B  O11:FAIL O11:FAIL
    I S N  O10:TLS  O10:TLS
    I I S  O12:TLS  O12:TLS
    I I I  O12:TLS  O12:TLS
    I I B  O12:TLS  O12:TLS
    I I N  O12:TLS  O12:TLS
    I B S  O13:FAIL O13:FAIL
    I B I  O13:FAIL O13:FAIL
    I B B  O13:FAIL O13:FAIL
    I B N  O13:FAIL O13:FAIL
    B S S  O14:FAIL O14:FAIL
    B S I  O14:FAIL O14:FAIL
    B S B  O14:FAIL O14:FAIL
    B S N  O14:FAIL O14:FAIL
    B I S  O14:FAIL O14:FAIL
    B I I  O14:FAIL O14:FAIL
    B I B  O14:FAIL O14:FAIL
    B I N  O14:FAIL O14:FAIL
    B B S  O14:FAIL O14:FAIL
    B B I  O14:FAIL O14:FAIL
    B B B  O14:FAIL O14:FAIL
    B B N  O14:FAIL O14:FAIL`,
};

interface Expected {
  row: string;
  action: ActionName;
}

const LETTER: Record<string, string> = { S: "secure", I: "insecure", B: "bogus", N: "nxdomain" };
const ACTION_WORD: Record<string, ActionName> = { OK: "dane-success", FAIL: "dane-fail", TLS: "tls-fallback" };

function key(mx: string, a: string, tlsa: string, cert: string): string {
  return `${mx}/${a}/${tlsa}/${cert}`;
}

function parseGrid(text: string): Map<string, Expected> {
  const grid = new Map<string, Expected>();
  for (const line of text.trim().split("\n")) {
    const [mx, a, tlsa, ifSuccess, ifFailed] = line.trim().split(/\s+/);
    for (const [cert, cell] of [
      ["success", ifSuccess],
      ["failed", ifFailed],
    ] as const) {
      const [row, word] = (cell ?? "").split(":");
      const action = ACTION_WORD[word ?? ""];
      const k = key(LETTER[mx ?? ""] ?? "?", LETTER[a ?? ""] ?? "?", LETTER[tlsa ?? ""] ?? "?", cert);
      if (row === undefined || action === undefined || grid.has(k)) throw new Error(`bad grid line: ${line}`);
      grid.set(k, { row, action });
    }
  }
  return grid;
}

const GRID: Record<ModeName, Map<string, Expected>> = {
  mandatory: parseGrid(GRID_TEXT.mandatory),
  opportunistic: parseGrid(GRID_TEXT.opportunistic),
};

/** The tables stated as the tech note's logic, one lookup after the other. */
function ruleOfTheNote(mode: ModeName, mx: string, a: string, tlsa: string, cert: string): ActionName {
  // A Bogus answer anywhere before the certificate check blocks delivery in both modes.
  if (mx === "bogus" || a === "bogus" || (a === "secure" && tlsa === "bogus")) return "dane-fail";
  const daneUsable = mx === "secure" && a === "secure" && tlsa === "secure";
  if (daneUsable) return cert === "success" ? "dane-success" : "dane-fail";
  // Anything short of a usable DANE chain: Mandatory refuses, Opportunistic falls back to TLS.
  return mode === "mandatory" ? "dane-fail" : "tls-fallback";
}

/** Expected outcome of one fully known combination, including values the table has no row for. */
function expectedKnown(mode: ModeName, mx: string, a: string, tlsa: string, cert: string): Expected | "outside" {
  // MX Bogus rows (M15/O14) have every later cell blank, so they cover an A NXDOMAIN too.
  if (mx === "bogus") return { row: mode === "mandatory" ? "M15" : "O14", action: "dane-fail" };
  if (mx === "nxdomain" || a === "nxdomain") return "outside";
  const expected = GRID[mode].get(key(mx, a, tlsa, cert));
  if (expected === undefined) throw new Error(`grid has no ${mode} ${key(mx, a, tlsa, cert)}`);
  return expected;
}

function rowNumber(id: string): number {
  return Number(id.slice(1));
}

interface OracleResult {
  decision: string;
  row: string | null;
  rows: string[];
  possible: ActionName[];
  missing: PolicyInputName[];
  outsideTable: boolean;
}

function valuesFor(name: PolicyInputName, given: string): string[] {
  return given === "unknown" ? KNOWN_VALUES[name] : [given];
}

/** What evaluatePolicy must answer: try every value of each unknown and look the result up. */
function oracle(mode: ModeName, input: PolicyInput): OracleResult {
  const outcomeOf = (values: Record<PolicyInputName, string>): Expected | "outside" =>
    expectedKnown(mode, values.mx, values.a, values.tlsa, values.cert);
  const label = (outcome: Expected | "outside"): string => (outcome === "outside" ? "outside" : outcome.action);

  const expansions: Record<PolicyInputName, string>[] = [];
  for (const mx of valuesFor("mx", input.mx))
    for (const a of valuesFor("a", input.a))
      for (const tlsa of valuesFor("tlsa", input.tlsa))
        for (const cert of valuesFor("cert", input.cert)) expansions.push({ mx, a, tlsa, cert });

  const outcomes = expansions.map(outcomeOf);
  const matched = outcomes.filter((outcome): outcome is Expected => outcome !== "outside");
  const rows = [...new Set(matched.map((outcome) => outcome.row))].sort((x, y) => rowNumber(x) - rowNumber(y));
  const possible = ACTION_ORDER.filter((action) => matched.some((outcome) => outcome.action === action));
  const outsideCount = outcomes.length - matched.length;

  if (matched.length === 0) return { decision: "outside-table", row: null, rows: [], possible: [], missing: [], outsideTable: true };
  const labels = new Set(outcomes.map(label));
  if (labels.size === 1) {
    return { decision: possible[0] ?? "?", row: rows.length === 1 ? (rows[0] ?? null) : null, rows, possible, missing: [], outsideTable: false };
  }
  // An unknown is missing when changing it alone, from some expansion, changes the outcome.
  const missing = INPUT_ORDER.filter(
    (name) =>
      input[name] === "unknown" &&
      expansions.some((expansion) =>
        KNOWN_VALUES[name].some((other) => label(outcomeOf({ ...expansion, [name]: other })) !== label(outcomeOf(expansion))),
      ),
  );
  return { decision: "undetermined", row: null, rows, possible, missing, outsideTable: outsideCount > 0 };
}

function allInputs(withNxdomainLookups: boolean): PolicyInput[] {
  const extra = withNxdomainLookups ? ["nxdomain"] : [];
  const inputs: PolicyInput[] = [];
  for (const mx of [...KNOWN_VALUES.mx, ...extra, "unknown"])
    for (const a of [...KNOWN_VALUES.a, ...extra, "unknown"])
      for (const tlsa of [...KNOWN_VALUES.tlsa, "unknown"])
        for (const cert of [...KNOWN_VALUES.cert, "unknown"]) inputs.push({ mx, a, tlsa, cert } as PolicyInput);
  return inputs;
}

describe("hand-written expectations agree with each other", () => {
  for (const mode of MODES) {
    it(`${mode}: GRID has the 72 combinations and matches the note's logic`, () => {
      expect(GRID[mode].size).toBe(72);
      for (const mx of KNOWN_VALUES.mx)
        for (const a of KNOWN_VALUES.a)
          for (const tlsa of KNOWN_VALUES.tlsa)
            for (const cert of KNOWN_VALUES.cert)
              expect(GRID[mode].get(key(mx, a, tlsa, cert))?.action, `${mode} ${key(mx, a, tlsa, cert)}`).toBe(
                ruleOfTheNote(mode, mx, a, tlsa, cert),
              );
    });
  }
});

describe("evaluatePolicy with every input known", () => {
  for (const mode of MODES) {
    it(`${mode}: all 72 combinations give the tech note's row and action`, () => {
      let checked = 0;
      for (const [combination, expected] of GRID[mode]) {
        const [mx, a, tlsa, cert] = combination.split("/");
        const input = { mx, a, tlsa, cert } as PolicyInput;
        expect(evaluatePolicy(mode, input), `${mode} ${combination}`).toEqual({
          mode,
          decision: expected.action,
          row: expected.row,
          rows: [expected.row],
          possible: [expected.action],
          missing: [],
          outsideTable: false,
        });
        checked += 1;
      }
      expect(checked).toBe(72);
    });
  }
});

describe("evaluatePolicy with unknown inputs", () => {
  for (const mode of MODES) {
    it(`${mode}: all 240 combinations of known and unknown inputs match the oracle`, () => {
      const inputs = allInputs(false);
      expect(inputs).toHaveLength(240);
      for (const input of inputs) {
        expect(evaluatePolicy(mode, input), `${mode} ${JSON.stringify(input)}`).toEqual({ mode, ...oracle(mode, input) });
      }
    });

    it(`${mode}: all 375 combinations including MX/A NXDOMAIN match the oracle`, () => {
      const inputs = allInputs(true);
      expect(inputs).toHaveLength(375);
      for (const input of inputs) {
        expect(evaluatePolicy(mode, input), `${mode} ${JSON.stringify(input)}`).toEqual({ mode, ...oracle(mode, input) });
      }
    });

    it(`${mode}: decisions obey the contract for every input`, () => {
      for (const input of allInputs(true)) {
        const result = evaluatePolicy(mode, input);
        const context = `${mode} ${JSON.stringify(input)}`;
        if (result.decision === "undetermined") {
          expect(result.missing.length, context).toBeGreaterThan(0);
          expect(result.row, context).toBeNull();
          for (const name of result.missing) expect(input[name], context).toBe("unknown");
        } else {
          expect(result.missing, context).toEqual([]);
        }
        if (result.decision === "outside-table") expect(result).toMatchObject({ row: null, rows: [], possible: [], outsideTable: true });
        if (result.row !== null) expect(result.rows, context).toEqual([result.row]);
        for (const id of result.rows) expect(id.startsWith(mode === "mandatory" ? "M" : "O"), context).toBe(true);
      }
    });
  }

  it("never answers tls-fallback for Mandatory, even as a possibility", () => {
    for (const input of allInputs(true)) expect(evaluatePolicy("mandatory", input).possible).not.toContain("tls-fallback");
  });
});

describe("cases from the tech note and the reference", () => {
  it("ietf.org (MX, A, TLSA Secure, no certificate line) is undetermined in both modes for want of the certificate", () => {
    const input: PolicyInput = { mx: "secure", a: "secure", tlsa: "secure", cert: "unknown" };
    const results = evaluateBothModes(input);
    expect(results.mandatory).toEqual({
      mode: "mandatory",
      decision: "undetermined",
      row: null,
      rows: ["M1", "M2"],
      possible: ["dane-success", "dane-fail"],
      missing: ["cert"],
      outsideTable: false,
    });
    expect(results.opportunistic).toEqual({
      mode: "opportunistic",
      decision: "undetermined",
      row: null,
      rows: ["O1", "O2"],
      possible: ["dane-success", "dane-fail"],
      missing: ["cert"],
      outsideTable: false,
    });
  });

  it("ietf.org with the certificate verified is DANE Success by M1 / O1", () => {
    const results = evaluateBothModes({ mx: "secure", a: "secure", tlsa: "secure", cert: "success" });
    expect(results.mandatory).toMatchObject({ decision: "dane-success", row: "M1" });
    expect(results.opportunistic).toMatchObject({ decision: "dane-success", row: "O1" });
  });

  it("thinkbeyond.ch (MX and A Insecure, no TLSA lookup) is M13 DANE Fail and O12 fallback", () => {
    const results = evaluateBothModes({ mx: "insecure", a: "insecure", tlsa: "unknown", cert: "unknown" });
    expect(results.mandatory).toEqual({
      mode: "mandatory",
      decision: "dane-fail",
      row: "M13",
      rows: ["M13"],
      possible: ["dane-fail"],
      missing: [],
      outsideTable: false,
    });
    expect(results.opportunistic).toEqual({
      mode: "opportunistic",
      decision: "tls-fallback",
      row: "O12",
      rows: ["O12"],
      possible: ["tls-fallback"],
      missing: [],
      outsideTable: false,
    });
  });

  it("a Bogus MX with nothing else known fails in both modes (M15 / O14)", () => {
    const results = evaluateBothModes({ mx: "bogus", a: "unknown", tlsa: "unknown", cert: "unknown" });
    expect(results.mandatory).toMatchObject({ decision: "dane-fail", row: "M15", rows: ["M15"], missing: [] });
    expect(results.opportunistic).toMatchObject({ decision: "dane-fail", row: "O14", rows: ["O14"], missing: [] });
  });

  it("an MX lookup ending in NXDOMAIN is outside the table, whatever else is known", () => {
    for (const mode of MODES) {
      expect(evaluatePolicy(mode, { mx: "nxdomain", a: "unknown", tlsa: "unknown", cert: "unknown" })).toEqual({
        mode,
        decision: "outside-table",
        row: null,
        rows: [],
        possible: [],
        missing: [],
        outsideTable: true,
      });
      expect(evaluatePolicy(mode, { mx: "nxdomain", a: "secure", tlsa: "secure", cert: "success" }).decision).toBe("outside-table");
    }
  });

  it("an A lookup ending in NXDOMAIN under an unknown MX is undetermined: only a Bogus MX is in the table", () => {
    expect(evaluatePolicy("mandatory", { mx: "unknown", a: "nxdomain", tlsa: "unknown", cert: "unknown" })).toEqual({
      mode: "mandatory",
      decision: "undetermined",
      row: null,
      rows: ["M15"],
      possible: ["dane-fail"],
      missing: ["mx"],
      outsideTable: true,
    });
  });

  it("O8 (Insecure MX, Secure A and TLSA) falls back whatever the certificate did", () => {
    expect(evaluatePolicy("opportunistic", { mx: "insecure", a: "secure", tlsa: "secure", cert: "unknown" })).toEqual({
      mode: "opportunistic",
      decision: "tls-fallback",
      row: "O8",
      rows: ["O8"],
      possible: ["tls-fallback"],
      missing: [],
      outsideTable: false,
    });
  });

  it("M8: an Insecure MX fails Mandatory even with everything else Secure and the certificate verified", () => {
    expect(evaluatePolicy("mandatory", { mx: "insecure", a: "secure", tlsa: "secure", cert: "success" })).toMatchObject({
      decision: "dane-fail",
      row: "M8",
    });
  });

  it("an Insecure MX with the rest unknown is DANE Fail for Mandatory through several rows, so no single row", () => {
    expect(evaluatePolicy("mandatory", { mx: "insecure", a: "unknown", tlsa: "unknown", cert: "unknown" })).toEqual({
      mode: "mandatory",
      decision: "dane-fail",
      row: null,
      rows: ["M8", "M9", "M10", "M11", "M12", "M13", "M14"],
      possible: ["dane-fail"],
      missing: [],
      outsideTable: false,
    });
  });

  it("names only the unknowns that matter: Secure MX and A, the rest unknown, needs TLSA and certificate", () => {
    const result = evaluatePolicy("opportunistic", { mx: "secure", a: "secure", tlsa: "unknown", cert: "unknown" });
    expect(result.decision).toBe("undetermined");
    expect(result.missing).toEqual(["tlsa", "cert"]);
    expect(result.possible).toEqual(["dane-success", "dane-fail", "tls-fallback"]);
    expect(result.rows).toEqual(["O1", "O2", "O3", "O4", "O5"]);
  });

  it("everything unknown is undetermined, with every input missing", () => {
    for (const mode of MODES) {
      const result = evaluatePolicy(mode, { mx: "unknown", a: "unknown", tlsa: "unknown", cert: "unknown" });
      expect(result.decision).toBe("undetermined");
      expect(result.missing).toEqual(["mx", "a", "tlsa", "cert"]);
      expect(result.rows).toHaveLength(mode === "mandatory" ? 15 : 14);
    }
  });
});

describe("evaluateBothModes and the returned values", () => {
  it("gives the same as evaluatePolicy for each mode", () => {
    for (const input of allInputs(true)) {
      const both = evaluateBothModes(input);
      expect(Object.keys(both).sort()).toEqual(["mandatory", "opportunistic"]);
      expect(both.mandatory).toEqual(evaluatePolicy("mandatory", input));
      expect(both.opportunistic).toEqual(evaluatePolicy("opportunistic", input));
    }
  });

  it("hands out fresh arrays, so a caller editing a result cannot change the next one", () => {
    const input: PolicyInput = { mx: "secure", a: "secure", tlsa: "secure", cert: "unknown" };
    const first = evaluatePolicy("mandatory", input);
    first.rows.push("X");
    first.possible.length = 0;
    first.missing.push("mx");
    const second = evaluatePolicy("mandatory", input);
    expect(second.rows).toEqual(["M1", "M2"]);
    expect(second.possible).toEqual(["dane-success", "dane-fail"]);
    expect(second.missing).toEqual(["cert"]);
  });
});
