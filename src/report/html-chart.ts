// The time line as SVG, drawn here rather than by a chart library: three stacked-bar panels on
// one time axis (attempts by decision; Bogus answers by record type; resolver failures and
// fallbacks) and the alert episodes shaded behind them. Plain SVG shows without script, in any
// browser and mail viewer, and hovering gives numbers through <title> elements. Text from the log
// (the alerts' descriptions name domains and resolvers) goes through escapeHtml.
import { escapeHtml } from "../output/escape.js";
import { BUCKET_COLUMNS, type BucketColumn, type Timeline } from "./timeline.js";

interface Series {
  column: BucketColumn;
  label: string;
  /** CSS class giving its colour (the page's style sheet). */
  css: string;
}

interface Panel {
  title: string;
  series: Series[];
  /** Stacked bars, or bars side by side within the bucket. */
  stacked: boolean;
}

export const PANELS: Panel[] = [
  {
    title: "Attempts by decision",
    stacked: true,
    series: [
      { column: "dane-success", label: "DANE success", css: "s-ok" },
      { column: "tls-fallback", label: "fallback to TLS", css: "s-fallback" },
      { column: "dane-fail", label: "DANE fail", css: "s-fail" },
      { column: "undetermined", label: "undetermined", css: "s-undetermined" },
      { column: "other-decision", label: "outside the table / mode none", css: "s-other" },
    ],
  },
  {
    title: "Bogus answers by record type",
    stacked: true,
    series: [
      { column: "bogus-mx", label: "MX", css: "s-bmx" },
      { column: "bogus-a", label: "A", css: "s-ba" },
      { column: "bogus-aaaa", label: "AAAA", css: "s-baaaa" },
      { column: "bogus-tlsa", label: "TLSA", css: "s-btlsa" },
      { column: "bogus-other", label: "other", css: "s-other" },
    ],
  },
  {
    title: "Resolver failures and fallbacks",
    stacked: false,
    series: [
      { column: "resolver-failures", label: "failed queries", css: "s-failure" },
      { column: "resolver-fallbacks", label: "lookups retried at another resolver", css: "s-retry" },
    ],
  },
];

const WIDTH = 1200;
const LEFT = 48;
const RIGHT = 12;
const STRIP = 16;
const PANEL_HEIGHT = 80;
const PANEL_GAP = 24;
const AXIS = 30;
const PLOT = WIDTH - LEFT - RIGHT;

const INDEX = Object.fromEntries(BUCKET_COLUMNS.map((c, i) => [c, i])) as Record<BucketColumn, number>;

/** Tick spacings tried, smallest first: the first that gives at most 10 ticks is used. */
const TICKS_MS = [30e3, 60e3, 300e3, 600e3, 900e3, 1800e3, 3600e3, 7200e3, 10800e3, 21600e3, 43200e3, 86400e3, 172800e3, 604800e3, 2592000e3, 7776000e3, 31536000e3];

const n1 = (x: number) => String(Math.round(x * 10) / 10);

/** `2024-03-11 08:35` in UTC (the attempts' times are UTC when the log gives its offset). */
export function minuteText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ");
}

function bucketTitle(row: number[], barMs: number): string {
  const start = row[0]!;
  const parts = PANELS.map((p) => `${p.title}: ${p.series.map((s) => `${s.label} ${row[INDEX[s.column]]}`).join(", ")}`);
  const end = minuteText(start + barMs);
  return `${minuteText(start)} to ${barMs >= 86_400_000 ? end : end.slice(11)} UTC\n${parts.join("\n")}`;
}

/** A stretch of time drawn to scale; long silences between stretches are cut out of the axis. */
interface Segment {
  fromMs: number;
  toMs: number;
  /** Left edge in the plot. */
  x: number;
  scale: number;
}

/** A silence longer than this many buckets becomes a break in the axis. */
const BREAK_BUCKETS = 24;
const BREAK_WIDTH = 14;
const MIN_SEGMENT = 60;

/**
 * The time axis: the buckets' time in stretches, each drawn to the same scale, with a narrow break
 * for each long silence (samples of different years, a rotated file missing): a log of three
 * mornings is three readable stretches, not three slivers at the edges of a long empty axis.
 */
