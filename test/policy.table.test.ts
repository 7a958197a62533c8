// Checks src/policy/table.ts against the tech note (Cisco 214794, "DANE Opportunistic or DANE
// Mandatory"). The expected rows below are copied by hand from the tech note's English tables,
// in its own spelling ("" = blank cell), and converted here, so a slip in table.ts shows up as a
// difference and not as a shared mistake.
import { describe, expect, it } from "vitest";
import { ACTION_LABEL, POLICY_TABLE, type PolicyRow } from "../src/policy/table.js";

type NoteRow = [id: string, mx: string, a: string, tlsa: string, certificate: string, action: string];

// "DANE Mandatory" table of the tech note, top to bottom.
const NOTE_MANDATORY: NoteRow[] = [
  ["M1", "Secure", "Secure", "Secure", "Success", "DANE Success"],
  ["M2", "Secure", "Secure", "Secure", "Failed", "DANE Fail"],
  ["M3", "Secure", "Secure", "Insecure", "", "DANE Fail"],
  ["M4", "Secure", "secure", "NXDOMAIN", "", "DANE Fail"],
  ["M5", "Secure", "Secure", "Bogus", "", "DANE Fail"],
  ["M6", "Secure", "Insecure", "", "", "DANE Fail"],
  ["M7", "secure", "Bogus", "", "", "DANE Fail"],
  ["M8", "Insecure", "Secure", "Secure", "Success", "DANE Fail"],
  ["M9", "Insecure", "Secure", "Secure", "Fail", "DANE Fail"],
  ["M10", "Insecure", "Secure", "Insecure", "", "DANE Fail"],
  ["M11", "Insecure", "Secure", "NXDOMAIN", "", "DANE Fail"],
  ["M12", "Insecure", "Secure", "Bogus", "", "DANE Fail"],
  ["M13", "Insecure", "Insecure", "", "", "DANE Fail"],
  ["M14", "Insecure", "Bogus", "", "", "DANE Fail"],
  ["M15", "Bogus", "", "", "", "DANE Fail"],
];

// "DANE Opportunistic" table of the tech note, top to bottom. The figure caption that the text
// version prints inside row 6's TLSA cell is left out (it is not a value).
const NOTE_OPPORTUNISTIC: NoteRow[] = [
  ["O1", "Secure", "Secure", "Secure", "Success", "DANE Success"],
  ["O2", "Secure", "Secure", "Secure", "Failed", "DANE Fail"],
  ["O3", "Secure", "Secure", "Insecure", "", "Fallback to opportunistic TLS flow"],
  ["O4", "Secure", "secure", "NXDOMAIN", "", "Fallback to opportunistic TLS flow"],
  ["O5", "Secure", "Secure", "Bogus", "", "DANE Fail"],
  ["O6", "Secure", "Insecure", "", "", "Fallback to opportunistic TLS flow"],
  ["O7", "secure", "Bogus", "", "", "DANE Fail"],
  ["O8", "Insecure", "Secure", "Secure", "", "Fallback to opportunistic TLS flow"],
  ["O9", "Insecure", "Secure", "Insecure", "", "Fallback to opportunistic TLS flow"],
  ["O10", "Insecure", "Secure", "NXDOMAIN", "", "Fallback to opportunistic TLS flow"],
  ["O11", "Insecure", "Secure", "Bogus", "", "DANE Fail"],
  ["O12", "Insecure", "Insecure", "", "", "Fallback to opportunistic TLS flow"],
  ["O13", "Insecure", "Bogus", "", "", "DANE Fail"],
  ["O14", "Bogus", "", "", "", "DANE Fail"],
];

function noteCell(text: string): string | null {
  if (text === "") return null;
  const lower = text.toLowerCase();
  return lower === "fail" ? "failed" : lower;
}

function noteAction(text: string): string {
  const actions: Record<string, string> = {
    "DANE Success": "dane-success",
    "DANE Fail": "dane-fail",
    "Fallback to opportunistic TLS flow": "tls-fallback",
  };
  const action = actions[text];
  if (action === undefined) throw new Error(`not an action of the tech note: ${text}`);
  return action;
}

function fromNote(mode: string, [id, mx, a, tlsa, certificate, action]: NoteRow): PolicyRow {
  return {
    id,
    mode,
    mx: noteCell(mx),
    a: noteCell(a),
    tlsa: noteCell(tlsa),
    cert: noteCell(certificate),
    action: noteAction(action),
  } as PolicyRow;
}

const MX_OR_A = ["secure", "insecure", "bogus"];
const TLSA = ["secure", "insecure", "bogus", "nxdomain"];
const CERT = ["success", "failed"];

