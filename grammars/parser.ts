// The grammar of the ESA mail log lines esa-dane models, over the message part of a line (after
// `Level: `). Its rules build the typed events themselves (embedded actions): there is no parse
// tree and no second pass over one, so the meaning of a line lives in one place, here.
//
// Which rule reads a message is decided by its first tokens (ENTRY_HEADS below); a message whose
// head fits no family is `unknown`, one that fits a head but not the rest of its rule is
// malformed: E_PARSE when its words do not fit, E_SHAPE when a value has the wrong shape.
//
// Every rule cites the line form it models. "Beyond" marks what it accepts that no source shows:
// the reference (shared/reference/esa-dane.md) asks to parse the general shape and never to
// require exact text where the shape will do.
import { createTokenInstance, EmbeddedActionsParser, EOF as EOF_TYPE, Lexer, type IOrAlt, type IToken, type TokenType } from "./chevrotain.js";
import * as T from "./tokens.js";
import type { DnsEncacheEntry, EventBody, PyValue } from "../src/events/types.js";
import { detach, int, items, recordValue, ShapeError, statusOf, stripDot, textOf, unquote } from "./values.js";

/** Field names of a `Connection Error:` line. */
const CONNECTION_ERROR_KEYS: readonly TokenType[] = [T.DCID, T.Domain, T.IP, T.Port, T.Details, T.Interface, T.Reason];
/** Field names of a `Delayed:` or `Bounced:` line, before its SMTP part. */
const PROBLEM_KEYS: readonly TokenType[] = [T.DCID, T.MID, T.Message, T.From, T.To, T.RID, T.ToLower];
const isConnectionErrorKey = keySet(CONNECTION_ERROR_KEYS);
const isProblemKey = keySet(PROBLEM_KEYS);

function keySet(keys: readonly TokenType[]): (type: TokenType) => boolean {
  const set = new Set(keys);
  return (type) => set.has(type);
}

/** Fields read by their key words: the first value given to a key counts, an empty one does not. */
class Fields {
  private readonly values = new Map<string, string>();
  set(key: string, value: string | null): void {
    if (value !== null && !this.values.has(key)) this.values.set(key, value);
  }
  get(key: string): string | undefined {
    return this.values.get(key);
  }
  number(key: string): number | null {
    const value = this.values.get(key);
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
  }
}

/**
 * The fields of Chevrotain's parser (11.2, pinned in package.json) that EsaLogParser.begin sets
 * in place of `input`: the token vector, the index of its end and of the last token consumed,
 * the occurrence index of the rule called next, and the errors.
 */
interface ChevrotainParserState {
  tokVector: IToken[];
  tokVectorLength: number;
  currIdx: number;
  subruleIdx: number;
  errors: unknown[];
}
const CHEVROTAIN_STATE_FIELDS: readonly (keyof ChevrotainParserState)[] = ["tokVector", "tokVectorLength", "currIdx", "subruleIdx", "errors"];

export class EsaLogParser extends EmbeddedActionsParser {
  /** The text the tokens were lexed from: free-text fields are cut from it, so their spacing stays as logged. */
  private text = "";
  /** The first value of the wrong shape met while building the event (E_SHAPE), if any. */
  private shapeError: string | null = null;
  /**
   * The number after a line's first word (`DCID n`, `MID n`) and the `ICID n` after it, for the
   * alternatives that follow: those are built once (the `...Alternatives` fields), so they read
   * what the rule consumed before them here rather than from the rule's own variables. An OR
   * given a fresh array builds it, an object and a closure per alternative on every call: a
   * quarter of the bytes the input and grammar stages allocated on a 30 MB corpus (sampling
   * heap profile: 1310 MB, 969 MB with the three hottest rules' alternatives built once).
   */
  private lineNumber: IToken | null = null;
  private icidNumber: IToken | null = null;

  /** `validate`: run Chevrotain's checks of the grammar (see buildLexer for why the CLI's parser skips them). */
  constructor(validate = false) {
    // One token of lookahead decides every choice below (gates look further where a rule says so).
    // Recovery off: a line either fits or is malformed.
    super(T.allTokens, { maxLookahead: 1, recoveryEnabled: false, skipValidations: !validate });
    this.performSelfAnalysis();
    const missing = CHEVROTAIN_STATE_FIELDS.filter((field) => !(field in this));
    if (missing.length > 0) throw new Error(`this Chevrotain parser has no ${missing.join(", ")}: esa-dane needs Chevrotain 11.2 (see EsaLogParser.begin)`);
  }

  /**
   * Prepares a parse of tokens[from, to), lexed from `text`, where tokens[to] (if any) is an EOF
   * token. A batch's tokens are parsed in place, message after message: setting `input` for
   * each message took a copy of its tokens, and Chevrotain's reset() behind `input` gives the
   * parser three fresh arrays. Instead this sets what reset() and `input` set that a parse
   * reads (Chevrotain 11.2's lexer adapter, see CHEVROTAIN_STATE_FIELDS); recovery and
   * backtracking are off, so the rest of reset()'s state is back where it began after a parse.
   */
  begin(text: string, tokens: IToken[], from: number, to: number): void {
    this.text = text;
    this.shapeError = null;
    const state = this as unknown as ChevrotainParserState;
    state.tokVector = tokens;
    state.tokVectorLength = to;
    state.currIdx = from - 1;
    state.subruleIdx = 0;
    if (state.errors.length > 0) state.errors = [];
  }

  get shapeProblem(): string | null {
    return this.shapeError;
  }

  /** Runs `make` after the words were read; a ShapeError it throws becomes the line's E_SHAPE. */
  private event(make: () => EventBody): EventBody | null {
    return this.ACTION(() => {
      try {
        return make();
      } catch (error) {
        if (!(error instanceof ShapeError)) throw error;
        this.shapeError ??= error.message;
        return null;
      }
    });
  }

