// How classified records cross from a worker thread to the main thread, where correlation runs
// in order. The main thread's time is the pipeline's limit, so the hop must cost it little:
// numbers go in one Float64Array (transferred, not copied) and the chunk's distinct strings in
// one JSON array (one string to clone; parsing it makes fresh strings that do not pin the
// chunk, and equal names in a chunk become one string). Structured-cloning the record objects cost the receiver 130-250 ms per 4 MB chunk,
// JSON rows about 70 ms plus a megamorphic rebuild; this costs a walk over two arrays.
//
// Stream of one record:
//   event:  EVENT line lines year month day hour minute second offset level host body
//           (month 0: no timestamp; year NaN: none in the prefix; offset NaN: none)
//   other:  OTHER value (the whole record, e.g. an unknown line with its text)
// A value is a tag followed by its payload: NUMBER n | STRING index | NULL | TRUE |
// FALSE | ARRAY length values... | OBJECT schema values... (the keys of each schema are sent once
// per chunk). Keys whose value is undefined are left out, as JSON would leave them out, so a
// decoded record equals the original once both are written as JSON.
import type { EventBody, Level } from "../events/types.js";
import type { ClassifiedRecord, RecordTarget } from "./records.js";

export interface EncodedRecords {
  /** Tags and numbers; only the first `length` entries are used. Its buffer is transferable. */
  numbers: Float64Array;
  length: number;
  /** JSON text of the chunk's distinct strings, indexed by the STRING values: one string crosses threads faster than many. */
  strings: string;
  /** Object keys per schema number. */
  schemas: string[][];
}

const EVENT = 0;
const OTHER = 1;

const NUMBER = 0;
const STRING = 1;
const NULL = 2;
const TRUE = 3;
const FALSE = 4;
const ARRAY = 5;
const OBJECT = 6;

const LEVELS: readonly Level[] = ["Info", "Warning", "Critical", "Debug", "Trace"];

type EventRecord = Extract<ClassifiedRecord, { t: "event" }>;

/**
 * One step of the schema trie: objects with the same defined keys in the same order share a
 * schema. A node has one or two children as a rule, so they are a list searched by identity
 * (property names are internalized strings): cheaper than a Map's hashing.
 */
interface SchemaNode {
  id: number;
  keys: string[];
  childKeys: string[];
  children: SchemaNode[];
}

function schemaNode(keys: string[]): SchemaNode {
  return { id: -1, keys, childKeys: [], children: [] };
}

function childOf(node: SchemaNode, key: string): SchemaNode {
  const childKeys = node.childKeys;
  for (let i = 0; i < childKeys.length; i++) if (childKeys[i] === key) return node.children[i]!;
  const child = schemaNode([...node.keys, key]);
  childKeys.push(key);
  node.children.push(child);
  return child;
}

/** Builds the encoding of one chunk's records as they come. */
export class RecordEncoder {
  private numbers: Float64Array;
  private length = 0;
  private readonly strings: string[] = [];
  /** Each distinct string is sent once per chunk (names and types repeat line after line). */
  private readonly stringIndex = new Map<string, number>();
  private readonly schemas: string[][] = [];
  private readonly schemaRoot: SchemaNode = schemaNode([]);

  /** `numbers`: an array to fill again; about 2 MB fits the records of a 1 MB chunk. */
  constructor(numbers?: Float64Array) {
    this.numbers = numbers ?? new Float64Array(1 << 18);
  }

  push(record: ClassifiedRecord): void {
    if (record.t !== "event") {
      this.number(OTHER);
      this.value(record);
      return;
    }
    this.reserve(12);
    const n = this.numbers;
    let at = this.length;
    const s = record.stamp;
    n[at++] = EVENT;
    n[at++] = record.line;
    n[at++] = record.lines;
    if (s === null) {
      n[at++] = NaN;
      n[at++] = 0;
      n[at++] = 0;
      n[at++] = 0;
      n[at++] = 0;
      n[at++] = 0;
      n[at++] = NaN;
    } else {
      n[at++] = s.year ?? NaN;
      n[at++] = s.month;
      n[at++] = s.day;
      n[at++] = s.hour;
      n[at++] = s.minute;
      n[at++] = s.second;
      n[at++] = s.utcOffsetMinutes ?? NaN;
    }
    n[at++] = record.level === null ? -1 : LEVELS.indexOf(record.level);
    this.length = at;
    this.value(record.host);
    this.value(record.body);
  }

