// Replays Cisco's DANE policy table (table.ts) for one delivery. Inputs read from a log can be
// unknown (the lookup was not logged, came from a cache filled before the log starts, or no TLS
// line tells how the certificate fared). An unknown input stands for every value it could have;
// the evaluator tries them all and only names an action when every one of them agrees, so a
// replay never claims more than the log proves.

import {
  ACTIONS,
  CERT_RESULTS,
  CLASSIFICATIONS,
  MODES,
  POLICY_TABLE,
  TLSA_CLASSIFICATIONS,
  type Action,
  type CertResult,
  type Classification,
  type Mode,
  type PolicyRow,
  type TlsaClassification,
} from "./table.js";

export type PolicyInputName = "mx" | "a" | "tlsa" | "cert";

export interface PolicyInput {
  mx: Classification | "nxdomain" | "unknown";
  a: Classification | "nxdomain" | "unknown";
  tlsa: TlsaClassification | "unknown";
  cert: CertResult | "unknown";
}

export type Decision = Action | "undetermined" | "outside-table";

export interface PolicyResult {
  mode: Mode;
  decision: Decision;
  /** The single row that applied when every input was known, else null. Also set when the inputs
   * are partly unknown but every value they could have lands on this same row (e.g. M15). */
  row: string | null;
  /** Every row matched by some expansion of the unknowns, table order. */
  rows: string[];
  /** Distinct actions over the expansions, in the order of ACTIONS. */
  possible: Action[];
  /** Unknown inputs whose value would change the action; empty unless undetermined. */
  missing: PolicyInputName[];
  /** True when at least one expansion of the inputs is covered by no row. With decision
   * "outside-table" every expansion is; with "undetermined" only some are. */
  outsideTable: boolean;
}

/** Input names in lookup order (the order the appliance asks, and the order `missing` uses). */
export const POLICY_INPUT_NAMES: readonly PolicyInputName[] = ["mx", "a", "tlsa", "cert"];

/** Every value each input may be given, `unknown` included (what the CLI offers as choices). */
export const POLICY_INPUT_VALUES = {
  mx: [...CLASSIFICATIONS, "nxdomain", "unknown"],
  a: [...CLASSIFICATIONS, "nxdomain", "unknown"],
  tlsa: [...TLSA_CLASSIFICATIONS, "unknown"],
  cert: [...CERT_RESULTS, "unknown"],
} as const satisfies { [K in PolicyInputName]: readonly PolicyInput[K][] };

export const UNKNOWN_INPUT: Readonly<PolicyInput> = Object.freeze({
  mx: "unknown",
  a: "unknown",
  tlsa: "unknown",
  cert: "unknown",
});

/** One fully known combination of inputs. */
export interface KnownPolicyInput {
  mx: Classification | "nxdomain";
  a: Classification | "nxdomain";
  tlsa: TlsaClassification;
  cert: CertResult;
}

// An unknown MX or A stands for the three classifications the tech note gives those lookups
// (Secure, Insecure, Bogus), not for NXDOMAIN: the note lists NXDOMAIN only as a TLSA outcome.
// An explicit mx/a "nxdomain" is still accepted, and ends outside the table.
function candidates<K extends PolicyInputName>(name: K, value: PolicyInput[K]): readonly KnownPolicyInput[K][] {
  if (value !== "unknown") return [value as KnownPolicyInput[K]];
  const all: { [N in PolicyInputName]: readonly KnownPolicyInput[N][] } = {
    mx: CLASSIFICATIONS,
    a: CLASSIFICATIONS,
    tlsa: TLSA_CLASSIFICATIONS,
    cert: CERT_RESULTS,
  };
  return all[name];
}

function expand(input: PolicyInput): KnownPolicyInput[] {
  const expansions: KnownPolicyInput[] = [];
  for (const mx of candidates("mx", input.mx))
    for (const a of candidates("a", input.a))
      for (const tlsa of candidates("tlsa", input.tlsa))
        for (const cert of candidates("cert", input.cert)) expansions.push({ mx, a, tlsa, cert });
  return expansions;
}

function cellMatches(cell: string | null, value: string): boolean {
  return cell === null || cell === value;
}

