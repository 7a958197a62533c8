// The grammar of the ESA mail log lines esa-dane models: one entry rule per line family, over
// the message part of a line (after `Level: `). src/events/classify.ts picks the entry rule from
// the line's first words; a line whose words fit no family never reaches this parser.
//
// Every rule cites the line form it models. "Beyond" marks what it accepts that no source shows:
// the reference (shared/reference/esa-dane.md) asks to parse the general shape and never to
// require exact text where the shape will do.
import { CstParser, EOF as EOF_TYPE, Lexer, type CstNode, type IToken } from "./chevrotain.js";
import * as T from "./tokens.js";

export class EsaLogParser extends CstParser {
  constructor() {
    // maxLookahead 3 is enough for every decision below; recovery off: a line either fits or is malformed.
    super(T.allTokens, { maxLookahead: 3, recoveryEnabled: false, nodeLocationTracking: "none" });
    this.performSelfAnalysis();
  }

  // --- Python values, as the DNS lines print them -------------------------------------------

  /**
   * A Python repr: 'str', "str", 12, 12L, bare words (the encache line prints names unquoted),
   * tuples and lists. Tech note 214794, debug excerpts.
   * Beyond: any closer closes any opener, because a copy of the tech note prints
   * `data([(10, 'thinkbeyond-ch.mail.protection.outlook.com.']), insecure, 0, 3600)`.
   */
  public pyValue = this.RULE("pyValue", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.SQString) },
      { ALT: () => this.CONSUME(T.DQString) },
      { ALT: () => this.CONSUME(T.PyLong) },
      { ALT: () => this.CONSUME(T.Integer) },
      { ALT: () => this.CONSUME(T.Word) },
      { ALT: () => this.SUBRULE(this.pySequence) },
    ]);
  });

  public pySequence = this.RULE("pySequence", () => {
    this.OR([{ ALT: () => this.CONSUME(T.LParen) }, { ALT: () => this.CONSUME(T.LBracket) }]);
    this.OPTION(() => {
      this.SUBRULE(this.pyValue);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        // A trailing comma, as in a one-element tuple `(x,)`, is valid Python.
        this.OPTION2(() => this.SUBRULE2(this.pyValue));
      });
    });
    this.OR2([{ ALT: () => this.CONSUME(T.RParen) }, { ALT: () => this.CONSUME(T.RBracket) }]);
  });

  // --- DNS lines (Debug and Warning) ---------------------------------------------------------

  /**
   * `DNS query: Q('ietf.org', 'MX')`, `QN('ietf.org', 'MX', 'recursive_nameserver0.parent')`,
   * `QIP ('ietf.org', 'MX', '194.191.40.84', 60)`, `Q ('ietf.org', 'MX', '194.191.40.84')`.
   * Tech note 214794. The tuple's arity and types are checked by the visitor.
   */
  public dnsQuery = this.RULE("dnsQuery", () => {
    this.CONSUME(T.DnsQueryHead);
    this.OR([{ ALT: () => this.CONSUME(T.QIP) }, { ALT: () => this.CONSUME(T.QN) }, { ALT: () => this.CONSUME(T.Q) }]);
    this.SUBRULE(this.pySequence);
  });

  /**
   * `DNSSEC Response data([(0, 'mail.ietf.org.')] , secure, 0, 1800)`; `data([], , 0, 1800)` for
   * NODATA. Tech note 214794. Beyond: any word as the status (bogus and nxdomain are not shown
   * by any public source).
   */
  public dnssecResponse = this.RULE("dnssecResponse", () => {
    this.CONSUME(T.DnssecResponseHead);
    this.CONSUME(T.Data);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.pySequence, { LABEL: "records" });
    this.CONSUME(T.Comma);
    this.OPTION(() => this.CONSUME(T.Word, { LABEL: "status" }));
    this.CONSUME2(T.Comma);
    this.CONSUME(T.Integer, { LABEL: "code" });
    this.CONSUME3(T.Comma);
    this.CONSUME2(T.Integer, { LABEL: "ttl" });
    this.CONSUME(T.RParen);
  });

  /**
   * `DNS encache (ietf.org, MX, [(8496573380345476L, 0, 'SECURE', (0, 'mail.ietf.org'))])`.
   * Tech note 214794. The entry tuples are checked by the visitor.
   */
  public dnsEncache = this.RULE("dnsEncache", () => {
    this.CONSUME(T.DnsEncacheHead);
    this.CONSUME(T.LParen);
    this.CONSUME(T.Word, { LABEL: "name" });
    this.CONSUME(T.Comma);
    this.CONSUME2(T.Word, { LABEL: "qtype" });
    this.CONSUME2(T.Comma);
    this.SUBRULE(this.pySequence, { LABEL: "entries" });
    this.CONSUME(T.RParen);
  });

  /**
   * `Received NODATA for domain mail.ietf.org type CNAME`. Tech note 214794.
   * Beyond: any answer word in place of NODATA (an NXDOMAIN line of this shape is plausible).
   */
  public dnsNoAnswer = this.RULE("dnsNoAnswer", () => {
    this.CONSUME(T.Received);
    this.CONSUME(T.Word, { LABEL: "answer" });
    this.CONSUME(T.For);
    this.CONSUME(T.Domain);
    this.CONSUME2(T.Word, { LABEL: "name" });
    this.CONSUME(T.Type);
    this.CONSUME3(T.Word, { LABEL: "qtype" });
  });

  /**
   * `No CNAME record(NoError) found for domain(mail.ietf.org)` and `No CNAME record() found ...`.
   * Tech note 214794.
   */
  public dnsNoCname = this.RULE("dnsNoCname", () => {
    this.CONSUME(T.NoCnameHead);
    this.CONSUME(T.LParen);
    this.OPTION(() => this.CONSUME(T.Word, { LABEL: "reason" }));
    this.CONSUME(T.RParen);
    this.CONSUME(T.Found);
    this.CONSUME(T.For);
    this.CONSUME(T.Domain);
    this.CONSUME2(T.LParen);
    this.CONSUME2(T.Word, { LABEL: "name" });
    this.CONSUME2(T.RParen);
  });

  /**
   * `Received an invalid DNS Response: SERVER FAILED to IP 194.191.40.83 looking up <name>`
   * (tech note 214794) and `... Response: '' to IP dummy_ip looking up example.de` (public
   * sample elastic-integrations-sample-system.log). The reason is any text before `to IP`.
   */
  public invalidDnsResponse = this.RULE("invalidDnsResponse", () => {
    this.CONSUME(T.InvalidDnsResponseHead);
    this.MANY({
      GATE: () => !(this.LA(1).tokenType === T.ToLower && this.LA(2).tokenType === T.IP),
      DEF: () => this.CONSUME(T.AnyToken, { LABEL: "reason" }),
    });
    this.CONSUME(T.ToLower);
    this.CONSUME(T.IP);
    this.CONSUME(T.Word, { LABEL: "resolver" });
    this.CONSUME(T.Looking);
    this.CONSUME(T.Up);
    this.SUBRULE(this.pyValue, { LABEL: "name" });
  });

  /**
   * `Received an invalid DNSSEC Response: DNSSEC_Error('mail.ietf.org', 'AAAA', '194.191.40.84',
   * 'DNSSEC Error for hostname ... Error was: Unsupported qtype') of qtype AAAA looking up mail.ietf.org`.
   * Tech note 214794. Beyond: any error class name in place of DNSSEC_Error.
   */
  public invalidDnssecResponse = this.RULE("invalidDnssecResponse", () => {
    this.CONSUME(T.InvalidDnssecResponseHead);
    this.CONSUME(T.Word, { LABEL: "errorClass" });
    this.SUBRULE(this.pySequence, { LABEL: "details" });
    this.CONSUME(T.Of);
    this.CONSUME(T.Qtype);
    this.CONSUME2(T.Word, { LABEL: "qtype" });
    this.CONSUME(T.Looking);
    this.CONSUME(T.Up);
    this.CONSUME3(T.Word, { LABEL: "name" });
  });

  /**
   * `DNS query network error '[Errno 51] Network is unreachable' to 'dummy_ip' looking up ' '`.
   * Public samples elastic-integrations-sample-system.log and -test-common-system.log.
   */
  public dnsNetworkError = this.RULE("dnsNetworkError", () => {
    this.CONSUME(T.DnsQueryNetworkErrorHead);
    this.SUBRULE(this.pyValue, { LABEL: "reason" });
    this.CONSUME(T.ToLower);
    this.SUBRULE2(this.pyValue, { LABEL: "resolver" });
    this.CONSUME(T.Looking);
    this.CONSUME(T.Up);
    this.SUBRULE3(this.pyValue, { LABEL: "name" });
  });

  // --- Outbound connection and delivery lines (Info) ----------------------------------------

  /**
   * `New SMTP DCID 6565555 interface 68.232.141.109 address 144.191.128.186 port 25`
   * (criblpacks sample); without ` port 25` in the old AsyncOS help sample.
   * Beyond: an interface named by several words.
   */
  public connectionNew = this.RULE("connectionNew", () => {
    this.CONSUME(T.NewSmtpDcidHead);
    this.CONSUME(T.Integer, { LABEL: "dcid" });
    this.CONSUME(T.Interface);
    this.AT_LEAST_ONE({
      GATE: () => this.LA(1).tokenType !== T.Address,
      DEF: () => this.CONSUME(T.AnyToken, { LABEL: "interface" }),
    });
    this.CONSUME(T.Address);
    this.CONSUME(T.Word, { LABEL: "address" });
    this.OPTION(() => {
      this.CONSUME(T.Port);
      this.CONSUME2(T.Integer, { LABEL: "port" });
    });
  });

  /**
   * `DCID 30 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-SHA384[ for <domain>]`
   * (tech note; sc4s sample), `DCID 33 TLS success CN: <eq-c601.ironport.com>` (ironport-tools),
   * `DCID n TLS failed...` (shape of the ICID form: `ICID 4 TLS failed: [Errno 54] ...`),
   * `DCID 6565547 close` (criblpacks sample).
   */
  public dcidLine = this.RULE("dcidLine", () => {
    this.CONSUME(T.DCID);
    this.CONSUME(T.Integer, { LABEL: "dcid" });
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.TlsSuccessHead);
          this.OPTION(() => {
            this.CONSUME(T.Protocol);
            this.CONSUME(T.Word, { LABEL: "protocol" });
          });
          this.OPTION2(() => {
            this.CONSUME(T.Cipher);
            this.CONSUME2(T.Word, { LABEL: "cipher" });
          });
          this.OPTION3(() => {
            this.CONSUME(T.For);
            this.CONSUME3(T.Word, { LABEL: "daneDomain" });
          });
          this.OPTION4(() => {
            this.CONSUME(T.CN);
            this.CONSUME(T.Colon);
            this.CONSUME(T.Angle, { LABEL: "cn" });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.TlsFailedHead);
          this.MANY(() => this.CONSUME(T.AnyToken, { LABEL: "reason" }));
        },
      },
      { ALT: () => this.CONSUME(T.Close) },
    ]);
  });

  /** `to RID [0]`, `to RID [0, 1, 2]`, and `to [0]` in AsyncOS 4-5 (ironport-tools). */
  public ridList = this.RULE("ridList", () => {
    this.CONSUME(T.ToLower);
    this.OPTION(() => this.CONSUME(T.RID));
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Integer, { LABEL: "rid" }) });
    this.CONSUME(T.RBracket);
  });

  /**
   * `Delivery start DCID 30 MID 14 to RID [0]` (AsyncOS help sample; criblpacks sample) and
   * `Message done DCID 30 MID 14 to RID [0]`, with a suffix `(external quarantine)` or a header
   * list `[('from', ...)]` (criblpacks sample). The suffix is kept as text.
   * Beyond the outbound form: `Delivery start ... to RID [0] to offbox IronPort Spam Quarantine`
   * (criblpacks sample).
   */
  public deliveryLine = this.RULE("deliveryLine", () => {
    this.OR([{ ALT: () => this.CONSUME(T.DeliveryStartHead) }, { ALT: () => this.CONSUME(T.MessageDoneHead) }]);
    this.CONSUME(T.DCID);
    this.CONSUME(T.Integer, { LABEL: "dcid" });
    this.CONSUME(T.MID);
    this.CONSUME2(T.Integer, { LABEL: "mid" });
    this.SUBRULE(this.ridList);
    this.MANY(() => this.CONSUME(T.AnyToken, { LABEL: "suffix" }));
  });

  /**
   * Message lines that start `MID n`: `MID 64855 ICID 3160 RID 0 To: <matthew@cisco.com>`,
   * `MID 6 ICID 5 From: <sender@remotehost.com>`, `MID 24611465 RID [0] Response '2.0.0 Ok: ...'`,
   * `MID 14 queued for delivery`. Public samples (212837, AsyncOS help, criblpacks).
   */
  public midLine = this.RULE("midLine", () => {
    this.CONSUME(T.MID);
    this.CONSUME(T.Integer, { LABEL: "mid" });
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.ICID);
          this.CONSUME2(T.Integer, { LABEL: "icid" });
          this.OR2([
            {
              ALT: () => {
                this.CONSUME(T.RID);
                this.CONSUME3(T.Integer, { LABEL: "rid" });
                this.CONSUME(T.To);
                this.CONSUME(T.Colon);
                // `To: <user@example.com>`; some versions print the address bare (`To: user@example.com`).
                this.OR3([{ ALT: () => this.CONSUME(T.Angle, { LABEL: "to" }) }, { ALT: () => this.CONSUME(T.PlainWord, { LABEL: "to" }) }]);
              },
            },
            {
              ALT: () => {
                this.CONSUME(T.From);
                this.CONSUME2(T.Colon);
                this.CONSUME2(T.Angle, { LABEL: "from" });
              },
            },
          ]);
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.RID);
          this.CONSUME(T.LBracket);
          this.MANY_SEP({ SEP: T.Comma, DEF: () => this.CONSUME4(T.Integer, { LABEL: "rids" }) });
          this.CONSUME(T.RBracket);
          this.CONSUME(T.Response);
          // Quoted since AsyncOS 7; bare text in AsyncOS 4-5 (`Response ok 1083092729 qp 3998`, ironport-tools).
          this.MANY2(() => this.CONSUME(T.AnyToken, { LABEL: "response" }));
        },
      },
      { ALT: () => this.CONSUME(T.QueuedForDeliveryHead) },
    ]);
  });

  /** `Start MID 6 ICID 5`. AsyncOS help sample. */
  public messageStart = this.RULE("messageStart", () => {
    this.CONSUME(T.StartMidHead);
    this.CONSUME(T.Integer, { LABEL: "mid" });
    this.CONSUME(T.ICID);
    this.CONSUME2(T.Integer, { LABEL: "icid" });
    // Beyond: a note such as `(ISQ Notification)` (ironport-tools).
    this.MANY(() => this.CONSUME(T.AnyToken, { LABEL: "note" }));
  });

  /** `Message finished MID 24611465 done` (criblpacks sample). Beyond: any outcome words. */
  public messageFinished = this.RULE("messageFinished", () => {
    this.CONSUME(T.MessageFinishedHead);
    this.CONSUME(T.MID);
    this.CONSUME(T.Integer, { LABEL: "mid" });
    this.AT_LEAST_ONE(() => this.CONSUME(T.AnyToken, { LABEL: "outcome" }));
  });

  /**
   * `Connection Error: DCID 63 domain: example.com IP: 10.13.101.31 port: 25 details: ...
   * interface: ... reason: network error` (reference), and the AsyncOS 4-5 forms
   * `Connection Error: connection timed out DCID: 2804 IP: ... details: timeout interface: ...`
   * (ironport-tools). A general shape: the head, then words; the visitor reads the fields by
   * their key words, in any order.
   */
  public connectionError = this.RULE("connectionError", () => {
    this.CONSUME(T.ConnectionErrorHead);
    this.MANY(() => this.CONSUME(T.AnyToken, { LABEL: "body" }));
  });

  /**
   * `Delayed: DCID 8414309 MID 19410908 From: <a@b> To: <c@d> RID 0 - 4.3.2 - Not accepting
   * messages at this time ('421', ['4.3.2 try again later'])` and `Bounced:` lines, new form
   * (reference; elastic bounces sample) and old forms `Bounced: DCID 0 MID 8 to RID 0 - ...`,
   * `Bounced: DCID: 1911 Message 3993 to 0 - ...` (ironport-tools). General shape, as above.
   */
  public deliveryProblem = this.RULE("deliveryProblem", () => {
    this.OR([{ ALT: () => this.CONSUME(T.DelayedHead) }, { ALT: () => this.CONSUME(T.BouncedHead) }]);
    this.MANY(() => this.CONSUME(T.AnyToken, { LABEL: "body" }));
  });

  // --- File header lines (Info) --------------------------------------------------------------

  /**
   * `Begin Logfile`, `Version: 7.6.3-019 SN: 420D4FEA709365BFB3E3-0AF2EE5E700E`,
   * `Time offset from UTC: -21600 seconds` (criblpacks sample).
   */
  public headerLine = this.RULE("headerLine", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.BeginLogfileHead) },
      {
        ALT: () => {
          this.CONSUME(T.VersionHead);
          this.CONSUME(T.Word, { LABEL: "version" });
          this.OPTION(() => {
            this.CONSUME(T.SN);
            this.CONSUME(T.Colon);
            this.CONSUME2(T.Word, { LABEL: "serial" });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.TimeOffsetHead);
          this.CONSUME(T.Integer, { LABEL: "offset" });
          this.CONSUME(T.Seconds);
        },
      },
    ]);
  });
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