  /** The text from one token to another, as logged (detached: see values.ts). */
  private span(from: IToken | undefined, to: IToken | undefined): string | null {
    if (from === undefined || to === undefined) return null;
    // The lexer tracks start offsets only (cheaper): a token ends where its image does.
    return detach(this.text.slice(from.startOffset, to.startOffset + to.image.length));
  }

  private spanOf(words: IToken[]): string | null {
    return this.span(words[0], words[words.length - 1]);
  }

  // --- Python values, as the DNS lines print them -------------------------------------------

  /**
   * A Python repr: 'str', "str", 12, 12L, bare words (the encache line prints names unquoted),
   * tuples and lists. Tech note 214794, debug excerpts.
   * Beyond: any closer closes any opener, because a copy of the tech note prints
   * `data([(10, 'thinkbeyond-ch.mail.protection.outlook.com.']), insecure, 0, 3600)`.
   */
  public pyValue = this.RULE("pyValue", (): PyValue => this.OR(this.pyValueAlternatives));
  private readonly pyValueAlternatives: IOrAlt<PyValue>[] = [
    { ALT: () => ({ t: "str", v: unquote(this.CONSUME(T.SQString).image) }) },
    { ALT: () => ({ t: "str", v: unquote(this.CONSUME(T.DQString).image) }) },
    { ALT: () => pyInt(detach(this.CONSUME(T.PyLong).image)) },
    { ALT: () => pyInt(detach(this.CONSUME(T.Integer).image)) },
    { ALT: () => ({ t: "word", v: detach(this.CONSUME(T.Word).image) }) },
    { ALT: () => this.SUBRULE(this.pySequence) },
  ];