function rowsCovering(mode: string, mx: string, a: string, tlsa: string, cert: string): PolicyRow[] {
  return POLICY_TABLE.filter(
    (row) =>
      row.mode === mode &&
      row.mx === mx &&
      (row.a === null || row.a === a) &&
      (row.tlsa === null || row.tlsa === tlsa) &&
      (row.cert === null || row.cert === cert),
  );
}

describe("POLICY_TABLE", () => {
  it("has the tech note's 15 Mandatory rows, cell for cell, in its order", () => {
    const mandatory = POLICY_TABLE.filter((row) => row.mode === "mandatory");
    expect(mandatory).toEqual(NOTE_MANDATORY.map((row) => fromNote("mandatory", row)));
  });

  it("has the tech note's 14 Opportunistic rows, cell for cell, in its order", () => {
    const opportunistic = POLICY_TABLE.filter((row) => row.mode === "opportunistic");
    expect(opportunistic).toEqual(NOTE_OPPORTUNISTIC.map((row) => fromNote("opportunistic", row)));
  });

  it("lists Mandatory first, then Opportunistic, ids M1-M15 and O1-O14", () => {
    const expectedIds = [
      ...Array.from({ length: 15 }, (_, index) => `M${index + 1}`),
      ...Array.from({ length: 14 }, (_, index) => `O${index + 1}`),
    ];
    expect(POLICY_TABLE.map((row) => row.id)).toEqual(expectedIds);
    expect(new Set(POLICY_TABLE.map((row) => row.id)).size).toBe(POLICY_TABLE.length);
  });

  it("has no field besides the documented ones", () => {
    for (const row of POLICY_TABLE) expect(Object.keys(row).sort()).toEqual(["a", "action", "cert", "id", "mode", "mx", "tlsa"]);
  });

  it("only leaves cells blank after the lookup that decided (a blank is never followed by a value)", () => {
    for (const row of POLICY_TABLE) {
      const cells = [row.mx, row.a, row.tlsa, row.cert];
      const firstBlank = cells.indexOf(null);
      if (firstBlank >= 0) expect(cells.slice(firstBlank).every((cell) => cell === null), row.id).toBe(true);
    }
  });

  for (const mode of ["mandatory", "opportunistic"]) {
    it(`${mode}: every one of the 72 known combinations is covered by exactly one row`, () => {
      let combinations = 0;
      for (const mx of MX_OR_A)
        for (const a of MX_OR_A)
          for (const tlsa of TLSA)
            for (const cert of CERT) {
              combinations += 1;
              const covering = rowsCovering(mode, mx, a, tlsa, cert).map((row) => row.id);
              expect(covering, `${mode} ${mx}/${a}/${tlsa}/${cert}`).toHaveLength(1);
            }
      expect(combinations).toBe(72);
    });
  }

  it("never leaves a row unused (each row is the match of some known combination)", () => {
    const used = new Set<string>();
    for (const mode of ["mandatory", "opportunistic"])
      for (const mx of MX_OR_A)
        for (const a of MX_OR_A)
          for (const tlsa of TLSA)
            for (const cert of CERT) for (const row of rowsCovering(mode, mx, a, tlsa, cert)) used.add(row.id);
    expect([...used].sort()).toEqual(POLICY_TABLE.map((row) => row.id).sort());
  });

  it("makes Mandatory the strict form of Opportunistic: same successes, every fallback a failure", () => {
    for (const mx of MX_OR_A)
      for (const a of MX_OR_A)
        for (const tlsa of TLSA)
          for (const cert of CERT) {
            const [mandatory] = rowsCovering("mandatory", mx, a, tlsa, cert);
            const [opportunistic] = rowsCovering("opportunistic", mx, a, tlsa, cert);
            const expected = opportunistic?.action === "dane-success" ? "dane-success" : "dane-fail";
            expect(mandatory?.action, `${mx}/${a}/${tlsa}/${cert}`).toBe(expected);
          }
  });

  it("is frozen, so no caller can edit the policy", () => {
    expect(Object.isFrozen(POLICY_TABLE)).toBe(true);
    for (const row of POLICY_TABLE) expect(Object.isFrozen(row)).toBe(true);
  });
});

describe("ACTION_LABEL", () => {
  it("words the actions as the tech note does", () => {
    expect(ACTION_LABEL).toEqual({
      "dane-success": "DANE Success",
      "dane-fail": "DANE Fail",
      "tls-fallback": "Fallback to opportunistic TLS",
    });
  });
});
