// Turns a parse (CST) of one message into a typed event body. The grammar accepts general
// shapes; this is where values get their meaning and where shapes that fit the grammar but not
// the family (a QIP tuple without its resolver) are refused with E_SHAPE.
import type { CstNode, IToken } from "../../grammars/chevrotain.js";
import { esaParser } from "../../grammars/parser.js";
import type {
  DnsRecordValue,
  DnsStatus,
  DnsEncacheEntry,
  LogEvent,
  PyValue,
  DeliveryProblemEvent,
  ConnectionErrorEvent,
} from "./types.js";

/** The event without its base fields (file, line, time, host, level). */
export type EventBody = LogEvent extends infer E ? (E extends LogEvent ? Omit<E, keyof import("./types.js").EventBase> : never) : never;

export class ShapeError extends Error {}

type Children = Record<string, (CstNode | IToken)[] | undefined>;

function tokens(ctx: Children, label: string): IToken[] {
  return (ctx[label] as IToken[] | undefined) ?? [];
}
function token(ctx: Children, label: string): IToken | undefined {
  return (ctx[label] as IToken[] | undefined)?.[0];
}
function requiredToken(ctx: Children, label: string): IToken {
  const found = token(ctx, label);
  if (found === undefined) throw new ShapeError(`missing ${label}`);
  return found;
}
function node(ctx: Children, label: string): CstNode {
  const found = (ctx[label] as CstNode[] | undefined)?.[0];
  if (found === undefined) throw new ShapeError(`missing ${label}`);
  return found;
}