  finish(): EncodedRecords {
    return { numbers: this.numbers, length: this.length, strings: JSON.stringify(this.strings), schemas: this.schemas };
  }

  private value(value: unknown): void {
    switch (typeof value) {
      case "string": {
        let index = this.stringIndex.get(value);
        if (index === undefined) {
          index = this.strings.length;
          this.strings.push(value);
          this.stringIndex.set(value, index);
        }
        this.reserve(2);
        this.numbers[this.length++] = STRING;
        this.numbers[this.length++] = index;
        return;
      }
      case "number":
        this.reserve(2);
        this.numbers[this.length++] = NUMBER;
        this.numbers[this.length++] = value;
        return;
      case "boolean":
        this.number(value ? TRUE : FALSE);
        return;
      case "object":
        if (value === null) this.number(NULL);
        else if (Array.isArray(value)) {
          this.reserve(2);
          this.numbers[this.length++] = ARRAY;
          this.numbers[this.length++] = value.length;
          for (const item of value) this.value(item);
        } else this.object(value as Record<string, unknown>);
        return;
      default:
        // undefined in an array (never built by the grammar): JSON writes it as null.
        this.number(NULL);
    }
  }

  private object(object: Record<string, unknown>): void {
    // One pass: the values are written as the keys come, and the schema's number, known only
    // once the keys are walked, goes into the slot kept before them.
    this.reserve(2);
    this.numbers[this.length++] = OBJECT;
    const slot = this.length++;
    let node = this.schemaRoot;
    for (const key in object) {
      const value = object[key];
      if (value === undefined) continue;
      node = childOf(node, key);
      this.value(value);
    }
    if (node.id < 0) {
      node.id = this.schemas.length;
      this.schemas.push(node.keys);
    }
    this.numbers[slot] = node.id;
  }

  private number(value: number): void {
    this.reserve(1);
    this.numbers[this.length++] = value;
  }

  private reserve(count: number): void {
    if (this.length + count <= this.numbers.length) return;
    const grown = new Float64Array(Math.max(this.numbers.length * 2, this.length + count));
    grown.set(this.numbers.subarray(0, this.length));
    this.numbers = grown;
  }
}

/** Builds one decoded object: its values read in key order from the decoder. */
type ObjectBuilder = (decoder: RecordDecoder) => Record<string, unknown>;

/**
 * The keys every event has before its body's (EventBase, in the order RecordTimer writes them).
 * A decoded event body starts with them, unset, so that RecordTimer fills them in place instead
 * of copying the body into a new object: JSON leaves unset keys out, so the body still writes
 * as the one the worker sent.
 */
const EVENT_BASE_KEYS = ["file", "line", "time", "utcKnown", "host", "level"] as const;

const builders = new Map<string, ObjectBuilder>();

/**
 * An object literal per schema, compiled once per process: the keys are the grammar's own (no
 * key comes from log text), and a literal gives every object of a schema one hidden class at
 * once, where setting keys one by one walked a transition chain per object (a third of the
 * decoding time) and left the correlator's property reads megamorphic.
 */
function builderOf(keys: readonly string[], eventBase: boolean): ObjectBuilder {
  const id = `${eventBase ? "event" : "object"}\n${keys.join("\n")}`;
  let builder = builders.get(id);
  if (builder === undefined) {
    if (keys.includes("__proto__") || (eventBase && keys.some((key) => (EVENT_BASE_KEYS as readonly string[]).includes(key)))) {
      // Never built by the grammar; a literal would set the prototype, or a base key twice.
      builder = (decoder) => {
        const object: Record<string, unknown> = {};
        for (const key of keys) Object.defineProperty(object, key, { value: decoder.value(), enumerable: true, writable: true, configurable: true });
        return object;
      };
    } else {
      const base = eventBase ? EVENT_BASE_KEYS.map((key) => `${key}: undefined, `).join("") : "";
      const values = keys.map((key) => `${JSON.stringify(key)}: decoder.value()`).join(", ");
      builder = new Function("decoder", `return { ${base}${values} };`) as ObjectBuilder;
    }
    builders.set(id, builder);
  }
  return builder;
}