export const ENTRY_RULES: readonly EntryRule[] = [
  "dnsQuery",
  "dnssecResponse",
  "dnsEncache",
  "dnsNoAnswer",
  "dnsNoCname",
  "invalidDnsResponse",
  "invalidDnssecResponse",
  "dnsNetworkError",
  "connectionNew",
  "dcidLine",
  "deliveryLine",
  "midLine",
  "messageStart",
  "messageFinished",
  "connectionError",
  "deliveryProblem",
  "headerLine",
];

/** Lexer and parser, built once per process (Chevrotain's self-analysis is the slow part). */
export const esaLexer = new Lexer(T.allTokens, {
  positionTracking: "onlyOffset",
  ensureOptimizations: true,
  skipValidations: false,
});
export const esaParser = new EsaLogParser();

export interface GrammarParse {
  cst: CstNode | null;
  tokens: IToken[];
  /** The first error, if the line does not fit; `atEnd` when the line stopped short (a wrapped record). */
  error: { message: string; atEnd: boolean } | null;
}

/** Lex and parse one message with the entry rule of its family. */
export function parseMessage(message: string, rule: EntryRule): GrammarParse {
  const lexed = esaLexer.tokenize(message);
  esaParser.input = lexed.tokens;
  const cst = esaParser[rule]() as CstNode;
  const errors = esaParser.errors;
  if (errors.length === 0) return { cst, tokens: lexed.tokens, error: null };
  const first = errors[0]!;
  const atEnd = first.token.tokenType === EOF_TYPE || Number.isNaN(first.token.startOffset);
  return { cst: null, tokens: lexed.tokens, error: { message: first.message, atEnd } };
}
