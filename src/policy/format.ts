// Renders Cisco's policy table and explains single evaluations, for `esa-dane policy` and for
// reports that need to say why a delivery got its decision. Pure: every function returns text or
// plain data and prints nothing.

import Table from "cli-table3";
import type { Decision, PolicyInput, PolicyInputName, PolicyResult } from "./evaluate.js";
import { jsonDocument } from "../output/json.js";
import {
  ACTION_LABEL,
  MODE_LABEL,
  MODES,
  POLICY_TABLE,
  rowsForMode,
  type Action,
  type Mode,
  type PolicyRow,
} from "./table.js";

export const POLICY_SOURCE =
  'Cisco tech note 214794 "DANE for Email Security Appliance", section "DANE Opportunistic or DANE Mandatory"';

export type PolicyTablesFormat = "table" | "json" | "markdown";

const COLUMN_HEADS = ["#", "MX", "A", "TLSA", "Certificate", "Action"];

/** Cell text as the tech note writes it; lower-case values are the internal spelling. */
const VALUE_LABEL: Record<string, string> = {
  secure: "Secure",
  insecure: "Insecure",
  bogus: "Bogus",
  nxdomain: "NXDOMAIN",
  success: "Success",
  failed: "Failed",
  unknown: "unknown",
};

function valueLabel(value: string | null): string {
  if (value === null) return "";
  return VALUE_LABEL[value] ?? value;
}

function rowCells(policyRow: PolicyRow): string[] {
  return [
    policyRow.id,
    valueLabel(policyRow.mx),
    valueLabel(policyRow.a),
    valueLabel(policyRow.tlsa),
    valueLabel(policyRow.cert),
    ACTION_LABEL[policyRow.action],
  ];
}

/** Both tables drawn with box characters for a terminal; blank cells stay empty, as in the tech note. */
export function renderPolicyTablesText(): string {
  const sections = MODES.map((mode) => {
    // No colours: the output is also piped and compared, and cli-table3 colours heads by default.
    const table = new Table({ head: COLUMN_HEADS, style: { head: [], border: [], compact: true } });
    for (const policyRow of rowsForMode(mode)) table.push(rowCells(policyRow));
    return `${MODE_LABEL[mode]}\n${table.toString()}\n`;
  });
  return `${sections.join("\n")}\nBlank cell: any value. Source: ${POLICY_SOURCE}.\n`;
}

function markdownRow(cells: readonly string[]): string {
  return `|${cells.map((cell) => (cell === "" ? " " : ` ${cell} `)).join("|")}|`;
}

export function renderPolicyTablesMarkdown(): string {
  const sections = MODES.map((mode) => {
    const lines = [
      `### ${MODE_LABEL[mode]}`,
      "",
      markdownRow(COLUMN_HEADS),
      markdownRow(COLUMN_HEADS.map(() => "---")),
      ...rowsForMode(mode).map((policyRow) => markdownRow(rowCells(policyRow))),
    ];
    return `${lines.join("\n")}\n`;
  });
  return `${sections.join("\n")}\nBlank cell: any value. Source: ${POLICY_SOURCE}.\n`;
}

export interface PolicyTablesJson {
  source: string;
  actionLabels: Record<Action, string>;
  /** Rows per mode, in table order; null is a blank cell (any value). */
  mandatory: Omit<PolicyRow, "mode">[];
  opportunistic: Omit<PolicyRow, "mode">[];
}

export function policyTablesJson(): PolicyTablesJson {
  const withoutMode = (mode: Mode): Omit<PolicyRow, "mode">[] =>
    rowsForMode(mode).map(({ id, mx, a, tlsa, cert, action }) => ({ id, mx, a, tlsa, cert, action }));
  return {
    source: POLICY_SOURCE,
    actionLabels: { ...ACTION_LABEL },
    mandatory: withoutMode("mandatory"),
    opportunistic: withoutMode("opportunistic"),
  };
}

export function renderPolicyTables(format: PolicyTablesFormat): string {
  switch (format) {
    case "table":
      return renderPolicyTablesText();
    case "markdown":
      return renderPolicyTablesMarkdown();
    case "json":
      return jsonDocument(policyTablesJson());
  }
}

// ---- Explaining one evaluation ----

export interface PolicyExplanationJson {
  mode: Mode;
  input: PolicyInput;
  decision: Decision;
  row: string | null;
  rows: string[];
  possible: Action[];
  missing: PolicyInputName[];
}

export function explanationJson(input: PolicyInput, result: PolicyResult): PolicyExplanationJson {
  return {
    mode: result.mode,
    input: { mx: input.mx, a: input.a, tlsa: input.tlsa, cert: input.cert },
    decision: result.decision,
    row: result.row,
    rows: [...result.rows],
    possible: [...result.possible],
    missing: [...result.missing],
  };
}

