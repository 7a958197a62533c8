// A hand-written check of the `esa-dane deliveries` NDJSON contract (section 3 of the reference):
// every field present and no other, each of the right type or enum, times in ISO 8601, sources
// as `file:line`; and the rules that tie the fields together (decision from mode, row of the
// mode's table, flags that follow from evidence and observation).
const CLASS = ["secure", "insecure", "bogus", "unknown"];
/** esa-dane's documented extension: an MX or A lookup that ended in NXDOMAIN (outside the table). */
const CLASS_EXTENDED = [...CLASS, "nxdomain"];
const TLSA = [...CLASS, "nxdomain"];
const CERT = ["success", "failed", "unknown"];
const MODES = ["mandatory", "opportunistic", "none", "unknown"];
const DECISIONS = ["dane-success", "dane-fail", "tls-fallback", "undetermined", "outside-table"];
const OBSERVED = ["dane-success", "tls", "tls-failed", "plaintext", "no-connection"];
const FLAGS = ["bogus", "resolver-fallback", "dane-success", "cached", "mismatch", "undetermined"];
/** Date and time, fraction optional; `Z` or an offset when UTC is known, nothing when it is not. */
const ISO = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/;
const SOURCE = /^(.+):([1-9]\d*)$/;
const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;
export const FIELDS = ["host", "start", "end", "dcid", "mids", "domain", "domainCandidates", "mxHost", "ip", "evidence", "mode", "decisionByMode", "decision", "row", "observed", "flags", "resolvers", "source"];

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const oneOf = (v: unknown, values: readonly string[]) => typeof v === "string" && values.includes(v);
const sameKeys = (v: Json, keys: readonly string[]) => JSON.stringify(Object.keys(v).sort()) === JSON.stringify([...keys].sort());
const unique = (v: unknown[]) => new Set(v).size === v.length;

/** What in `value` breaks the contract's shape: an empty list when nothing does. */
export function attemptRecordErrors(value: unknown): string[] {
  const errors: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) errors.push(what);
  };
  if (!isObject(value)) return ["an object"];
  const r = value;
  need(sameKeys(r, FIELDS), `exactly the contract's fields, got ${Object.keys(r).join(",")}`);
  for (const k of ["host", "domain", "mxHost", "ip", "row"]) need(r[k] === null || (typeof r[k] === "string" && r[k] !== ""), `${k}: non-empty string or null`);
  for (const k of ["start", "end"]) need(r[k] === null || (typeof r[k] === "string" && ISO.test(r[k]) && !Number.isNaN(Date.parse(r[k]))), `${k}: ISO 8601 or null`);
  if (typeof r["start"] === "string" && typeof r["end"] === "string" && ISO.test(r["start"]) && ISO.test(r["end"])) {
    need(Date.parse(r["start"]) <= Date.parse(r["end"]), "start <= end");
    need(r["start"].endsWith("Z") === r["end"].endsWith("Z"), "start and end: both UTC or both local");
  }
  need(r["dcid"] === null || (Number.isSafeInteger(r["dcid"]) && (r["dcid"] as number) >= 0), "dcid: number or null");
  need(Array.isArray(r["mids"]) && r["mids"].every((m) => Number.isSafeInteger(m) && m >= 0) && unique(r["mids"]), "mids: distinct numbers");
  need(typeof r["domain"] !== "string" || r["domain"] === r["domain"].toLowerCase(), "domain: lower case");
  const candidates = r["domainCandidates"];
  need(Array.isArray(candidates) && candidates.every((d) => typeof d === "string" && d !== "" && d === d.toLowerCase()) && unique(candidates), "domainCandidates: distinct lower-case names");
  need(!Array.isArray(candidates) || candidates.length === 0 || (r["domain"] === null && candidates.length >= 2), "domainCandidates: two or more only with domain null, else []");
  need(typeof r["ip"] !== "string" || IP.test(r["ip"]), "ip: an address");
  const e = r["evidence"];
  need(isObject(e) && sameKeys(e, ["mx", "a", "tlsa", "cert"]), "evidence: mx, a, tlsa, cert");
  if (isObject(e)) {
    need(oneOf(e["mx"], CLASS_EXTENDED), "evidence.mx");
    need(oneOf(e["a"], CLASS_EXTENDED), "evidence.a");
    need(oneOf(e["tlsa"], TLSA), "evidence.tlsa");
    need(oneOf(e["cert"], CERT), "evidence.cert");
  }
  need(oneOf(r["mode"], MODES), "mode");
  const byMode = r["decisionByMode"];
  need(isObject(byMode) && sameKeys(byMode, ["mandatory", "opportunistic"]) && oneOf(byMode["mandatory"], DECISIONS) && oneOf(byMode["opportunistic"], DECISIONS), "decisionByMode");
  need(oneOf(r["decision"], [...DECISIONS, "not-applicable"]), "decision");
  need(r["row"] === null || /^(M([1-9]|1[0-5])|O([1-9]|1[0-4]))$/.test(r["row"] as string), "row: M1..M15, O1..O14 or null");
  need(oneOf(r["observed"], OBSERVED), "observed");
  need(Array.isArray(r["flags"]) && r["flags"].every((f) => oneOf(f, FLAGS)) && unique(r["flags"]), "flags: distinct, from the allowed set");
  need(Array.isArray(r["resolvers"]) && r["resolvers"].every((x) => typeof x === "string" && IP.test(x)) && unique(r["resolvers"]), "resolvers: distinct addresses");
  need(Array.isArray(r["source"]) && r["source"].every((x) => typeof x === "string" && SOURCE.test(x)) && unique(r["source"]), "source: distinct file:line");
  if (Array.isArray(r["source"]) && r["source"].every((x) => typeof x === "string" && SOURCE.test(x))) {
    // First to last: within one file, line numbers ascend.
    const last = new Map<string, number>();
    let ordered = true;
    for (const ref of r["source"] as string[]) {
      const [, file, line] = SOURCE.exec(ref)!;
      if ((last.get(file!) ?? 0) >= Number(line)) ordered = false;
      last.set(file!, Number(line));
    }
    need(ordered, "source: first to last");
  }
  return errors;
}