export function segmentsOf(starts: readonly number[], bucketMs: number, left: number, width: number): Segment[] {
  const spans: { fromMs: number; toMs: number }[] = [];
  for (const start of starts) {
    const current = spans[spans.length - 1];
    if (current !== undefined && start - current.toMs <= BREAK_BUCKETS * bucketMs) current.toMs = start + bucketMs;
    else spans.push({ fromMs: start, toMs: start + bucketMs });
  }
  // One scale for all stretches, except that none is drawn narrower than MIN_SEGMENT (a lone
  // daneverify run of two minutes next to a day of traffic would be a hairline).
  const room = Math.max(0, width - (spans.length - 1) * BREAK_WIDTH);
  const minimum = Math.min(MIN_SEGMENT, room / spans.length);
  let narrow = new Set<number>();
  let scale = 0;
  for (;;) {
    const wide = spans.filter((_, i) => !narrow.has(i));
    scale = wide.length === 0 ? 0 : (room - narrow.size * minimum) / wide.reduce((n, s) => n + (s.toMs - s.fromMs), 0);
    const next = new Set(spans.flatMap((s, i) => ((s.toMs - s.fromMs) * scale < minimum || narrow.has(i) ? [i] : [])));
    if (next.size === narrow.size) break;
    narrow = next;
  }
  let x = left;
  return spans.map((s, i) => {
    const segment = { ...s, x, scale: narrow.has(i) ? minimum / (s.toMs - s.fromMs) : scale };
    x += (s.toMs - s.fromMs) * segment.scale + BREAK_WIDTH;
    return segment;
  });
}