const INPUT_NOUN: Record<PolicyInputName, string> = {
  mx: "the MX classification",
  a: "the A classification",
  tlsa: "the TLSA classification",
  cert: "the certificate result",
};

const INPUT_SHORT: Record<PolicyInputName, string> = { mx: "MX", a: "A", tlsa: "TLSA", cert: "certificate" };
const INPUT_NAMES: readonly PolicyInputName[] = ["mx", "a", "tlsa", "cert"];

/** "x", "x and y", "x, y and z". */
function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1] ?? ""}`;
}

function decisionLabel(decision: Decision): string {
  if (decision === "undetermined") return "undetermined";
  if (decision === "outside-table") return "outside the table";
  return ACTION_LABEL[decision];
}

export function describeInput(input: PolicyInput): string {
  return INPUT_NAMES.map((name) => `${INPUT_SHORT[name]} ${input[name]}`).join(", ");
}

/** "MX Secure, A Secure, TLSA any, certificate any" - the condition a row states. */
function describeRowCondition(policyRow: PolicyRow): string {
  return INPUT_NAMES.map((name) => {
    const cell = policyRow[name];
    return `${INPUT_SHORT[name]} ${cell === null ? "any" : valueLabel(cell)}`;
  }).join(", ");
}

function tableRow(id: string): PolicyRow | undefined {
  return POLICY_TABLE.find((policyRow) => policyRow.id === id);
}

function rowsGiving(result: PolicyResult, action: Action): string[] {
  return result.rows.filter((id) => tableRow(id)?.action === action);
}

/** One sentence saying why the decision is what it is, starting in lower case so that it can follow
 * "undetermined: " and the like. */
export function explainReason(input: PolicyInput, result: PolicyResult): string {
  const unknownInputs = INPUT_NAMES.filter((name) => input[name] === "unknown");
  switch (result.decision) {
    case "outside-table": {
      const nxdomainLookups = (["mx", "a"] as const).filter((name) => input[name] === "nxdomain");
      if (nxdomainLookups.length > 0)
        return `no row covers an ${joinList(nxdomainLookups.map((name) => INPUT_SHORT[name]))} lookup that ended in NXDOMAIN; the tech note's table only has Secure, Insecure and Bogus there.`;
      return "no row of the tech note's table covers these inputs.";
    }
    case "undetermined": {
      const groups = result.possible.map((action) => {
        const ids = rowsGiving(result, action);
        return { ids, text: `${joinList(ids)} ${ids.length === 1 ? "gives" : "give"} ${ACTION_LABEL[action]}` };
      });
      if (result.outsideTable) groups.push({ ids: [], text: "other values fall outside the table" });
      // With several rows per action, "and" would blur where one group ends; use semicolons then.
      const outcomes = groups.every((group) => group.ids.length <= 1)
        ? joinList(groups.map((group) => group.text))
        : groups.map((group) => group.text).join("; ");
      const missingNouns = result.missing.map((name) => INPUT_NOUN[name]);
      return `${outcomes}; ${joinList(missingNouns)} ${missingNouns.length === 1 ? "is" : "are"} not known.`;
    }
    default: {
      const action = ACTION_LABEL[result.decision];
      if (unknownInputs.length === 0) return `row ${result.row ?? "?"} gives ${action}.`;
      const unknownNouns = joinList(unknownInputs.map((name) => INPUT_NOUN[name]));
      if (result.row !== null) return `row ${result.row} gives ${action} whatever ${unknownNouns} ${unknownInputs.length === 1 ? "is" : "are"}.`;
      return `every value ${unknownNouns} could have gives ${action} (rows ${joinList(result.rows)}).`;
    }
  }
}

/** The explanation of one mode: the decision, why, and the rows that matched with their conditions. */
export function explainEvaluation(input: PolicyInput, result: PolicyResult): string {
  const reason = explainReason(input, result);
  const lines = [
    `${MODE_LABEL[result.mode]}: ${decisionLabel(result.decision)}`,
    `  ${reason.charAt(0).toUpperCase()}${reason.slice(1)}`,
  ];
  const idWidth = Math.max(0, ...result.rows.map((id) => id.length));
  for (const id of result.rows) {
    const policyRow = tableRow(id);
    if (policyRow === undefined) continue;
    lines.push(`  ${id.padEnd(idWidth)}  ${describeRowCondition(policyRow)} -> ${ACTION_LABEL[policyRow.action]}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The full text for `policy explain`: the inputs once, then one block per mode asked for. */
export function explainEvaluations(input: PolicyInput, results: readonly PolicyResult[]): string {
  return [`Inputs: ${describeInput(input)}\n`, ...results.map((result) => explainEvaluation(input, result))].join("\n");
}
