// Tokens of the message part of an ESA mail log line (everything after `Level: `). The line
// prefix (timestamp, syslog header, level) is read by src/input/prefix.ts before this lexer runs:
// one cheap hand-written scan instead of a dozen tokens per line.
//
// Few, coarse tokens keep lines short (a quoted string or an IP address is one token), which is
// what makes Chevrotain fast enough for debug logs. Multi-word heads such as `DNS query:` are one
// token each for the same reason. The lexer is total: a `Stray` token takes any character that
// nothing else does, so lexing never fails and every problem surfaces as a parse error.
import { createToken, Lexer, type TokenType } from "./chevrotain.js";

/** Category of every token: rules that accept free text consume `AnyToken`. */
export const AnyToken = createToken({ name: "AnyToken", pattern: Lexer.NA });
/** Category of plain words and of every keyword, so a rule that wants a name accepts `for` too. */
export const Word = createToken({ name: "Word", pattern: Lexer.NA, categories: [AnyToken] });

/**
 * Whitespace, skipped. A space is a token of its own, a one-character pattern: Chevrotain
 * compares its character code instead of running a regular expression, and a space comes before
 * nearly every token (lexing 15-18 % faster on the 30 MB corpus than one `[ \t\r\f\v]+` token,
 * same tokens). Runs of spaces are several skipped tokens; other blanks keep a pattern.
 */
export const Space = createToken({ name: "Space", pattern: " ", group: Lexer.SKIPPED });
export const OtherWhiteSpace = createToken({ name: "OtherWhiteSpace", pattern: /[\t\r\f\v]+/, group: Lexer.SKIPPED });
/**
 * Separates messages lexed together (a batch of messages joined by newlines, one lexer call: a
 * call per message costs more). No message has one, and no rule accepts one.
 */
export const Newline = createToken({ name: "Newline", pattern: "\n" });

/**
 * First characters for a pattern that starts with a negated class, which Chevrotain cannot
 * analyse itself: without the hint it would switch off its first-character optimisation.
 * Above 255 Chevrotain buckets character codes (255 + code/255), so one code per bucket serves.
 */
function startCharsExcept(excluded: string): number[] {
  const codes: number[] = [];
  const isExcluded = (code: number) => excluded.includes(String.fromCharCode(code)) || /\s/.test(String.fromCharCode(code));
  for (let code = 0; code < 256; code++) if (!isExcluded(code)) codes.push(code);
  const bucket = (code: number) => Math.floor(code / 255);
  for (let code = 256; code < 65536; code++) if (code === 256 || bucket(code) !== bucket(code - 1)) codes.push(code);
  return codes;
}

// A word may contain colons (times, IPv6, `123:123`) but never ends in one, so `To:` is `To` `:`.
const WORD_CHARS = String.raw`[^\s()\[\],'"<>:]`;
export const PlainWord = createToken({
  name: "PlainWord",
  pattern: new RegExp(`${WORD_CHARS}+(?::+${WORD_CHARS}+)*`),
  categories: [Word, AnyToken],
  start_chars_hint: startCharsExcept("()[],'\"<>:"),
});

/** A keyword: matched whole, never as the start of a longer word. */
function keyword(name: string, text: string): TokenType {
  return createToken({ name, pattern: text, longer_alt: PlainWord, categories: [Word, AnyToken] });
}

/** A fixed multi-word head, such as `DNS query:`. */
function head(name: string, text: string): TokenType {
  return createToken({ name, pattern: text, categories: [AnyToken] });
}

// Heads, longest first where one is a prefix of another.
export const DnsQueryNetworkErrorHead = head("DnsQueryNetworkErrorHead", "DNS query network error");
export const DnsQueryHead = head("DnsQueryHead", "DNS query:");
export const DnsEncacheHead = head("DnsEncacheHead", "DNS encache");
export const DnssecResponseHead = head("DnssecResponseHead", "DNSSEC Response");
export const InvalidDnssecResponseHead = head("InvalidDnssecResponseHead", "Received an invalid DNSSEC Response:");
export const InvalidDnsResponseHead = head("InvalidDnsResponseHead", "Received an invalid DNS Response:");
export const NoCnameHead = head("NoCnameHead", "No CNAME record");
export const NewSmtpDcidHead = head("NewSmtpDcidHead", "New SMTP DCID");
export const DeliveryStartHead = head("DeliveryStartHead", "Delivery start");
export const MessageDoneHead = head("MessageDoneHead", "Message done");
export const MessageFinishedHead = head("MessageFinishedHead", "Message finished");
export const ConnectionErrorHead = head("ConnectionErrorHead", "Connection Error:");
export const DelayedHead = head("DelayedHead", "Delayed:");
export const BouncedHead = head("BouncedHead", "Bounced:");
export const QueuedForDeliveryHead = head("QueuedForDeliveryHead", "queued for delivery");
export const TlsSuccessHead = head("TlsSuccessHead", "TLS success");
export const TlsFailedHead = head("TlsFailedHead", "TLS failed");
export const BeginLogfileHead = head("BeginLogfileHead", "Begin Logfile");
export const VersionHead = head("VersionHead", "Version:");
export const TimeOffsetHead = head("TimeOffsetHead", "Time offset from UTC:");
export const StartMidHead = head("StartMidHead", "Start MID");

