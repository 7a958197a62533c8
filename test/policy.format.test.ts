import { describe, expect, it } from "vitest";
import { EXPLAIN_CHOICES } from "../src/cli/commands/policy.js";
import { evaluateBothModes, evaluatePolicy, POLICY_INPUT_VALUES, type PolicyInput } from "../src/policy/evaluate.js";
import {
  explainEvaluation,
  explainEvaluations,
  explainReason,
  explanationJson,
  policyTablesJson,
  renderPolicyTables,
  renderPolicyTablesMarkdown,
  renderPolicyTablesText,
} from "../src/policy/format.js";

const ALL_IDS = [
  ...Array.from({ length: 15 }, (_, index) => `M${index + 1}`),
  ...Array.from({ length: 14 }, (_, index) => `O${index + 1}`),
];

const IETF: PolicyInput = { mx: "secure", a: "secure", tlsa: "secure", cert: "unknown" };

describe("policy tables as text", () => {
  it("shows every row id under both headings, without colour codes", () => {
    const text = renderPolicyTablesText();
    expect(text).toContain("DANE Mandatory");
    expect(text).toContain("DANE Opportunistic");
    for (const id of ALL_IDS) expect(text).toMatch(new RegExp(`│ ${id} +│`));
    expect(text).not.toContain("\u001b[");
  });

  it("leaves blank cells empty", () => {
    const m15 = renderPolicyTablesText()
      .split("\n")
      .find((line) => line.includes(" M15 "));
    expect(m15).toMatch(/│ M15 +│ Bogus +│ +│ +│ +│ DANE Fail +│/);
  });

  it("has one markdown line per row, blank cells empty", () => {
    const markdown = renderPolicyTablesMarkdown();
    const dataLines = markdown.split("\n").filter((line) => /^\| [MO]\d+ \|/.test(line));
    expect(dataLines.map((line) => line.split("|")[1]?.trim())).toEqual(ALL_IDS);
    expect(markdown).toContain("| O14 | Bogus | | | | DANE Fail |");
    expect(renderPolicyTables("markdown")).toBe(markdown);
  });

  it("prints JSON that parses back to the rows, null for blank", () => {
    const parsed: unknown = JSON.parse(renderPolicyTables("json"));
    expect(parsed).toEqual(policyTablesJson());
    const tables = policyTablesJson();
    expect(tables.mandatory.map((row) => row.id)).toEqual(ALL_IDS.slice(0, 15));
    expect(tables.opportunistic.map((row) => row.id)).toEqual(ALL_IDS.slice(15));
    expect(tables.opportunistic[7]).toEqual({ id: "O8", mx: "insecure", a: "secure", tlsa: "secure", cert: null, action: "tls-fallback" });
  });
});

describe("explaining one evaluation", () => {
  it("says why ietf.org without a certificate line is undetermined", () => {
    const result = evaluatePolicy("mandatory", IETF);
    expect(explainReason(IETF, result)).toBe("M1 gives DANE Success and M2 gives DANE Fail; the certificate result is not known.");
    const text = explainEvaluation(IETF, result);
    expect(text.split("\n")[0]).toBe("DANE Mandatory: undetermined");
    expect(text).toMatch(/^ {2}M1 +MX Secure, A Secure, TLSA Secure, certificate Success -> DANE Success$/m);
    expect(text).toMatch(/^ {2}M2 +MX Secure, A Secure, TLSA Secure, certificate Failed -> DANE Fail$/m);
  });

  it("groups rows by action when several rows give one", () => {
    const input: PolicyInput = { mx: "secure", a: "secure", tlsa: "unknown", cert: "unknown" };
    expect(explainReason(input, evaluatePolicy("opportunistic", input))).toBe(
      "O1 gives DANE Success; O2 and O5 give DANE Fail; O3 and O4 give Fallback to opportunistic TLS; " +
        "the TLSA classification and the certificate result are not known.",
    );
  });

  it("names the row that applies whatever the unknowns are", () => {
    const input: PolicyInput = { mx: "insecure", a: "insecure", tlsa: "unknown", cert: "unknown" };
    expect(explainReason(input, evaluatePolicy("opportunistic", input))).toBe(
      "row O12 gives Fallback to opportunistic TLS whatever the TLSA classification and the certificate result are.",
    );
  });

  it("says when several rows agree", () => {
    const input: PolicyInput = { mx: "insecure", a: "unknown", tlsa: "unknown", cert: "unknown" };
    expect(explainReason(input, evaluatePolicy("mandatory", input))).toContain("gives DANE Fail (rows M8, M9, M10, M11, M12, M13 and M14)");
  });

  it("says that an MX NXDOMAIN is outside the table and lists no row", () => {
    const input: PolicyInput = { mx: "nxdomain", a: "unknown", tlsa: "unknown", cert: "unknown" };
    const text = explainEvaluation(input, evaluatePolicy("mandatory", input));
    expect(text).toContain("DANE Mandatory: outside the table");
    expect(text).toContain("MX lookup that ended in NXDOMAIN");
    expect(text).not.toMatch(/^ {2}M\d/m);
  });

  it("explains both modes after one line of inputs, and mentions every matched row", () => {
    const text = explainEvaluations(IETF, Object.values(evaluateBothModes(IETF)));
    expect(text.startsWith("Inputs: MX secure, A secure, TLSA secure, certificate unknown\n")).toBe(true);
    for (const id of ["M1", "M2", "O1", "O2"]) expect(text).toContain(id);
    expect(text).toContain("DANE Opportunistic: undetermined");
  });

  it("has a JSON shape that round-trips and holds exactly the documented fields", () => {
    for (const input of [IETF, { mx: "nxdomain", a: "unknown", tlsa: "unknown", cert: "unknown" } as PolicyInput]) {
      for (const result of Object.values(evaluateBothModes(input))) {
        const json = explanationJson(input, result);
        expect(JSON.parse(JSON.stringify(json))).toEqual(json);
        expect(Object.keys(json).sort()).toEqual(["decision", "input", "missing", "mode", "possible", "row", "rows"]);
        expect(json).toEqual({
          mode: result.mode,
          input,
          decision: result.decision,
          row: result.row,
          rows: result.rows,
          possible: result.possible,
          missing: result.missing,
        });
      }
    }
  });
});

describe("policy explain choices", () => {
  it("offer exactly the values the evaluator accepts", () => {
    expect(EXPLAIN_CHOICES.mx).toEqual(POLICY_INPUT_VALUES.mx);
    expect(EXPLAIN_CHOICES.a).toEqual(POLICY_INPUT_VALUES.a);
    expect(EXPLAIN_CHOICES.tlsa).toEqual(POLICY_INPUT_VALUES.tlsa);
    expect(EXPLAIN_CHOICES.cert).toEqual(POLICY_INPUT_VALUES.cert);
  });
});