/** First row of the mode, in table order, whose cells all match; null when no row covers the combination. */
export function matchRow(mode: Mode, known: KnownPolicyInput): PolicyRow | null {
  for (const policyRow of POLICY_TABLE) {
    if (
      policyRow.mode === mode &&
      policyRow.mx === known.mx &&
      cellMatches(policyRow.a, known.a) &&
      cellMatches(policyRow.tlsa, known.tlsa) &&
      cellMatches(policyRow.cert, known.cert)
    )
      return policyRow;
  }
  return null;
}

const OUTSIDE = "outside-table";

/**
 * An unknown input is decisive when two expansions that differ only in it end differently
 * (different actions, or one inside the table and one outside): knowing it would settle part
 * of the doubt.
 */
function decisiveInputs(input: PolicyInput, outcomes: { known: KnownPolicyInput; outcome: string }[]): PolicyInputName[] {
  const decisive: PolicyInputName[] = [];
  for (const name of POLICY_INPUT_NAMES) {
    if (input[name] !== "unknown") continue;
    const outcomeByRest = new Map<string, string>();
    const isDecisive = outcomes.some(({ known, outcome }) => {
      const rest = POLICY_INPUT_NAMES.filter((other) => other !== name)
        .map((other) => known[other])
        .join("/");
      const seen = outcomeByRest.get(rest);
      if (seen === undefined) outcomeByRest.set(rest, outcome);
      return seen !== undefined && seen !== outcome;
    });
    if (isDecisive) decisive.push(name);
  }
  return decisive;
}

function computePolicy(mode: Mode, input: PolicyInput): PolicyResult {
  const outcomes = expand(input).map((known) => ({ known, row: matchRow(mode, known) }));
  const matchedIds = new Set(outcomes.flatMap(({ row }) => (row ? [row.id] : [])));
  const rows = POLICY_TABLE.filter((policyRow) => matchedIds.has(policyRow.id)).map((policyRow) => policyRow.id);
  const possible = ACTIONS.filter((action) => outcomes.some(({ row }) => row?.action === action));
  const outsideCount = outcomes.filter(({ row }) => row === null).length;

  if (outsideCount === outcomes.length)
    return { mode, decision: "outside-table", row: null, rows, possible, missing: [], outsideTable: true };

  const [onlyAction] = possible;
  if (outsideCount === 0 && possible.length === 1 && onlyAction !== undefined) {
    const [onlyRow] = rows;
    return {
      mode,
      decision: onlyAction,
      row: rows.length === 1 && onlyRow !== undefined ? onlyRow : null,
      rows,
      possible,
      missing: [],
      outsideTable: false,
    };
  }

  const missing = decisiveInputs(
    input,
    outcomes.map(({ known, row }) => ({ known, outcome: row?.action ?? OUTSIDE })),
  );
  return { mode, decision: "undetermined", row: null, rows, possible, missing, outsideTable: outsideCount > 0 };
}

// The report evaluates every delivery of a log; there are only a few hundred distinct inputs per
// mode, so results are computed once and handed out as copies (callers may mutate their arrays).
const cache = new Map<string, PolicyResult>();

function isValidInput(input: PolicyInput): boolean {
  return POLICY_INPUT_NAMES.every((name) => (POLICY_INPUT_VALUES[name] as readonly string[]).includes(input[name]));
}

export function evaluatePolicy(mode: Mode, input: PolicyInput): PolicyResult {
  const key = `${mode}|${input.mx}|${input.a}|${input.tlsa}|${input.cert}`;
  let result = cache.get(key);
  if (result === undefined) {
    result = computePolicy(mode, input);
    // Values outside the declared types (from untyped callers) are evaluated but not kept.
    if (MODES.includes(mode) && isValidInput(input)) cache.set(key, result);
  }
  return { ...result, rows: [...result.rows], possible: [...result.possible], missing: [...result.missing] };
}

export function evaluateBothModes(input: PolicyInput): Record<Mode, PolicyResult> {
  return {
    mandatory: evaluatePolicy("mandatory", input),
    opportunistic: evaluatePolicy("opportunistic", input),
  };
}