  /**
   * A Python tuple or list: `('ietf.org', 'MX', '194.191.40.84', 60)`, `[(0, 'mail.ietf.org.')]`,
   * `[]` (tech note 214794, debug excerpts). An opening parenthesis makes a tuple.
   */
  public pySequence = this.RULE("pySequence", (): PyValue => {
    const tuple = this.OR(this.sequenceOpeners);
    const values: PyValue[] = [];
    this.OPTION(() => {
      values.push(this.SUBRULE(this.pyValue));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        // A trailing comma, as in a one-element tuple `(x,)`, is valid Python.
        this.OPTION2(() => values.push(this.SUBRULE2(this.pyValue)));
      });
    });
    this.OR2(this.sequenceClosers);
    return tuple ? { t: "tuple", v: values } : { t: "list", v: values };
  });
  private readonly sequenceOpeners: IOrAlt<boolean>[] = [{ ALT: () => (this.CONSUME(T.LParen), true) }, { ALT: () => (this.CONSUME(T.LBracket), false) }];
  private readonly sequenceClosers: IOrAlt<IToken>[] = [{ ALT: () => this.CONSUME(T.RParen) }, { ALT: () => this.CONSUME(T.RBracket) }];

  // --- DNS lines (Debug and Warning) ---------------------------------------------------------

  /**
   * `DNS query: Q('ietf.org', 'MX')`, `QN('ietf.org', 'MX', 'recursive_nameserver0.parent')`,
   * `QIP ('ietf.org', 'MX', '194.191.40.84', 60)`, `Q ('ietf.org', 'MX', '194.191.40.84')`.
   * Tech note 214794. The tuple's arity and types are checked by the action (E_SHAPE).
   */
  public dnsQuery = this.RULE("dnsQuery", (): EventBody | null => {
    this.CONSUME(T.DnsQueryHead);
    const form = this.OR(this.queryForms);
    const tuple = this.SUBRULE(this.pySequence);
    return this.event(() => {
      const args = items(tuple);
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
    });
  });

  private readonly queryForms: IOrAlt<"QIP" | "QN" | "Q">[] = [
    { ALT: () => (this.CONSUME(T.QIP), "QIP" as const) },
    { ALT: () => (this.CONSUME(T.QN), "QN" as const) },
    { ALT: () => (this.CONSUME(T.Q), "Q" as const) },
  ];

  /**
   * `DNSSEC Response data([(0, 'mail.ietf.org.')] , secure, 0, 1800)`; `data([], , 0, 1800)` for
   * NODATA. Tech note 214794. Beyond: any word as the status (bogus and nxdomain are not shown
   * by any public source).
   */
  public dnssecResponse = this.RULE("dnssecResponse", (): EventBody | null => {
    this.CONSUME(T.DnssecResponseHead);
    this.CONSUME(T.Data);
    this.CONSUME(T.LParen);
    const records = this.SUBRULE(this.pySequence, { LABEL: "records" });
    this.CONSUME(T.Comma);
    const status = this.OPTION(() => this.CONSUME(T.Word, { LABEL: "status" }));
    this.CONSUME2(T.Comma);
    const code = this.CONSUME(T.Integer, { LABEL: "code" });
    this.CONSUME3(T.Comma);
    const ttl = this.CONSUME2(T.Integer, { LABEL: "ttl" });
    this.CONSUME(T.RParen);
    return this.event(() => {
      const statusText = detach(status?.image ?? "");
      return { kind: "dns-response", records: items(records).map(recordValue), status: statusOf(statusText), statusText, code: int(code.image), ttl: int(ttl.image) };
    });
  });

  /**
   * `DNS encache (ietf.org, MX, [(8496573380345476L, 0, 'SECURE', (0, 'mail.ietf.org'))])`.
   * Tech note 214794. Each entry must be (stamp, n, 'STATUS', value) (E_SHAPE otherwise).
   */
  public dnsEncache = this.RULE("dnsEncache", (): EventBody | null => {
    this.CONSUME(T.DnsEncacheHead);
    this.CONSUME(T.LParen);
    const name = this.CONSUME(T.Word, { LABEL: "name" });
    this.CONSUME(T.Comma);
    const qtype = this.CONSUME2(T.Word, { LABEL: "qtype" });
    this.CONSUME2(T.Comma);
    const list = this.SUBRULE(this.pySequence, { LABEL: "entries" });
    this.CONSUME(T.RParen);
    return this.event(() => {
      const entries: DnsEncacheEntry[] = items(list).map((entry) => {
        const fields = items(entry);
        const [stamp, , status, value] = fields;
        if (fields.length !== 4 || stamp?.t !== "int" || status === undefined || value === undefined) {
          throw new ShapeError("an encache entry is (stamp, n, 'STATUS', value)");
        }
        const statusText = textOf(status);
        return { stamp: stamp.raw.replace(/L$/, ""), status: statusOf(statusText), statusText, value: recordValue(value) };
      });
      return { kind: "dns-encache", name: stripDot(detach(name.image)), qtype: detach(qtype.image), entries };
    });
  });

  /**
   * `Received NODATA for domain mail.ietf.org type CNAME`. Tech note 214794.
   * Beyond: any answer word in place of NODATA (an NXDOMAIN line of this shape is plausible).
   */
  public dnsNoAnswer = this.RULE("dnsNoAnswer", (): EventBody | null => {
    this.CONSUME(T.Received);
    const answer = this.CONSUME(T.Word, { LABEL: "answer" });
    this.CONSUME(T.For);
    this.CONSUME(T.Domain);
    const name = this.CONSUME2(T.Word, { LABEL: "name" });
    this.CONSUME(T.Type);
    const qtype = this.CONSUME3(T.Word, { LABEL: "qtype" });
    return this.event(() => ({ kind: "dns-no-answer", answer: detach(answer.image), name: stripDot(detach(name.image)), qtype: detach(qtype.image) }));
  });

  /**
   * `No CNAME record(NoError) found for domain(mail.ietf.org)` and `No CNAME record() found ...`.
   * Tech note 214794.
   */
  public dnsNoCname = this.RULE("dnsNoCname", (): EventBody | null => {
    this.CONSUME(T.NoCnameHead);
    this.CONSUME(T.LParen);
    const reason = this.OPTION(() => this.CONSUME(T.Word, { LABEL: "reason" }));
    this.CONSUME(T.RParen);
    this.CONSUME(T.Found);
    this.CONSUME(T.For);
    this.CONSUME(T.Domain);
    this.CONSUME2(T.LParen);
    const name = this.CONSUME2(T.Word, { LABEL: "name" });
    this.CONSUME2(T.RParen);
    return this.event(() => ({ kind: "dns-no-cname", reason: detach(reason?.image ?? ""), name: stripDot(detach(name.image)) }));
  });

  /**
   * `Received an invalid DNS Response: SERVER FAILED to IP 194.191.40.83 looking up <name>`
   * (tech note 214794) and `... Response: '' to IP dummy_ip looking up example.de` (public
   * sample elastic-integrations-sample-system.log). The reason is any text before `to IP`.
   */
  public invalidDnsResponse = this.RULE("invalidDnsResponse", (): EventBody | null => {
    this.CONSUME(T.InvalidDnsResponseHead);
    const reason: IToken[] = [];
    this.MANY({
      GATE: () => !(this.LA(1).tokenType === T.ToLower && this.LA(2).tokenType === T.IP),
      DEF: () => reason.push(this.CONSUME(T.AnyToken, { LABEL: "reason" })),
    });
    this.CONSUME(T.ToLower);
    this.CONSUME(T.IP);
    const resolver = this.CONSUME(T.Word, { LABEL: "resolver" });
    this.CONSUME(T.Looking);
    this.CONSUME(T.Up);
    const name = this.SUBRULE(this.pyValue, { LABEL: "name" });
    return this.event(() => {
      const reasonText = this.spanOf(reason) ?? "";
      return { kind: "dns-resolver-failure", reason: reasonText === "''" ? "" : reasonText, resolver: detach(resolver.image), name: stripDot(textOf(name)) };
    });
  });

  /**
   * `Received an invalid DNSSEC Response: DNSSEC_Error('mail.ietf.org', 'AAAA', '194.191.40.84',
   * 'DNSSEC Error for hostname ... Error was: Unsupported qtype') of qtype AAAA looking up mail.ietf.org`.
   * Tech note 214794. Beyond: any error class name in place of DNSSEC_Error.
   */
  public invalidDnssecResponse = this.RULE("invalidDnssecResponse", (): EventBody | null => {
    this.CONSUME(T.InvalidDnssecResponseHead);
    this.CONSUME(T.Word, { LABEL: "errorClass" });
    const details = this.SUBRULE(this.pySequence, { LABEL: "details" });
    this.CONSUME(T.Of);
    this.CONSUME(T.Qtype);
    this.CONSUME2(T.Word, { LABEL: "qtype" });
    this.CONSUME(T.Looking);
    this.CONSUME(T.Up);
    this.CONSUME3(T.Word, { LABEL: "name" });
    return this.event(() => {
      const [name, qtype, resolver, message] = items(details);
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
    });
  });

  /**
   * `DNS query network error '[Errno 51] Network is unreachable' to 'dummy_ip' looking up ' '`.
   * Public samples elastic-integrations-sample-system.log and -test-common-system.log.
   */
  public dnsNetworkError = this.RULE("dnsNetworkError", (): EventBody | null => {
    this.CONSUME(T.DnsQueryNetworkErrorHead);
    const reason = this.SUBRULE(this.pyValue, { LABEL: "reason" });
    this.CONSUME(T.ToLower);
    const resolver = this.SUBRULE2(this.pyValue, { LABEL: "resolver" });
    this.CONSUME(T.Looking);
    this.CONSUME(T.Up);
    const name = this.SUBRULE3(this.pyValue, { LABEL: "name" });
    return this.event(() => ({ kind: "dns-resolver-failure", reason: textOf(reason), resolver: textOf(resolver), name: textOf(name).trim() }));
  });

  // --- Outbound connection and delivery lines (Info) ----------------------------------------

  /**
   * `New SMTP DCID 6565555 interface 68.232.141.109 address 144.191.128.186 port 25`
   * (criblpacks sample); without ` port 25` in the old AsyncOS help sample.
   * Beyond: an interface named by several words.
   */
  public connectionNew = this.RULE("connectionNew", (): EventBody | null => {
    this.CONSUME(T.NewSmtpDcidHead);
    const dcid = this.CONSUME(T.Integer, { LABEL: "dcid" });
    this.CONSUME(T.Interface);
    const iface: IToken[] = [];
    this.AT_LEAST_ONE({
      GATE: () => this.LA(1).tokenType !== T.Address,
      DEF: () => iface.push(this.CONSUME(T.AnyToken, { LABEL: "interface" })),
    });
    this.CONSUME(T.Address);
    const address = this.CONSUME(T.Word, { LABEL: "address" });
    const port = this.OPTION(() => {
      this.CONSUME(T.Port);
      return this.CONSUME2(T.Integer, { LABEL: "port" });
    });
    return this.event(() => ({
      kind: "connection-new",
      dcid: int(dcid.image),
      interface: this.spanOf(iface) ?? "",
      address: detach(address.image),
      port: port === undefined ? null : int(port.image),
    }));
  });

  /**
   * `DCID 30 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-SHA384[ for <domain>]`
   * (tech note; sc4s sample), `DCID 33 TLS success CN: <eq-c601.ironport.com>` (ironport-tools),
   * `DCID n TLS failed...` (shape of the ICID form: `ICID 4 TLS failed: [Errno 54] ...`),
   * `DCID 6565547 close` (criblpacks sample).
   */
  public dcidLine = this.RULE("dcidLine", (): EventBody | null => {
    this.CONSUME(T.DCID);
    this.lineNumber = this.CONSUME(T.Integer, { LABEL: "dcid" });
    return this.OR(this.dcidAlternatives);
  });
  private readonly dcidAlternatives: IOrAlt<EventBody | null>[] = [
    {
      ALT: () => {
        this.CONSUME(T.TlsSuccessHead);
        const protocol = this.OPTION(() => {
          this.CONSUME(T.Protocol);
          return this.CONSUME(T.Word, { LABEL: "protocol" });
        });
        const cipher = this.OPTION2(() => {
          this.CONSUME(T.Cipher);
          return this.CONSUME2(T.Word, { LABEL: "cipher" });
        });
        const daneDomain = this.OPTION3(() => {
          this.CONSUME(T.For);
          return this.CONSUME3(T.Word, { LABEL: "daneDomain" });
        });
        this.OPTION4(() => {
          this.CONSUME(T.CN);
          this.CONSUME(T.Colon);
          // Beyond: a bare name, as the addresses of `To:` may be.
          this.OR2(this.cnAlternatives);
        });
        return this.event(() => ({
          kind: "tls-success",
          dcid: int(this.lineNumber!.image),
          protocol: protocol === undefined ? null : detach(protocol.image),
          cipher: cipher === undefined ? null : detach(cipher.image),
          daneDomain: daneDomain === undefined ? null : detach(daneDomain.image.toLowerCase()),
        }));
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.TlsFailedHead);
        const reason: IToken[] = [];
        this.MANY(() => reason.push(this.CONSUME(T.AnyToken, { LABEL: "reason" })));
        return this.event(() => {
          const text = this.spanOf(reason);
          return { kind: "tls-failed", dcid: int(this.lineNumber!.image), reason: text === null ? null : text.replace(/^:\s*/, "") };
        });
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Close);
        return this.event(() => ({ kind: "connection-close", dcid: int(this.lineNumber!.image) }));
      },
    },
  ];
  private readonly cnAlternatives: IOrAlt<IToken>[] = [{ ALT: () => this.CONSUME(T.Angle, { LABEL: "cn" }) }, { ALT: () => this.CONSUME4(T.Word, { LABEL: "cn" }) }];

  /** `to RID [0]`, `to RID [0, 1, 2]`, and `to [0]` in AsyncOS 4-5 (ironport-tools). */
  public ridList = this.RULE("ridList", (): number[] => {
    this.CONSUME(T.ToLower);
    this.OPTION(() => this.CONSUME(T.RID));
    this.CONSUME(T.LBracket);
    const rids: number[] = [];
    this.MANY_SEP({ SEP: T.Comma, DEF: () => rids.push(int(this.CONSUME(T.Integer, { LABEL: "rid" }).image)) });
    this.CONSUME(T.RBracket);
    return rids;
  });

  /**
   * `Delivery start DCID 30 MID 14 to RID [0]` (AsyncOS help sample; criblpacks sample) and
   * `Message done DCID 30 MID 14 to RID [0]`, with a suffix `(external quarantine)` or a header
   * list `[('from', ...)]` (criblpacks sample). The suffix is kept as text.
   * Beyond the outbound form: `Delivery start ... to RID [0] to offbox IronPort Spam Quarantine`
   * (criblpacks sample).
   */
  public deliveryLine = this.RULE("deliveryLine", (): EventBody | null => {
    const start = this.OR(this.deliveryHeads);
    this.CONSUME(T.DCID);
    const dcid = this.CONSUME(T.Integer, { LABEL: "dcid" });
    this.CONSUME(T.MID);
    const mid = this.CONSUME2(T.Integer, { LABEL: "mid" });
    const rids = this.SUBRULE(this.ridList);
    const suffix: IToken[] = [];
    this.MANY(() => suffix.push(this.CONSUME(T.AnyToken, { LABEL: "suffix" })));
    return this.event(() => ({
      kind: start ? "delivery-start" : "message-done",
      dcid: int(dcid.image),
      mid: int(mid.image),
      rids,
      suffix: this.spanOf(suffix),
    }));
  });

  private readonly deliveryHeads: IOrAlt<boolean>[] = [
    { ALT: () => (this.CONSUME(T.DeliveryStartHead), true) },
    { ALT: () => (this.CONSUME(T.MessageDoneHead), false) },
  ];

  /**
   * An address after `To:` or `From:`: `<matthew@cisco.com>` (public samples), or bare as a
   * posted real log prints it: `To: ******@domainsample2.com`, `From: ******@domainsample1.com`.
   * The address comes without its angle brackets.
   */
  public mailAddress = this.RULE("mailAddress", (): string => this.OR(this.addressForms));
  private readonly addressForms: IOrAlt<string>[] = [
    { ALT: () => detach(this.CONSUME(T.Angle, { LABEL: "address" }).image.slice(1, -1)) },
    { ALT: () => detach(this.CONSUME(T.Word, { LABEL: "address" }).image) },
  ];

  /**
   * Message lines that start `MID n`: `MID 64855 ICID 3160 RID 0 To: <matthew@cisco.com>`,
   * `MID 6 ICID 5 From: <sender@remotehost.com>`, `MID 24611465 RID [0] Response '2.0.0 Ok: ...'`,
   * `MID 14 queued for delivery`. Public samples (212837, AsyncOS help, criblpacks); the
   * address may be bare (`MID 14 ICID 14 RID 0 To: ******@domainsample2.com`, a posted real log).
   */
  public midLine = this.RULE("midLine", (): EventBody | null => {
    this.CONSUME(T.MID);
    this.lineNumber = this.CONSUME(T.Integer, { LABEL: "mid" });
    return this.OR(this.midAlternatives);
  });
  private readonly midAlternatives: IOrAlt<EventBody | null>[] = [
    {
      ALT: () => {
        this.CONSUME(T.ICID);
        this.icidNumber = this.CONSUME2(T.Integer, { LABEL: "icid" });
        return this.OR2(this.icidAlternatives);
      },
    },
    {
      ALT: () => {
        this.CONSUME2(T.RID);
        this.CONSUME(T.LBracket);
        const rids: number[] = [];
        this.MANY_SEP({ SEP: T.Comma, DEF: () => rids.push(int(this.CONSUME4(T.Integer, { LABEL: "rids" }).image)) });
        this.CONSUME(T.RBracket);
        this.CONSUME(T.Response);
        // Quoted since AsyncOS 7; bare text in AsyncOS 4-5 (`Response ok 1083092729 qp 3998`, ironport-tools).
        const words: IToken[] = [];
        this.MANY2(() => words.push(this.CONSUME(T.AnyToken, { LABEL: "response" })));
        return this.event(() => {
          const only = words.length === 1 ? words[0]! : undefined;
          const quoted = only !== undefined && (only.tokenType === T.SQString || only.tokenType === T.DQString);
          const response = quoted ? unquote(only.image) : (this.spanOf(words) ?? "");
          return { kind: "delivery-response", mid: int(this.lineNumber!.image), rids, response };
        });
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.QueuedForDeliveryHead);
        return this.event(() => ({ kind: "message-queued", mid: int(this.lineNumber!.image) }));
      },
    },
  ];
  private readonly icidAlternatives: IOrAlt<EventBody | null>[] = [
    {
      ALT: () => {
        this.CONSUME(T.RID);
        const rid = this.CONSUME3(T.Integer, { LABEL: "rid" });
        this.CONSUME(T.To);
        this.CONSUME(T.Colon);
        const to = this.SUBRULE(this.mailAddress, { LABEL: "to" });
        return this.event(() => ({ kind: "message-recipient", mid: int(this.lineNumber!.image), icid: int(this.icidNumber!.image), rid: int(rid.image), to }));
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.From);
        this.CONSUME2(T.Colon);
        const from = this.SUBRULE2(this.mailAddress, { LABEL: "from" });
        return this.event(() => ({ kind: "message-sender", mid: int(this.lineNumber!.image), icid: int(this.icidNumber!.image), from }));
      },
    },
  ];

  /** `Start MID 6 ICID 5`. AsyncOS help sample. */
  public messageStart = this.RULE("messageStart", (): EventBody | null => {
    this.CONSUME(T.StartMidHead);
    const mid = this.CONSUME(T.Integer, { LABEL: "mid" });
    this.CONSUME(T.ICID);
    const icid = this.CONSUME2(T.Integer, { LABEL: "icid" });
    // Beyond: a note such as `(ISQ Notification)` (ironport-tools).
    const note: IToken[] = [];
    this.MANY(() => note.push(this.CONSUME(T.AnyToken, { LABEL: "note" })));
    return this.event(() => ({ kind: "message-start", mid: int(mid.image), icid: int(icid.image), note: this.spanOf(note) }));
  });

  /** `Message finished MID 24611465 done` (criblpacks sample). Beyond: any outcome words. */
  public messageFinished = this.RULE("messageFinished", (): EventBody | null => {
    this.CONSUME(T.MessageFinishedHead);
    this.CONSUME(T.MID);
    const mid = this.CONSUME(T.Integer, { LABEL: "mid" });
    const outcome: IToken[] = [];
    this.AT_LEAST_ONE(() => outcome.push(this.CONSUME(T.AnyToken, { LABEL: "outcome" })));
    return this.event(() => ({ kind: "message-finished", mid: int(mid.image), outcome: this.spanOf(outcome) ?? "" }));
  });

  /**
   * The words of a field of a Connection Error, Delayed or Bounced line, after its key word and
   * an optional colon: everything up to where `stop` says the next field begins.
   */
  public fieldWords = this.RULE("fieldWords", (stop: () => boolean): string | null => {
    const words: IToken[] = [];
    this.OPTION(() => this.CONSUME(T.Colon));
    this.MANY({ GATE: () => !stop(), DEF: () => words.push(this.CONSUME(T.AnyToken, { LABEL: "word" })) });
    return this.ACTION(() => this.spanOf(words));
  });

  /**
   * `Connection Error: DCID 63 domain: example.com IP: 10.13.101.31 port: 25 details: ...
   * interface: ... reason: network error` (reference), and the AsyncOS 4-5 forms
   * `Connection Error: connection timed out DCID: 2804 IP: ... details: timeout interface: ...`
   * (ironport-tools). Fields in any order, each named by its key word with or without a colon;
   * words before the first key are the details of the old form. The first value of a key counts.
   */
  public connectionError = this.RULE("connectionError", (): EventBody | null => {
    this.CONSUME(T.ConnectionErrorHead);
    const fields = new Fields();
    const leading: IToken[] = [];
    this.MANY({
      GATE: () => !this.atConnectionErrorKey(),
      DEF: () => leading.push(this.CONSUME(T.AnyToken, { LABEL: "leading" })),
    });
    this.keyedFields(CONNECTION_ERROR_KEYS, (i) => this.subrule(i, this.fieldWords, { ARGS: [this.atConnectionErrorKey] }), fields);
    return this.event(() => {
      fields.set("", this.spanOf(leading));
      return {
        kind: "connection-error",
        dcid: fields.number("DCID"),
        domain: fields.get("domain")?.toLowerCase() ?? null,
        ip: fields.get("IP") ?? null,
        port: fields.number("port"),
        details: fields.get("details") ?? fields.get("") ?? null,
        interface: fields.get("interface") ?? null,
        reason: fields.get("reason") ?? null,
      };
    });
  });

  /**
   * Fields named by key words, in any order: one alternative per key, then the key's words, read
   * by `value(i)` for the i-th key. Connection Error and Delayed/Bounced lines; MANY2 and OR2
   * are free in both rules.
   */
  private keyedFields(keys: readonly TokenType[], value: (i: number) => string | null, fields: Fields): void {
    this.MANY2(() => {
      const field = this.OR2(keys.map((key, i) => ({ ALT: (): [string, string | null] => [this.consume(i, key).image, value(i)] })));
      this.ACTION(() => fields.set(field[0], field[1]));
    });
  }

  private readonly atConnectionErrorKey = (): boolean => isConnectionErrorKey(this.LA(1).tokenType);

  /** A key word, or ` - 4.3.2 - `: the SMTP part of a Delayed or Bounced line starts here. */
  private readonly atProblemField = (): boolean => {
    const next = this.LA(1).tokenType;
    return isProblemKey(next) || (next === T.Dash && this.LA(3).tokenType === T.Dash);
  };

  /**
   * `Delayed: DCID 8414309 MID 19410908 From: <a@b> To: <c@d> RID 0 - 4.3.2 - Not accepting
   * messages at this time ('421', ['4.3.2 try again later'])` and `Bounced:` lines, new form
   * (reference; elastic bounces sample) and old forms `Bounced: DCID 0 MID 8 to RID 0 - ...`,
   * `Bounced: DCID: 1911 Message 3993 to 0 - ...` (ironport-tools). Fields named by key words
   * (as in Connection Error), then the SMTP part: ` - DSN - text`, then the reply
   * `('code', ['line', ...])`. In `MID 8 to RID 0` the `to` only separates; in `Message 3993 to 0`
   * it names the RID.
   */
  public deliveryProblem = this.RULE("deliveryProblem", (): EventBody | null => {
    const delayed = this.OR([{ ALT: () => (this.CONSUME(T.DelayedHead), true) }, { ALT: () => (this.CONSUME(T.BouncedHead), false) }]);
    const fields = new Fields();
    this.MANY({
      GATE: () => !this.atProblemField(),
      DEF: () => this.CONSUME(T.AnyToken, { LABEL: "leading" }),
    });
    this.keyedFields(PROBLEM_KEYS, (i) => this.subrule(i, this.fieldWords, { ARGS: [this.atProblemField] }), fields);
    let dsn: string | null = null;
    let text: string | null = null;
    let smtpCode: string | null = null;
    const smtpLines: string[] = [];
    this.OPTION({
      GATE: () => this.LA(1).tokenType === T.Dash && this.LA(3).tokenType === T.Dash,
      DEF: () => {
        this.CONSUME(T.Dash);
        dsn = detach(this.CONSUME2(T.AnyToken, { LABEL: "dsn" }).image);
        this.CONSUME2(T.Dash);
        const words: IToken[] = [];
        this.MANY3({
          GATE: () => !(this.LA(1).tokenType === T.LParen && this.LA(2).tokenType === T.SQString),
          DEF: () => words.push(this.CONSUME3(T.AnyToken, { LABEL: "text" })),
        });
        text = this.ACTION(() => this.spanOf(words));
        this.OPTION2(() => {
          this.CONSUME(T.LParen);
          smtpCode = unquote(this.CONSUME(T.SQString, { LABEL: "smtpCode" }).image);
          // The reply's lines are its quoted strings, however they are nested.
          this.MANY4(() => {
            const word = this.CONSUME4(T.AnyToken, { LABEL: "reply" });
            if (word.tokenType === T.SQString || word.tokenType === T.DQString) smtpLines.push(unquote(word.image));
          });
        });
      },
    });
    return this.event(() => {
      const address = (key: string) => fields.get(key)?.replace(/^<|>$/g, "") ?? null;
      return {
        kind: delayed ? "delivery-delayed" : "delivery-bounced",
        dcid: fields.number("DCID"),
        mid: fields.number("MID") ?? fields.number("Message"),
        from: address("From"),
        to: address("To"),
        rid: fields.number("RID") ?? fields.number("to"),
        dsn,
        text,
        smtpCode,
        smtpLines,
      };
    });
  });

  // --- File header lines (Info) --------------------------------------------------------------

  /**
   * `Begin Logfile`, `Version: 7.6.3-019 SN: 420D4FEA709365BFB3E3-0AF2EE5E700E`,
   * `Time offset from UTC: -21600 seconds` (criblpacks sample).
   */
  public headerLine = this.RULE("headerLine", (): EventBody | null =>
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.BeginLogfileHead);
          return this.event(() => ({ kind: "log-begin" }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.VersionHead);
          const version = this.CONSUME(T.Word, { LABEL: "version" });
          const serial = this.OPTION(() => {
            this.CONSUME(T.SN);
            this.CONSUME(T.Colon);
            return this.CONSUME2(T.Word, { LABEL: "serial" });
          });
          return this.event(() => ({ kind: "log-version", version: detach(version.image), serial: serial === undefined ? null : detach(serial.image) }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.TimeOffsetHead);
          const offset = this.CONSUME(T.Integer, { LABEL: "offset" });
          this.CONSUME(T.Seconds);
          return this.event(() => ({ kind: "time-offset", seconds: int(offset.image) }));
        },
      },
    ]),
  );
}