export const QIP = keyword("QIP", "QIP");
export const QN = keyword("QN", "QN");
export const Q = keyword("Q", "Q");
export const Data = keyword("Data", "data");
export const Received = keyword("Received", "Received");
export const For = keyword("For", "for");
export const Domain = keyword("Domain", "domain");
export const Type = keyword("Type", "type");
export const Found = keyword("Found", "found");
export const Of = keyword("Of", "of");
export const Qtype = keyword("Qtype", "qtype");
export const Looking = keyword("Looking", "looking");
export const Up = keyword("Up", "up");
export const ToLower = keyword("ToLower", "to");
export const IP = keyword("IP", "IP");
export const Interface = keyword("Interface", "interface");
export const Address = keyword("Address", "address");
export const Port = keyword("Port", "port");
export const Protocol = keyword("Protocol", "protocol");
export const Cipher = keyword("Cipher", "cipher");
export const CN = keyword("CN", "CN");
export const Close = keyword("Close", "close");
export const DCID = keyword("DCID", "DCID");
export const MID = keyword("MID", "MID");
export const RID = keyword("RID", "RID");
export const ICID = keyword("ICID", "ICID");
export const From = keyword("From", "From");
export const To = keyword("To", "To");
export const Response = keyword("Response", "Response");
export const Message = keyword("Message", "Message");
export const SN = keyword("SN", "SN");
export const Seconds = keyword("Seconds", "seconds");
export const Details = keyword("Details", "details");
export const Reason = keyword("Reason", "reason");

// Quoted and bracketed tokens never span a newline: messages lexed together are joined by one,
// and an unclosed quote (`antivirus repaired 'W32/Zafi-D`) must not swallow the next message.
// Written as `'` plain* (escape plain*)* `'` (the same language as `'(?:[^'\\\n]|\\.)*'`): the regular
// expression engine runs through the plain characters without trying an alternation at each one.
export const SQString = createToken({ name: "SQString", pattern: /'[^'\\\n]*(?:\\.[^'\\\n]*)*'/, categories: [AnyToken] });
export const DQString = createToken({ name: "DQString", pattern: /"[^"\\\n]*(?:\\.[^"\\\n]*)*"/, categories: [AnyToken] });
export const Angle = createToken({ name: "Angle", pattern: /<[^<>\n]*>/, categories: [AnyToken] });
// Python 2 longs print with an `L` suffix (`8496573380345476L`).
export const PyLong = createToken({ name: "PyLong", pattern: /\d+L/, longer_alt: PlainWord, categories: [AnyToken] });
export const Integer = createToken({ name: "Integer", pattern: /-?\d+/, longer_alt: PlainWord, categories: [AnyToken] });
/** A lone hyphen: it separates the DSN of a Delayed or Bounced line (` - 4.3.2 - `). After Integer, so `-21600` stays a number. */
export const Dash = createToken({ name: "Dash", pattern: "-", longer_alt: PlainWord, categories: [Word, AnyToken] });
export const LParen = createToken({ name: "LParen", pattern: "(", categories: [AnyToken] });
export const RParen = createToken({ name: "RParen", pattern: ")", categories: [AnyToken] });
export const LBracket = createToken({ name: "LBracket", pattern: "[", categories: [AnyToken] });
export const RBracket = createToken({ name: "RBracket", pattern: "]", categories: [AnyToken] });
export const Comma = createToken({ name: "Comma", pattern: ",", categories: [AnyToken] });
export const Colon = createToken({ name: "Colon", pattern: ":", categories: [AnyToken] });
/** Anything else (an unbalanced quote, a lone `<`): lexing never fails. */
export const Stray = createToken({
  name: "Stray",
  pattern: /[^ \t\r\f\v]/,
  categories: [AnyToken],
  start_chars_hint: startCharsExcept(" \t\r\f\v"),
});

/**
 * Lexer order. Among the tokens that can start at a character, the lexer tries them in this
 * order and takes the first that matches (a keyword then gives way to a longer plain word). So
 * a head comes before a keyword it starts with (`Received an invalid DNS Response:` before
 * `Received`), a keyword before plain words, and otherwise the most frequent first: every
 * pattern tried in vain is a regular expression run for nothing. On the 10 MB slice of the
 * generated corpus this order ran 939,000 patterns instead of 1,082,000 (`DNS query:` and the
 * keywords `DCID`, `MID`, `RID` and `ICID` first: no head starts with those words).
 */
export const allTokens: TokenType[] = [
  Space,
  OtherWhiteSpace,
  Newline,
  DnsQueryHead,
  DCID,
  MID,
  RID,
  ICID,
  DnssecResponseHead,
  DnsEncacheHead,
  DnsQueryNetworkErrorHead,
  InvalidDnssecResponseHead,
  InvalidDnsResponseHead,
  NoCnameHead,
  NewSmtpDcidHead,
  DeliveryStartHead,
  MessageDoneHead,
  MessageFinishedHead,
  ConnectionErrorHead,
  DelayedHead,
  BouncedHead,
  QueuedForDeliveryHead,
  TlsSuccessHead,
  TlsFailedHead,
  BeginLogfileHead,
  VersionHead,
  TimeOffsetHead,
  StartMidHead,
  QIP,
  QN,
  Q,
  Data,
  Received,
  For,
  Domain,
  Type,
  Found,
  Of,
  Qtype,
  Looking,
  Up,
  ToLower,
  IP,
  Interface,
  Address,
  Port,
  Protocol,
  Cipher,
  CN,
  Close,
  From,
  To,
  Response,
  Message,
  SN,
  Seconds,
  Details,
  Reason,
  SQString,
  DQString,
  Angle,
  PyLong,
  Integer,
  Dash,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Colon,
  PlainWord,
  Stray,
  Word,
  AnyToken,
];