/** Reads an encoding back, record by record. */
class RecordDecoder {
  private at = 0;
  private lastStamp: EventRecord["stamp"] = null;
  private readonly strings: string[];
  /** This chunk's schema numbers -> builders, made as the schemas come. */
  private readonly objectBuilders: (ObjectBuilder | undefined)[] = [];
  private readonly eventBuilders: (ObjectBuilder | undefined)[] = [];

  constructor(private readonly encoded: EncodedRecords) {
    this.strings = JSON.parse(encoded.strings) as string[];
  }

  get done(): boolean {
    return this.at >= this.encoded.length;
  }

  /** Decodes the next record into `target`. */
  record(lineBase: number, target: RecordTarget): void {
    const n = this.encoded.numbers;
    if (n[this.at++] === OTHER) {
      const record = this.value() as ClassifiedRecord;
      record.line += lineBase;
      target.push(record);
      return;
    }
    let at = this.at;
    const line = n[at++]! + lineBase;
    const lines = n[at++]!;
    const year = n[at++]!;
    const month = n[at++]!;
    let stamp: EventRecord["stamp"] = null;
    if (month !== 0) {
      const knownYear = Number.isNaN(year) ? null : year;
      const offset = n[at + 4]!;
      const last = this.lastStamp;
      // Lines of one second come in runs: they share one stamp, which nothing changes once made.
      if (
        last !== null && last.second === n[at + 3] && last.minute === n[at + 2] && last.hour === n[at + 1] && last.day === n[at] && last.month === month &&
        last.year === knownYear && (Number.isNaN(offset) ? last.utcOffsetMinutes === undefined : last.utcOffsetMinutes === offset)
      ) {
        stamp = last;
      } else {
        stamp = { year: knownYear, month, day: n[at]!, hour: n[at + 1]!, minute: n[at + 2]!, second: n[at + 3]! };
        if (!Number.isNaN(offset)) stamp.utcOffsetMinutes = offset;
        this.lastStamp = stamp;
      }
    }
    at += 5;
    const level = n[at++]!;
    this.at = at;
    const host = this.value() as string | null;
    const body = this.eventBody();
    target.pushEvent(line, lines, stamp, host, level < 0 ? null : LEVELS[level]!, body);
  }

  /** The body of an event, with the event's base keys first (see EVENT_BASE_KEYS). */
  private eventBody(): EventBody {
    const n = this.encoded.numbers;
    if (n[this.at] !== OBJECT) return this.value() as EventBody;
    const schema = n[this.at + 1]!;
    this.at += 2;
    const builder = (this.eventBuilders[schema] ??= builderOf(this.encoded.schemas[schema]!, true));
    return builder(this) as unknown as EventBody;
  }

  /** The next value (builders call it for each of their keys in turn). */
  value(): unknown {
    const n = this.encoded.numbers;
    switch (n[this.at++]) {
      case NUMBER:
        return n[this.at++];
      case STRING:
        return this.strings[n[this.at++]!];
      case NULL:
        return null;
      case TRUE:
        return true;
      case FALSE:
        return false;
      case ARRAY: {
        const length = n[this.at++]!;
        const array: unknown[] = new Array(length);
        for (let i = 0; i < length; i++) array[i] = this.value();
        return array;
      }
      default: {
        const schema = n[this.at++]!;
        const builder = (this.objectBuilders[schema] ??= builderOf(this.encoded.schemas[schema]!, false));
        return builder(this);
      }
    }
  }
}

/** Hands each record of an encoding to `target`, in order, with `lineBase` added to its line number. */
export function decodeRecords(encoded: EncodedRecords, lineBase: number, target: RecordTarget): void {
  const decoder = new RecordDecoder(encoded);
  while (!decoder.done) decoder.record(lineBase, target);
}

/** A target that builds every record (tests; RecordTimer takes events by their fields instead). */
export function recordList(records: ClassifiedRecord[]): RecordTarget {
  return {
    push: (record) => records.push(record),
    pushEvent: (line, lines, stamp, host, level, body) => records.push({ t: "event", line, lines, stamp, host, level, body }),
  };
}