function pyInt(image: string): PyValue {
  return { t: "int", v: int(image), raw: image };
}

/** The entry rules, one per modelled line family. */
export type EntryRule =
  | "dnsQuery"
  | "dnssecResponse"
  | "dnsEncache"
  | "dnsNoAnswer"
  | "dnsNoCname"
  | "invalidDnsResponse"
  | "invalidDnssecResponse"
  | "dnsNetworkError"
  | "connectionNew"
  | "dcidLine"
  | "deliveryLine"
  | "midLine"
  | "messageStart"
  | "messageFinished"
  | "connectionError"
  | "deliveryProblem"
  | "headerLine";

/**
 * How a message shows its family: the tokens it starts with. A message of a modelled family
 * starts with one of these heads (AnyToken: any one token); `close` of a DCID line must end the
 * message. Most lines of a mail log fit no head and are counted as unknown without parsing.
 * Some families share a first token with lines esa-dane does not model (`MID 14 using engine`,
 * `DCID 30 close` vs other DCID lines): their heads are as long as it takes to tell them apart.
 */
export const ENTRY_HEADS: readonly { rule: EntryRule; head: readonly TokenType[]; thenEnd?: true }[] = [
  { rule: "dnsQuery", head: [T.DnsQueryHead] },
  { rule: "dnssecResponse", head: [T.DnssecResponseHead] },
  { rule: "dnsEncache", head: [T.DnsEncacheHead] },
  { rule: "dnsNetworkError", head: [T.DnsQueryNetworkErrorHead] },
  { rule: "dnsNoAnswer", head: [T.Received, T.AnyToken, T.For, T.Domain] },
  { rule: "dnsNoCname", head: [T.NoCnameHead] },
  { rule: "invalidDnsResponse", head: [T.InvalidDnsResponseHead] },
  { rule: "invalidDnssecResponse", head: [T.InvalidDnssecResponseHead] },
  { rule: "connectionNew", head: [T.NewSmtpDcidHead] },
  { rule: "dcidLine", head: [T.DCID, T.Integer, T.TlsSuccessHead] },
  { rule: "dcidLine", head: [T.DCID, T.Integer, T.TlsFailedHead] },
  { rule: "dcidLine", head: [T.DCID, T.Integer, T.Close], thenEnd: true },
  { rule: "deliveryLine", head: [T.DeliveryStartHead] },
  { rule: "deliveryLine", head: [T.MessageDoneHead] },
  { rule: "midLine", head: [T.MID, T.Integer, T.ICID, T.Integer, T.RID, T.Integer, T.To, T.Colon] },
  { rule: "midLine", head: [T.MID, T.Integer, T.ICID, T.Integer, T.From, T.Colon] },
  { rule: "midLine", head: [T.MID, T.Integer, T.RID, T.LBracket] },
  { rule: "midLine", head: [T.MID, T.Integer, T.QueuedForDeliveryHead] },
  { rule: "messageStart", head: [T.StartMidHead] },
  { rule: "messageFinished", head: [T.MessageFinishedHead] },
  { rule: "connectionError", head: [T.ConnectionErrorHead] },
  { rule: "deliveryProblem", head: [T.DelayedHead] },
  { rule: "deliveryProblem", head: [T.BouncedHead] },
  { rule: "headerLine", head: [T.BeginLogfileHead] },
  { rule: "headerLine", head: [T.VersionHead] },
  { rule: "headerLine", head: [T.TimeOffsetHead] },
];

