// Tables that fit a width: columns are measured, the least important ones left out when they
// cannot all fit, and the flexible ones (names) shortened with "…". cli-table3 draws them; its
// column widths are given explicitly so that it never grows a table past the width.
import Table from "cli-table3";

export interface Column {
  /** Header; "\n" splits it over two lines to keep numeric columns narrow. */
  head: string;
  align: "left" | "right" | "center";
  /** When the columns do not fit, the one with the lowest value is left out first; Infinity: never. */
  keep: number;
  /** A column that can be shortened down to `min` characters, cutting at the end or the start. */
  flex?: { min: number; cut: "end" | "start" };
  /** Colours a cell after it has been measured and shortened (the codes take no width). */
  paint?: (text: string) => string;
}

export interface FittedTable {
  text: string;
  /** Headers of the columns left out for lack of width (one line each). */
  omitted: string[];
}

/** Display width, counted in code points: log text is escaped ASCII in practice. */
export function textWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Shortens text to `width` code points, marking the cut with "…". */
export function cut(text: string, width: number, where: "end" | "start" = "end"): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return "…".slice(0, Math.max(0, width));
  return where === "end" ? `${chars.slice(0, width - 1).join("")}…` : `…${chars.slice(chars.length - (width - 1)).join("")}`;
}

/** Wraps text on spaces to lines of at most `width`, breaking words longer than a line. */
export function wrap(text: string, width: number): string {
  const w = Math.max(1, width);
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    let rest = word;
    while (textWidth(rest) > w) {
      if (line.length > 0) {
        out.push(line);
        line = "";
      }
      const chars = [...rest];
      out.push(chars.slice(0, w).join(""));
      rest = chars.slice(w).join("");
    }
    if (line.length > 0 && textWidth(line) + 1 + textWidth(rest) > w) {
      out.push(line);
      line = rest;
    } else line = line.length > 0 ? `${line} ${rest}` : rest;
  }
  if (line.length > 0) out.push(line);
  return out.join("\n");
}

const PADDING = 2;

function natural(column: Column, rows: readonly (readonly string[])[], index: number): number {
  let width = Math.max(...column.head.split("\n").map(textWidth));
  for (const row of rows) width = Math.max(width, textWidth(row[index] ?? ""));
  return width;
}

/** Lays out and draws a table no wider than `width` (unless even its fixed columns cannot fit). */
export function fitTable(columns: readonly Column[], rows: readonly (readonly string[])[], width: number): FittedTable {
  const naturals = columns.map((c, i) => natural(c, rows, i));
  const minimum = (i: number) => {
    const flex = columns[i]!.flex;
    return flex === undefined ? naturals[i]! : Math.min(naturals[i]!, Math.max(flex.min, ...columns[i]!.head.split("\n").map(textWidth)));
  };
  const shown = columns.map((_, i) => i);
  const needed = () => shown.reduce((n, i) => n + minimum(i) + PADDING, 0) + shown.length + 1;
  while (needed() > width) {
    let drop = -1;
    for (const i of shown) if (columns[i]!.keep !== Infinity && (drop < 0 || columns[i]!.keep < columns[drop]!.keep)) drop = i;
    if (drop < 0) break;
    shown.splice(shown.indexOf(drop), 1);
  }
  // The room left goes to the flexible columns, the most important first.
  const widths = new Map(shown.map((i) => [i, minimum(i)]));
  let spare = width - needed();
  for (const i of [...shown].sort((a, b) => columns[b]!.keep - columns[a]!.keep)) {
    if (spare <= 0) break;
    const grow = Math.min(spare, naturals[i]! - widths.get(i)!);
    widths.set(i, widths.get(i)! + grow);
    spare -= grow;
  }
  const table = new Table({
    head: shown.map((i) => columns[i]!.head),
    colWidths: shown.map((i) => widths.get(i)! + PADDING),
    colAligns: shown.map((i) => columns[i]!.align),
    wordWrap: false,
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) {
    table.push(
      shown.map((i) => {
        const column = columns[i]!;
        const text = cut(row[i] ?? "", widths.get(i)!, column.flex?.cut ?? "end");
        return column.paint ? column.paint(text) : text;
      }),
    );
  }
  return { text: table.toString(), omitted: columns.filter((_, i) => !shown.includes(i)).map((c) => c.head.replace(/\n/g, " ")) };
}