/** The SVG of the time line; an empty string when there is nothing to draw. */
export function timelineSvg(timeline: Timeline): string {
  // Drawn in bars (a bucket each, or several on a long log; see MAX_BARS).
  const { buckets, barMs: bucketMs } = timeline;
  if (buckets.length === 0) return "";
  const segments = segmentsOf(
    buckets.map((b) => b[0]!),
    bucketMs,
    LEFT,
    PLOT,
  );
  const segmentAt = (ms: number) => segments.find((s) => ms < s.toMs) ?? segments[segments.length - 1]!;
  const x = (ms: number) => {
    const s = segmentAt(ms);
    return s.x + (Math.min(Math.max(ms, s.fromMs), s.toMs) - s.fromMs) * s.scale;
  };
  const barWidth = (ms: number) => Math.max(1, bucketMs * segmentAt(ms).scale * 0.85);
  const height = STRIP + PANELS.length * (PANEL_HEIGHT + PANEL_GAP) + AXIS;
  const panelTop = (i: number) => STRIP + PANEL_GAP + i * (PANEL_HEIGHT + PANEL_GAP);
  const plotBottom = panelTop(PANELS.length - 1) + PANEL_HEIGHT;
  const out: string[] = [];
  out.push(`<svg id="timeline-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="timeline-title">`);
  out.push(`<title id="timeline-title">Time line in ${bucketMs / 60000}-minute ${bucketMs === timeline.bucketMs ? "buckets" : "bars"}</title>`);

  // Episodes first: shaded behind the bars, with a strip on top that carries the verdict on hover.
  for (const e of timeline.episodes) {
    const from = x(e.fromMs);
    const w = Math.max(2, x(e.toMs) - from);
    const level = e.level.toLowerCase();
    out.push(`<rect class="episode ep-${level}" x="${n1(from)}" y="${STRIP}" width="${n1(w)}" height="${plotBottom - STRIP}"/>`);
    out.push(
      `<rect class="episode-strip ep-${level}" x="${n1(from)}" y="0" width="${n1(w)}" height="${STRIP - 3}"><title>${escapeHtml(`${e.level} ${e.kind}${e.open ? " (still active at the end of the log)" : ""}: ${e.text}`)}</title></rect>`,
    );
  }
  // Breaks in the axis: a gap with a zigzag, and the silence it stands for on hover.
  for (let i = 1; i < segments.length; i++) {
    const before = segments[i - 1]!;
    const bx = segments[i]!.x - BREAK_WIDTH / 2;
    out.push(`<path class="break" d="M${n1(bx - 3)} ${STRIP}v${plotBottom - STRIP}M${n1(bx + 3)} ${STRIP}v${plotBottom - STRIP}"><title>${escapeHtml(`nothing from ${minuteText(before.toMs)} to ${minuteText(segments[i]!.fromMs)} UTC`)}</title></path>`);
  }

  PANELS.forEach((panel, p) => {
    const top = panelTop(p);
    const bottom = top + PANEL_HEIGHT;
    let max = 0;
    for (const row of buckets) {
      const values = panel.series.map((s) => row[INDEX[s.column]]!);
      max = Math.max(max, panel.stacked ? values.reduce((a, b) => a + b, 0) : Math.max(...values));
    }
    const y = (value: number) => (max === 0 ? 0 : (value / max) * PANEL_HEIGHT);
    out.push(`<text class="panel-title" x="${LEFT}" y="${top - 8}">${escapeHtml(panel.title)}</text>`);
    out.push(`<line class="axis" x1="${LEFT}" y1="${bottom}" x2="${WIDTH - RIGHT}" y2="${bottom}"/>`);
    out.push(`<text class="tick" x="${LEFT - 4}" y="${top + 9}" text-anchor="end">${max}</text><text class="tick" x="${LEFT - 4}" y="${bottom}" text-anchor="end">0</text>`);
    // One path per series: thousands of buckets stay a few elements, not thousands of rects.
    const paths = panel.series.map(() => [] as string[]);
    for (const row of buckets) {
      const width = panel.stacked ? barWidth(row[0]!) : Math.max(1, barWidth(row[0]!) / panel.series.length);
      let base = bottom;
      panel.series.forEach((s, i) => {
        const value = row[INDEX[s.column]]!;
        if (value === 0) return;
        const h = y(value);
        const left = x(row[0]!) + (panel.stacked ? 0 : i * width);
        const topEdge = panel.stacked ? base - h : bottom - h;
        paths[i]!.push(`M${n1(left)} ${n1(topEdge)}h${n1(width)}v${n1(h)}h${n1(-width)}z`);
        if (panel.stacked) base -= h;
      });
    }
    panel.series.forEach((s, i) => {
      if (paths[i]!.length > 0) out.push(`<path class="bars ${s.css}" data-series="${s.column}" d="${paths[i]!.join("")}"/>`);
    });
  });

  // The time axis: whole ticks of a spacing that gives at most 10 labels over the time drawn;
  // each stretch after a break starts with its date.
  const drawnMs = segments.reduce((n, s) => n + (s.toMs - s.fromMs), 0);
  const spacing = TICKS_MS.find((t) => drawnMs / t <= 10) ?? TICKS_MS[TICKS_MS.length - 1]!;
  let previousDay = "";
  let lastLabelX = Number.NEGATIVE_INFINITY;
  for (const s of segments) {
    const ticks = [Math.ceil(s.fromMs / spacing) * spacing];
    while (ticks[ticks.length - 1]! + spacing <= s.toMs) ticks.push(ticks[ticks.length - 1]! + spacing);
    if (s !== segments[0] || ticks[0]! > s.toMs) ticks.unshift(s.fromMs);
    for (const t of ticks) {
      if (t > s.toMs) continue;
      const tx = s.x + (t - s.fromMs) * s.scale;
      const text = minuteText(t);
      const day = text.slice(0, 10);
      const label = day === previousDay ? text.slice(11) : text;
      if (tx - lastLabelX < (label.length > 5 ? 120 : 60)) continue;
      previousDay = day;
      lastLabelX = tx;
      out.push(`<line class="grid" x1="${n1(tx)}" y1="${STRIP}" x2="${n1(tx)}" y2="${plotBottom}"/><text class="tick" x="${n1(tx)}" y="${plotBottom + 16}" text-anchor="${tx > WIDTH - RIGHT - 60 ? "end" : tx < LEFT + 60 ? "start" : "middle"}">${label}</text>`);
    }
  }
  out.push(`<text class="tick" x="${WIDTH - RIGHT}" y="${plotBottom + 28}" text-anchor="end">UTC</text>`);

  // Hover targets last, on top: one per bucket, with every number of the bucket.
  for (const row of buckets) {
    out.push(`<rect class="hover" x="${n1(x(row[0]!))}" y="${STRIP}" width="${n1(Math.max(1, bucketMs * segmentAt(row[0]!).scale))}" height="${plotBottom - STRIP}"><title>${escapeHtml(bucketTitle(row, bucketMs))}</title></rect>`);
  }
  out.push("</svg>");
  return out.join("\n");
}

/** The legend under the chart: one swatch per series. */
export function legendHtml(): string {
  const items = PANELS.map((p) => `<li><b>${escapeHtml(p.title)}:</b> ${p.series.map((s) => `<span class="swatch ${s.css}"></span>${escapeHtml(s.label)}`).join(" ")}</li>`);
  return `<ul class="legend">${items.join("")}<li><b>Alert episodes:</b> <span class="swatch ep-warning"></span>WARNING <span class="swatch ep-critical"></span>CRITICAL (hover the strip above the chart for the verdict)</li></ul>`;
}