/** Python string literal body: the escapes repr() produces. */
export function unquote(image: string): string {
  const body = image.slice(1, -1);
  if (!body.includes("\\")) return body;
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

function int(image: string): number {
  return Number(image.endsWith("L") ? image.slice(0, -1) : image);
}

function statusOf(text: string): DnsStatus {
  switch (text.toLowerCase()) {
    case "secure": return "secure";
    case "insecure": return "insecure";
    case "bogus": return "bogus";
    case "nxdomain": return "nxdomain";
    case "": return "none";
    default: return "other";
  }
}

function textOf(value: PyValue): string {
  switch (value.t) {
    case "str":
    case "word": return value.v;
    case "int": return value.raw;
    default: throw new ShapeError(`expected a name or string, found a ${value.t}`);
  }
}

function stripDot(name: string): string {
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

/** An MX value `(10, 'host.')` or any other record value as text. */
function recordValue(value: PyValue): DnsRecordValue {
  if (value.t === "tuple" || value.t === "list") {
    const [pref, host] = value.v;
    if (value.v.length !== 2 || pref?.t !== "int" || host === undefined) throw new ShapeError("expected (preference, 'host')");
    return { preference: pref.v, host: stripDot(textOf(host)) };
  }
  return textOf(value);
}

function items(value: PyValue): PyValue[] {
  if (value.t !== "tuple" && value.t !== "list") throw new ShapeError(`expected a tuple or list, found a ${value.t}`);
  return value.v;
}

function pyValueOf(ctx: Children): PyValue {
  const seq = ctx["pySequence"] as CstNode[] | undefined;
  if (seq !== undefined) return pySequenceOf(seq[0]!.children as Children);
  let tok = (ctx["SQString"] ?? ctx["DQString"]) as IToken[] | undefined;
  if (tok !== undefined) return { t: "str", v: unquote(tok[0]!.image) };
  tok = (ctx["Integer"] ?? ctx["PyLong"]) as IToken[] | undefined;
  if (tok !== undefined) return { t: "int", v: int(tok[0]!.image), raw: tok[0]!.image };
  return { t: "word", v: (ctx["Word"] as IToken[])[0]!.image };
}

function pySequenceOf(ctx: Children): PyValue {
  const nodes = ctx["pyValue"] as CstNode[] | undefined;
  const values: PyValue[] = [];
  if (nodes !== undefined) for (const n of nodes) values.push(pyValueOf(n.children as Children));
  return ctx["LParen"] !== undefined ? { t: "tuple", v: values } : { t: "list", v: values };
}

const BaseVisitor = esaParser.getBaseCstVisitorConstructor<string, unknown>();

/**
 * One visitor for every entry rule. `text` is the message the CST was parsed from: free-text
 * fields are cut from it by token offsets, so their spacing stays as logged.
 */
export class EventVisitor extends BaseVisitor {
  private text = "";

  constructor() {
    super();
    this.validateVisitor();
  }

  build(cst: CstNode, text: string): EventBody {
    this.text = text;
    return this.visit(cst, text) as EventBody;
  }

  private span(from: IToken | undefined, to: IToken | undefined): string | null {
    if (from === undefined || to === undefined) return null;
    // The lexer tracks start offsets only (cheaper): a token ends where its image does.
    return this.text.slice(from.startOffset, to.startOffset + to.image.length);
  }

  private spanOf(words: IToken[]): string | null {
    return this.span(words[0], words[words.length - 1]);
  }

  // pyValue and pySequence are visited directly (not through visit()): they are the hottest rules.
  pyValue(ctx: Children): PyValue {
    return pyValueOf(ctx);
  }

  pySequence(ctx: Children): PyValue {
    return pySequenceOf(ctx);
  }

  private sequence(ctx: Children, label: string): PyValue[] {
    return items(pySequenceOf(node(ctx, label).children as Children));
  }

  dnsQuery(ctx: Children): EventBody {
    const form: "Q" | "QN" | "QIP" = ctx["QIP"] ? "QIP" : ctx["QN"] ? "QN" : "Q";
    const args = this.sequence(ctx, "pySequence");
    const [name, qtype, third, fourth] = args;
    if (name === undefined || qtype === undefined) throw new ShapeError(`${form}(...) needs a name and a type`);
    let resolver: string | null = null;
    let nameserverSet: string | null = null;
    let timeoutSeconds: number | null = null;
    if (form === "QIP") {
      if (args.length !== 4 || third === undefined || fourth?.t !== "int") throw new ShapeError("QIP needs (name, type, resolver, timeout)");
      resolver = textOf(third);
      timeoutSeconds = fourth.v;
    } else if (form === "QN") {
      if (args.length !== 3 || third === undefined) throw new ShapeError("QN needs (name, type, nameservers)");
      nameserverSet = textOf(third);
    } else {
      if (args.length > 3) throw new ShapeError("Q takes (name, type[, resolver])");
      if (third !== undefined) resolver = textOf(third);
    }
    return { kind: "dns-query", form, name: textOf(name), qtype: textOf(qtype), resolver, nameserverSet, timeoutSeconds };
  }

  dnssecResponse(ctx: Children): EventBody {
    const statusText = token(ctx, "status")?.image ?? "";
    return {
      kind: "dns-response",
      records: this.sequence(ctx, "records").map(recordValue),
      status: statusOf(statusText),
      statusText,
      code: int(requiredToken(ctx, "code").image),
      ttl: int(requiredToken(ctx, "ttl").image),
    };
  }

  dnsEncache(ctx: Children): EventBody {
    const entries: DnsEncacheEntry[] = this.sequence(ctx, "entries").map((entry) => {
      const fields = items(entry);
      const [stamp, , status, value] = fields;
      if (fields.length !== 4 || stamp?.t !== "int" || status === undefined || value === undefined) {
        throw new ShapeError("an encache entry is (stamp, n, 'STATUS', value)");
      }
      const statusText = textOf(status);
      return { stamp: stamp.raw.replace(/L$/, ""), status: statusOf(statusText), statusText, value: recordValue(value) };
    });
    return {
      kind: "dns-encache",
      name: stripDot(requiredToken(ctx, "name").image),
      qtype: requiredToken(ctx, "qtype").image,
      entries,
    };
  }

  dnsNoAnswer(ctx: Children): EventBody {
    return {
      kind: "dns-no-answer",
      answer: requiredToken(ctx, "answer").image,
      name: stripDot(requiredToken(ctx, "name").image),
      qtype: requiredToken(ctx, "qtype").image,
    };
  }

  dnsNoCname(ctx: Children): EventBody {
    return { kind: "dns-no-cname", reason: token(ctx, "reason")?.image ?? "", name: stripDot(requiredToken(ctx, "name").image) };
  }

  invalidDnsResponse(ctx: Children): EventBody {
    const reason = tokens(ctx, "reason");
    const reasonText = this.span(reason[0], reason[reason.length - 1]) ?? "";
    return {
      kind: "dns-resolver-failure",
      reason: reasonText === "''" ? "" : reasonText,
      resolver: requiredToken(ctx, "resolver").image,
      name: stripDot(textOf(pyValueOf(node(ctx, "name").children as Children))),
    };
  }

  invalidDnssecResponse(ctx: Children): EventBody {
    const details = this.sequence(ctx, "details");
    const [name, qtype, resolver, message] = details;
    if (name === undefined || qtype === undefined || resolver === undefined) {
      throw new ShapeError("the DNSSEC error names (name, type, resolver, message)");
    }
    const messageText = message === undefined ? "" : textOf(message);
    return {
      kind: "dnssec-error",
      name: stripDot(textOf(name)),
      qtype: textOf(qtype),
      resolver: textOf(resolver),
      message: messageText,
      unsupportedQtype: /Unsupported qtype/i.test(messageText),
    };
  }

  dnsNetworkError(ctx: Children): EventBody {
    const value = (label: string) => textOf(pyValueOf(node(ctx, label).children as Children));
    return { kind: "dns-resolver-failure", reason: value("reason"), resolver: value("resolver"), name: value("name").trim() };
  }

  connectionNew(ctx: Children): EventBody {
    const iface = tokens(ctx, "interface");
    const port = token(ctx, "port");
    return {
      kind: "connection-new",
      dcid: int(requiredToken(ctx, "dcid").image),
      interface: this.span(iface[0], iface[iface.length - 1]) ?? "",
      address: requiredToken(ctx, "address").image,
      port: port === undefined ? null : int(port.image),
    };
  }

  dcidLine(ctx: Children): EventBody {
    const dcid = int(requiredToken(ctx, "dcid").image);
    if (ctx["TlsSuccessHead"] !== undefined) {
      return {
        kind: "tls-success",
        dcid,
        protocol: token(ctx, "protocol")?.image ?? null,
        cipher: token(ctx, "cipher")?.image ?? null,
        daneDomain: token(ctx, "daneDomain")?.image.toLowerCase() ?? null,
      };
    }
    if (ctx["TlsFailedHead"] !== undefined) {
      const reason = tokens(ctx, "reason");
      const text = this.span(reason[0], reason[reason.length - 1]);
      return { kind: "tls-failed", dcid, reason: text === null ? null : text.replace(/^:\s*/, "") };
    }
    return { kind: "connection-close", dcid };
  }

  ridList(ctx: Children): number[] {
    return tokens(ctx, "rid").map((t) => int(t.image));
  }

  deliveryLine(ctx: Children): EventBody {
    return {
      kind: ctx["DeliveryStartHead"] !== undefined ? "delivery-start" : "message-done",
      dcid: int(requiredToken(ctx, "dcid").image),
      mid: int(requiredToken(ctx, "mid").image),
      rids: this.visit(node(ctx, "ridList")) as number[],
      suffix: this.spanOf(tokens(ctx, "suffix")),
    };
  }

  midLine(ctx: Children): EventBody {
    const mid = int(requiredToken(ctx, "mid").image);
    const to = token(ctx, "to");
    if (to !== undefined) {
      return {
        kind: "message-recipient",
        mid,
        icid: int(requiredToken(ctx, "icid").image),
        rid: int(requiredToken(ctx, "rid").image),
        to: to.image.startsWith("<") ? to.image.slice(1, -1) : to.image,
      };
    }
    const from = token(ctx, "from");
    if (from !== undefined) {
      return { kind: "message-sender", mid, icid: int(requiredToken(ctx, "icid").image), from: from.image.slice(1, -1) };
    }
    if (ctx["Response"] !== undefined) {
      const words = tokens(ctx, "response");
      const only = words.length === 1 ? words[0]! : undefined;
      const quoted = only !== undefined && (only.tokenType.name === "SQString" || only.tokenType.name === "DQString");
      const response = quoted ? unquote(only.image) : (this.span(words[0], words[words.length - 1]) ?? "");
      return { kind: "delivery-response", mid, rids: tokens(ctx, "rids").map((t) => int(t.image)), response };
    }
    return { kind: "message-queued", mid };
  }

  messageStart(ctx: Children): EventBody {
    return {
      kind: "message-start",
      mid: int(requiredToken(ctx, "mid").image),
      icid: int(requiredToken(ctx, "icid").image),
      note: this.spanOf(tokens(ctx, "note")),
    };
  }

  messageFinished(ctx: Children): EventBody {
    const outcome = tokens(ctx, "outcome");
    return { kind: "message-finished", mid: int(requiredToken(ctx, "mid").image), outcome: this.span(outcome[0], outcome[outcome.length - 1]) ?? "" };
  }

  connectionError(ctx: Children): EventBody {
    const fields = keyedFields(tokens(ctx, "body"), CONNECTION_ERROR_KEYS, (a, b) => this.span(a, b));
    const number = (key: string) => {
      const value = fields.get(key);
      return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
    };
    const event: Omit<ConnectionErrorEvent, keyof import("./types.js").EventBase> = {
      kind: "connection-error",
      dcid: number("DCID"),
      domain: fields.get("domain")?.toLowerCase() ?? null,
      ip: fields.get("IP") ?? null,
      port: number("port"),
      details: fields.get("details") ?? fields.get("") ?? null,
      interface: fields.get("interface") ?? null,
      reason: fields.get("reason") ?? null,
    };
    return event;
  }

  deliveryProblem(ctx: Children): EventBody {
    const body = tokens(ctx, "body");
    // The SMTP part: ` - 5.1.2 - Bad destination host ('000', ['DNS Hard Error ...'])`.
    const dash = body.findIndex((t, i) => t.image === "-" && i + 2 < body.length && body[i + 2]?.image === "-");
    const head = dash < 0 ? body : body.slice(0, dash);
    const fields = keyedFields(head, PROBLEM_KEYS, (a, b) => this.span(a, b));
    const number = (key: string) => {
      const value = fields.get(key);
      return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
    };
    let dsn: string | null = null;
    let text: string | null = null;
    let smtpCode: string | null = null;
    let smtpLines: string[] = [];
    if (dash >= 0) {
      dsn = body[dash + 1]!.image;
      const rest = body.slice(dash + 3);
      const reply = rest.findIndex((t, i) => t.tokenType.name === "LParen" && rest[i + 1]?.tokenType.name === "SQString");
      const textTokens = reply < 0 ? rest : rest.slice(0, reply);
      text = this.span(textTokens[0], textTokens[textTokens.length - 1]);
      if (reply >= 0) {
        const replyTokens = rest.slice(reply);
        smtpCode = unquote(replyTokens[1]!.image);
        smtpLines = replyTokens.filter((t, i) => i > 1 && (t.tokenType.name === "SQString" || t.tokenType.name === "DQString")).map((t) => unquote(t.image));
      }
    }
    const address = (key: string) => fields.get(key)?.replace(/^<|>$/g, "") ?? null;
    const event: Omit<DeliveryProblemEvent, keyof import("./types.js").EventBase> = {
      kind: ctx["DelayedHead"] !== undefined ? "delivery-delayed" : "delivery-bounced",
      dcid: number("DCID"),
      mid: number("MID") ?? number("Message"),
      from: address("From"),
      to: address("To"),
      rid: number("RID") ?? number("to"),
      dsn,
      text,
      smtpCode,
      smtpLines,
    };
    return event;
  }

  headerLine(ctx: Children): EventBody {
    if (ctx["BeginLogfileHead"] !== undefined) return { kind: "log-begin" };
    const offset = token(ctx, "offset");
    if (offset !== undefined) return { kind: "time-offset", seconds: int(offset.image) };
    return { kind: "log-version", version: requiredToken(ctx, "version").image, serial: token(ctx, "serial")?.image ?? null };
  }
}

const CONNECTION_ERROR_KEYS = new Set(["DCID", "domain", "IP", "port", "details", "interface", "reason"]);
const SEPARATOR = "\u0000";
const PROBLEM_KEYS = new Set(["DCID", "MID", "Message", "From", "To", "RID", "to"]);

/**
 * Splits `KEY[:] value words KEY[:] value ...` into a map. Text before the first key is kept
 * under "" (the old `Connection Error: connection timed out DCID: ...` form puts its reason there).
 */
function keyedFields(
  body: IToken[],
  keys: Set<string>,
  span: (from: IToken | undefined, to: IToken | undefined) => string | null,
): Map<string, string> {
  const fields = new Map<string, string>();
  let key = "";
  let start = 0;
  const flush = (end: number) => {
    let from = start;
    if (body[from]?.image === ":") from++;
    if (end > from && !fields.has(key)) fields.set(key, span(body[from], body[end - 1]) ?? "");
  };
  for (let i = 0; i < body.length; i++) {
    const image = body[i]!.image;
    if (!keys.has(image)) continue;
    flush(i);
    // In `MID 8 to RID 0` the `to` only separates; in `Message 3993 to 0` it names the RID.
    key = image === "to" && body[i + 1]?.image === "RID" ? SEPARATOR : image;
    start = i + 1;
  }
  flush(body.length);
  return fields;
}

export const eventVisitor = new EventVisitor();