/**
 * The rules between fields that the contract states: `decision` is the mode's value
 * (`not-applicable` for none; for unknown the common value or `undetermined`), `row` belongs to
 * the mode's table, and the flags follow from what the record says.
 */
export function attemptCoherenceErrors(value: unknown): string[] {
  if (attemptRecordErrors(value).length > 0) return ["not a contract record"];
  const r = value as {
    dcid: number | null;
    evidence: Record<string, string>;
    mode: string;
    decisionByMode: Record<"mandatory" | "opportunistic", string>;
    decision: string;
    row: string | null;
    observed: string;
    flags: string[];
  };
  const errors: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) errors.push(what);
  };
  const { mandatory, opportunistic } = r.decisionByMode;
  if (r.mode === "mandatory" || r.mode === "opportunistic") {
    need(r.decision === r.decisionByMode[r.mode], "decision: the mode's decision");
    need(r.row === null || r.row.startsWith(r.mode === "mandatory" ? "M" : "O"), "row: from the mode's table");
  } else {
    need(r.row === null, "row: null without a mode");
    need(r.decision === (r.mode === "none" ? "not-applicable" : mandatory === opportunistic ? mandatory : "undetermined"), "decision for mode none/unknown");
  }
  need(r.flags.includes("undetermined") === (r.decision === "undetermined"), "flag undetermined iff decision undetermined");
  need(r.flags.includes("dane-success") === (r.observed === "dane-success"), "flag dane-success iff observed dane-success");
  need(r.flags.includes("bogus") === Object.values(r.evidence).includes("bogus"), "flag bogus iff some evidence is bogus");
  need((r.evidence["cert"] === "success") === (r.observed === "dane-success"), "cert success iff observed dane-success");
  need(r.dcid !== null || r.observed === "no-connection", "no DCID: no connection");
  // An attempt without connection can be cached: a retry whose MX (and more) came from the cache (issue 10).
  return errors;
}
