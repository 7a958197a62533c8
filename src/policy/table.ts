// Cisco's DANE policy table, kept as data so that the evaluator, the `policy` command and the
// report all read the same rows. Source: Cisco tech note 214794 "DANE for Email Security
// Appliance", section "DANE Opportunistic or DANE Mandatory" (the two tables "DANE Mandatory"
// and "DANE Opportunistic"). The tech note does not number its rows; the ids M1-M15 and O1-O14
// are ours and follow the tech note's row order. A null cell is a blank cell in the tech note:
// the appliance does not look at that input (it stopped before that lookup, or its value does not
// change the action), so the row applies whatever the value is.

export type Mode = "mandatory" | "opportunistic";
export type Classification = "secure" | "insecure" | "bogus";
export type TlsaClassification = Classification | "nxdomain";
export type CertResult = "success" | "failed";
export type Action = "dane-success" | "dane-fail" | "tls-fallback";

export interface PolicyRow {
  id: string;
  mode: Mode;
  mx: Classification;
  a: Classification | null;
  tlsa: TlsaClassification | null;
  cert: CertResult | null;
  action: Action;
}

/** Every value an input can take in the table, in the order the tech note lists them. */
export const MODES: readonly Mode[] = ["mandatory", "opportunistic"];
export const CLASSIFICATIONS: readonly Classification[] = ["secure", "insecure", "bogus"];
export const TLSA_CLASSIFICATIONS: readonly TlsaClassification[] = ["secure", "insecure", "bogus", "nxdomain"];
export const CERT_RESULTS: readonly CertResult[] = ["success", "failed"];
export const ACTIONS: readonly Action[] = ["dane-success", "dane-fail", "tls-fallback"];

/** The action as the tech note words it ("Fallback to opportunistic TLS flow" shortened by the "flow"). */
export const ACTION_LABEL: Record<Action, string> = {
  "dane-success": "DANE Success",
  "dane-fail": "DANE Fail",
  "tls-fallback": "Fallback to opportunistic TLS",
};

export const MODE_LABEL: Record<Mode, string> = {
  mandatory: "DANE Mandatory",
  opportunistic: "DANE Opportunistic",
};

function row(
  id: string,
  mode: Mode,
  mx: Classification,
  a: Classification | null,
  tlsa: TlsaClassification | null,
  cert: CertResult | null,
  action: Action,
): PolicyRow {
  return Object.freeze({ id, mode, mx, a, tlsa, cert, action });
}

const M = "mandatory";
const O = "opportunistic";

export const POLICY_TABLE: readonly PolicyRow[] = Object.freeze([
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 1.
  row("M1", M, "secure", "secure", "secure", "success", "dane-success"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 2.
  row("M2", M, "secure", "secure", "secure", "failed", "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 3.
  row("M3", M, "secure", "secure", "insecure", null, "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 4
  // (the tech note writes the A cell in lower case, "secure").
  row("M4", M, "secure", "secure", "nxdomain", null, "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 5.
  row("M5", M, "secure", "secure", "bogus", null, "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 6.
  row("M6", M, "secure", "insecure", null, null, "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 7
  // (MX cell in lower case, "secure").
  row("M7", M, "secure", "bogus", null, null, "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 8:
  // an unsigned MX fails Mandatory even when everything after it is signed and the certificate
  // matches. Stricter than RFC 7672 section 2.2.1; kept because it is what the appliance does.
  row("M8", M, "insecure", "secure", "secure", "success", "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 9
  // (the certificate cell reads "Fail", read as Failed: the only other value besides Success).
  row("M9", M, "insecure", "secure", "secure", "failed", "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 10.
  row("M10", M, "insecure", "secure", "insecure", null, "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 11.
  row("M11", M, "insecure", "secure", "nxdomain", null, "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 12.
  row("M12", M, "insecure", "secure", "bogus", null, "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 13.
  row("M13", M, "insecure", "insecure", null, null, "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 14.
  row("M14", M, "insecure", "bogus", null, null, "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Mandatory", row 15.
  row("M15", M, "bogus", null, null, null, "dane-fail"),

  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Opportunistic", row 1.
  row("O1", O, "secure", "secure", "secure", "success", "dane-success"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Opportunistic", row 2
  // (marked with an arrow: "Mail will not be delivered for the marked arrows").
  row("O2", O, "secure", "secure", "secure", "failed", "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Opportunistic", row 3.
  row("O3", O, "secure", "secure", "insecure", null, "tls-fallback"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Opportunistic", row 4
  // (A cell in lower case, "secure").
  row("O4", O, "secure", "secure", "nxdomain", null, "tls-fallback"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Opportunistic", row 5 (arrow).
  row("O5", O, "secure", "secure", "bogus", null, "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Opportunistic", row 6.
  // The figure's caption "Mail will not be delivered for the marked arrows" sits in this row's
  // TLSA cell in the text version; it is not a TLSA value, so the cell is blank.
  row("O6", O, "secure", "insecure", null, null, "tls-fallback"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Opportunistic", row 7
  // (arrow; MX cell in lower case, "secure").
  row("O7", O, "secure", "bogus", null, null, "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Opportunistic", row 8:
  // the certificate cell is blank, unlike M8/M9 - with an unsigned MX the TLSA records are not
  // trusted, so the certificate check does not change the action.
  row("O8", O, "insecure", "secure", "secure", null, "tls-fallback"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Opportunistic", row 9.
  row("O9", O, "insecure", "secure", "insecure", null, "tls-fallback"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Opportunistic", row 10.
  row("O10", O, "insecure", "secure", "nxdomain", null, "tls-fallback"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Opportunistic", row 11 (arrow).
  row("O11", O, "insecure", "secure", "bogus", null, "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Opportunistic", row 12.
  row("O12", O, "insecure", "insecure", null, null, "tls-fallback"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Opportunistic", row 13 (arrow).
  row("O13", O, "insecure", "bogus", null, null, "dane-fail"),
  // Tech note 214794, "DANE Opportunistic or DANE Mandatory", table "DANE Opportunistic", row 14 (arrow).
  row("O14", O, "bogus", null, null, null, "dane-fail"),
]);

/** The rows of one mode, in table order. */
export function rowsForMode(mode: Mode): readonly PolicyRow[] {
  return POLICY_TABLE.filter((policyRow) => policyRow.mode === mode);
}