export const ENTRY_RULES: readonly EntryRule[] = [...new Set(ENTRY_HEADS.map((h) => h.rule))];

/** Heads by their first token's type index: one map lookup rejects most unknown lines. */
const HEADS_BY_FIRST = new Map<number, (typeof ENTRY_HEADS)[number][]>();
for (const entry of ENTRY_HEADS) {
  const first = entry.head[0]!.tokenTypeIdx!;
  HEADS_BY_FIRST.set(first, [...(HEADS_BY_FIRST.get(first) ?? []), entry]);
}

/** A token's pattern as regular-expression source, or null for a category (any of several tokens). */
function patternSource(type: TokenType): string | null {
  const pattern = type.PATTERN;
  if (typeof pattern === "string") return pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  if (pattern instanceof RegExp && pattern !== Lexer.NA) {
    if (pattern.flags !== "") throw new Error(`token ${type.name}: a head token's pattern must have no flags`);
    return `(?:${pattern.source})`;
  }
  return null;
}

/** What the lexer may skip between two tokens: any run of the skipped tokens (blanks). */
const SKIPPED_RUN = `(?:${T.allTokens
  .filter((type) => type.GROUP === Lexer.SKIPPED)
  .map((type) => patternSource(type)!)
  .join("|")})*`;

/**
 * The text a message must start with for the lexer to give it a head: each head's tokens, as
 * their own patterns with blanks between, up to its first category token (AnyToken matches
 * anything). The lexer can start a message with a head's tokens only if the message matches
 * their patterns in turn, so a message that fits none is not worth lexing. Keywords give way
 * to longer words and heads come before keywords in the lexer, so the test can let through a
 * message the lexer reads otherwise (`MID 12L ICID`), never the other way round.
 * Unknown lines such as `ICID n RELAY ...`, `New SMTP ICID ...` and `MID n Subject ...` (about
 * a quarter of the messages that start with a head's first word) are not lexed.
 */
