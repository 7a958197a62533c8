// What the values of the DNS lines mean: Python reprs (the appliance's resolver is Python 2 and
// prints its tuples as they are), DNS statuses and record values. The grammar's actions build
// events with these; a value that fits the grammar but not its place (a QIP tuple without its
// resolver) is refused with a ShapeError, reported as E_SHAPE.
import type { DnsRecordValue, DnsStatus, PyValue } from "../src/events/types.js";

export class ShapeError extends Error {}

/**
 * A copy of `text` that does not keep alive the text it was cut from. Token images are cuts of a
 * batch of about 150 messages lexed together, and V8 keeps a cut of 13 characters or more as a
 * view of the whole string: one host name kept by the correlator would keep a 10-20 KB batch.
 * Every string an event carries goes through here. Measured on the 100 MB corpus, peak RSS of
 * `report --format json`: 209 MB lexing message by message, 293-297 MB with batches and views,
 * see the commit message for the figure with copies.
 */
export function detach(text: string): string {
  // Shorter cuts are copies already. The concatenation is flattened into a new string by slice().
  return text.length < 13 || !detaching ? text : (" " + text).slice(1);
}

let detaching = true;

/**
 * For a thread whose events are encoded as soon as they are built and never kept (a parse
 * worker: record-codec.ts copies every string into the chunk's JSON), detach() need not copy:
 * a view pins its batch only until the chunk is encoded.
 */
export function keepCutsAsViews(): void {
  detaching = false;
}

/** Python string literal body: the escapes repr() produces. */
export function unquote(image: string): string {
  const body = image.slice(1, -1);
  if (!body.includes("\\")) return detach(body);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (_, esc: string) => {
    switch (esc[0]) {
      case "n": return "\n";
      case "t": return "\t";
      case "r": return "\r";
      case "x":
      case "u": return String.fromCharCode(parseInt(esc.slice(1), 16));
      default: return esc;
    }
  });
}

/** An integer as logged, Python 2 longs (`8496573380345476L`) included. */
export function int(image: string): number {
  // Most are short runs of digits (DCIDs, MIDs, TTLs): added up digit by digit, exactly as
  // Number() reads them (15 digits stay below 2^53), without a call into the runtime.
  const length = image.length;
  if (length > 0 && length <= 15) {
    let value = 0;
    let i = 0;
    for (; i < length; i++) {
      const digit = image.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (i === length) return value;
  }
  return Number(image.endsWith("L") ? image.slice(0, -1) : image);
}

export function statusOf(text: string): DnsStatus {
  switch (text.toLowerCase()) {
    case "secure": return "secure";
    case "insecure": return "insecure";
    case "bogus": return "bogus";
    case "nxdomain": return "nxdomain";
    case "": return "none";
    default: return "other";
  }
}

export function textOf(value: PyValue): string {
  switch (value.t) {
    case "str":
    case "word": return value.v;
    case "int": return value.raw;
    default: throw new ShapeError(`expected a name or string, found a ${value.t}`);
  }
}

/** DNS names are logged with and without the root dot; esa-dane keeps them without. */
export function stripDot(name: string): string {
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

/** An MX value `(10, 'host.')` or any other record value as text. */
export function recordValue(value: PyValue): DnsRecordValue {
  if (value.t === "tuple" || value.t === "list") {
    const [pref, host] = value.v;
    if (value.v.length !== 2 || pref?.t !== "int" || host === undefined) throw new ShapeError("expected (preference, 'host')");
    return { preference: pref.v, host: stripDot(textOf(host)) };
  }
  return textOf(value);
}

export function items(value: PyValue): PyValue[] {
  if (value.t !== "tuple" && value.t !== "list") throw new ShapeError(`expected a tuple or list, found a ${value.t}`);
  return value.v;
}
