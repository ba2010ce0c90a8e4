import type { ContentLine } from "./lines.js";

/** One RFC 5545 content line split into name, parameters and value. */
export interface Property {
  /** Upper-case property name, such as "DTSTART". */
  name: string;
  /** Parameters by upper-case name; quotes removed, several values joined with commas. */
  params: ReadonlyMap<string, string>;
  value: string;
  lineNumber: number;
}

/** A BEGIN..END block with its properties and nested blocks. */
export interface Component {
  /** Upper-case component name, such as "VEVENT". */
  name: string;
  properties: Property[];
  children: Component[];
  lineNumber: number;
  /** False when the file ended, or an enclosing block ended, before this block's END line. */
  closed: boolean;
}

/** The parts of one or more VCALENDAR blocks that the importer reads. */
export interface Calendar {
  properties: Property[];
  timezones: Component[];
  events: Component[];
  /** True when a VCALENDAR block has no END line, which usually means the file was cut short. */
  truncated: boolean;
  /** Line numbers of lines that are not `NAME[;PARAM=VALUE]*:VALUE`. */
  malformedLines: number[];
}

const NAME = /^[A-Za-z0-9-]+/;

/** Split a content line (RFC 5545 section 3.1); returns undefined when it is not `NAME[;PARAM=VALUE]*:VALUE`. */
export function parseContentLine(text: string, lineNumber: number): Property | undefined {
  const name = NAME.exec(text)?.[0];
  if (name === undefined) return undefined;

  const params = new Map<string, string>();
  let pos = name.length;
  while (text[pos] === ";") {
    const paramName = NAME.exec(text.slice(pos + 1))?.[0];
    if (paramName === undefined || text[pos + 1 + paramName.length] !== "=") return undefined;
    pos += paramName.length + 2;

    const values: string[] = [];
    for (;;) {
      if (text[pos] === '"') {
        const close = text.indexOf('"', pos + 1);
        if (close === -1) return undefined;
        values.push(text.slice(pos + 1, close));
        pos = close + 1;
      } else {
        const match = /^[^";:,]*/.exec(text.slice(pos))?.[0] ?? "";
        values.push(match);
        pos += match.length;
      }
      if (text[pos] !== ",") break;
      pos += 1;
    }
    params.set(paramName.toUpperCase(), values.join(","));
  }

  if (text[pos] !== ":") return undefined;
  return { name: name.toUpperCase(), params, value: text.slice(pos + 1), lineNumber };
}

/** Format a property back into one unfolded content line, quoting parameter values that are empty or contain ";", ":" or ",". */
export function formatProperty(property: Pick<Property, "name" | "params" | "value">): string {
  let line = property.name;
  for (const [name, value] of property.params) {
    line += `;${name}=${value === "" || /[;:,]/.test(value) ? `"${value}"` : value}`;
  }
  return `${line}:${property.value}`;
}

/**
 * Read the VCALENDAR blocks of a file. Returns undefined when there is none, so
 * the caller can reject a file that is not a calendar at all.
 */
export function readCalendar(lines: readonly ContentLine[]): Calendar | undefined {
  const { roots, malformedLines } = buildComponents(lines);
  const calendars = roots.filter((root) => root.name === "VCALENDAR");
  if (calendars.length === 0) return undefined;

  return {
    properties: calendars.flatMap((calendar) => calendar.properties),
    timezones: calendars.flatMap((calendar) => calendar.children.filter((child) => child.name === "VTIMEZONE")),
    events: calendars.flatMap((calendar) => calendar.children.filter((child) => child.name === "VEVENT")),
    truncated: calendars.some((calendar) => !calendar.closed),
    malformedLines,
  };
}

function buildComponents(lines: readonly ContentLine[]): { roots: Component[]; malformedLines: number[] } {
  const roots: Component[] = [];
  const malformedLines: number[] = [];
  const stack: Component[] = [];

  for (const line of lines) {
    const property = parseContentLine(line.text, line.lineNumber);
    if (property === undefined) {
      malformedLines.push(line.lineNumber);
      continue;
    }

    if (property.name === "BEGIN") {
      const component: Component = {
        name: property.value.trim().toUpperCase(),
        properties: [],
        children: [],
        lineNumber: line.lineNumber,
        closed: false,
      };
      const parent = stack.at(-1);
      if (parent === undefined) roots.push(component);
      else parent.children.push(component);
      stack.push(component);
      continue;
    }

    if (property.name === "END") {
      // An END that matches an outer block also ends the blocks opened inside it, which stay unclosed.
      const name = property.value.trim().toUpperCase();
      const depth = stack.findLastIndex((component) => component.name === name);
      if (depth === -1) continue;
      const component = stack[depth];
      if (component !== undefined) component.closed = true;
      stack.length = depth;
      continue;
    }

    stack.at(-1)?.properties.push(property);
  }
  return { roots, malformedLines };
}

/** Return the first property with this name, or undefined. */
export function firstProperty(component: Component, name: string): Property | undefined {
  return component.properties.find((property) => property.name === name);
}