const HEAD_PREFIX = new RegExp(`^${headPrefixPattern()}`);

/**
 * The heads' token patterns as one regular expression, shared beginnings written once
 * (`MID n (?:ICID n (?:RID n To :|From :)|RID [|queued for delivery)`): the engine tries each
 * alternative at its first character, and 27 heads start with 20 different texts.
 */
function headPrefixPattern(): string {
  interface Node {
    readonly next: Map<string, Node>;
    /** A head's tokens up to here are all the test needs (what follows is a category or nothing). */
    complete: boolean;
  }
  const root: Node = { next: new Map(), complete: false };
  for (const { head } of ENTRY_HEADS) {
    let node = root;
    for (const type of head) {
      const source = patternSource(type);
      if (source === null) break;
      let child = node.next.get(source);
      if (child === undefined) node.next.set(source, (child = { next: new Map(), complete: false }));
      node = child;
    }
    node.complete = true;
  }
  const pattern = (node: Node): string => {
    if (node.complete) return "";
    const alternatives = [...node.next].map(([source, child]) => (child.complete ? source : `${source}${SKIPPED_RUN}${pattern(child)}`));
    return alternatives.length === 1 ? alternatives[0]! : `(?:${alternatives.join("|")})`;
  };
  return pattern(root);
}

/** False when no entry head can start the message (see HEAD_PREFIX); true means it is worth lexing. */
export function mayStartWithHead(message: string): boolean {
  return HEAD_PREFIX.test(message);
}

