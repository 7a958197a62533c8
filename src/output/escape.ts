// Log content is hostile input: a domain or SMTP reply can carry terminal escapes, spreadsheet
// formulas, HTML or Markdown. Every format escapes it on the way out, here, in one place.

// C0 controls (but tab), DEL, C1 controls, and the Unicode bidi overrides that reorder text.
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Makes text safe to print on a terminal: control characters become visible `\xNN` escapes. */
export function escapeTerminal(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\x${code.toString(16).padStart(2, "0")}`;
  });
}

const HTML_SPECIAL: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** HTML text or attribute value: control characters made visible first, then markup characters as entities. */
export function escapeHtml(text: string): string {
  return escapeTerminal(text).replace(/[&<>"']/g, (c) => HTML_SPECIAL[c]!);
}

/**
 * JSON to embed in an HTML `<script type="application/json">` element: `<`, `>` and `&` written
 * as `\uXXXX` (a `</script>` or `<!--` in log text cannot end or bend the element), plus what
 * escapeJsonText makes inert. They occur only inside strings, so the data stays the same.
 */
export function escapeJsonForHtml(json: string): string {
  return escapeJsonText(json).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** RFC 4180 field, and inert in spreadsheets: a leading = + - @ (or tab/CR) gets a quote mark. */
export function escapeCsv(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  let text = escapeTerminal(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Markdown table cell: no HTML, no table breaks, no emphasis or links from log text. */
export function escapeMarkdown(text: string): string {
  return escapeTerminal(text)
    .replace(/[\\`*_[\]#|<>~]/g, (c) => `\\${c}`)
    .replace(/&/g, "&amp;");
}

// What JSON.stringify leaves raw although a terminal or editor acts on it: DEL, the C1 controls
// (U+009B is a CSI on some terminals), line and paragraph separators, and the bidi overrides.
const JSON_LEFT_RAW = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text (the output of JSON.stringify) with those characters written as `\uXXXX`: the same
 * data to a parser, inert on a screen. They can only occur inside strings, so a global replace is safe.
 */
export function escapeJsonText(json: string): string {
  return json.replace(JSON_LEFT_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Prometheus label value (text exposition format): control characters made visible first, then
 * backslash, double quote and newline escaped as the format requires.
 */
export function escapePrometheusLabel(value: string): string {
  return escapeTerminal(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Prometheus HELP text: backslash and newline are the only escapes the format knows there. */
export function escapePrometheusHelp(text: string): string {
  return escapeTerminal(text).replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}