function matches(token: IToken, type: TokenType): boolean {
  return token.tokenType === type || (type.isParent === true && type.categoryMatchesMap![token.tokenTypeIdx] === true);
}

/** The entry rule for the message in tokens[from, to) starting at `offset`, or null when none models it. */
export function entryRuleOf(tokens: IToken[], from: number, to: number, offset: number): EntryRule | null {
  if (from >= to || tokens[from]!.startOffset !== offset) return null;
  const candidates = HEADS_BY_FIRST.get(tokens[from]!.tokenTypeIdx);
  if (candidates === undefined) return null;
  for (const { rule, head, thenEnd } of candidates) {
    if (to - from < head.length || (thenEnd === true && to - from !== head.length)) continue;
    let i = 1;
    while (i < head.length && matches(tokens[from + i]!, head[i]!)) i++;
    if (i === head.length) return rule;
  }
  return null;
}

/**
 * The lexer. `validate`: run Chevrotain's checks of the token definitions. Those checks, and the
 * parser's of the grammar (ambiguities, unreachable alternatives), find nothing that a test
 * would not: test/lexer.test.ts builds a validated lexer and parser, and every run of the CLI
 * (a cron job's `alert` every few minutes, 240 spawns in the test suite) skips them: `alert`
 * on samples/mail_logs_d.current took 467 ms with them, 431 ms without (15 alternated pairs).
 */
export function buildLexer(validate = false): InstanceType<typeof Lexer> {
  // ensureOptimizations is not a validation: it still throws if the first-character optimisation is off.
  return new Lexer(T.allTokens, { positionTracking: "onlyOffset", ensureOptimizations: true, skipValidations: !validate });
}

/** Lexer and parser, built once per process (Chevrotain's self-analysis is the slow part). */
export const esaLexer = buildLexer();
export const esaParser = new EsaLogParser();

/** What the grammar makes of one message. */
export type MessageParse =
  | { type: "event"; body: EventBody }
  | { type: "unknown" }
  | { type: "malformed"; family: EntryRule; code: "E_PARSE" | "E_SHAPE"; message: string; atEnd: boolean };

const UNKNOWN: MessageParse = Object.freeze({ type: "unknown" });

/**
 * Ends each message of a lexed batch: Chevrotain's parser looks one token past the input
 * (unchecked), where it expects an EOF token; a batch's newline tokens are replaced by this.
 */
const MESSAGE_END = createTokenInstance(EOF_TYPE, "", NaN, NaN, NaN, NaN, NaN, NaN);

/**
 * Parses the message whose tokens are tokens[from, to) of a lexing of `text`, where the message
 * starts at `offset`. tokens[to], if any, must be an EOF token (MESSAGE_END).
 */
function parseTokens(text: string, tokens: IToken[], from: number, to: number, offset: number): MessageParse {
  const rule = entryRuleOf(tokens, from, to, offset);
  if (rule === null) return UNKNOWN;
  const parser = esaParser;
  parser.begin(text, tokens, from, to);
  const body = parser[rule]();
  const errors = parser.errors;
  if (errors.length > 0) {
    const first = errors[0]!;
    const atEnd = first.token.tokenType === EOF_TYPE || Number.isNaN(first.token.startOffset);
    return { type: "malformed", family: rule, code: "E_PARSE", message: detach(first.message), atEnd };
  }
  const shape = parser.shapeProblem;
  if (shape !== null || body === null) return { type: "malformed", family: rule, code: "E_SHAPE", message: shape ?? "no event", atEnd: false };
  return { type: "event", body };
}

/** Lexes and parses one message. */
export function parseMessage(message: string): MessageParse {
  if (!mayStartWithHead(message)) return UNKNOWN;
  const tokens = esaLexer.tokenize(message).tokens;
  return parseTokens(message, tokens, 0, tokens.length, 0);
}

/**
 * Parses messages, giving the same outcomes as parseMessage on each: those that may start with
 * a head are joined by newlines and lexed in one call (about 30 % less lexing time than a call
 * per message, measured on batches of 150), then each is parsed from its own tokens.
 */
export function parseMessages(messages: readonly string[]): MessageParse[] {
  const outcomes: MessageParse[] = new Array<MessageParse>(messages.length).fill(UNKNOWN);
  const lexed: number[] = [];
  for (let i = 0; i < messages.length; i++) if (mayStartWithHead(messages[i]!)) lexed.push(i);
  if (lexed.length === 0) return outcomes;
  const text = lexed.map((i) => messages[i]!).join("\n");
  const tokens = esaLexer.tokenize(text).tokens;
  const newline = T.Newline.tokenTypeIdx!;
  let start = 0;
  let from = 0;
  for (const i of lexed) {
    // No message has a newline, and the lexer is total: each joining newline is one token.
    let to = from;
    while (to < tokens.length && tokens[to]!.tokenTypeIdx !== newline) to++;
    if (to < tokens.length) tokens[to] = MESSAGE_END;
    outcomes[i] = parseTokens(text, tokens, from, to, start);
    from = to + 1;
    start += messages[i]!.length + 1;
  }
  return outcomes;
}
