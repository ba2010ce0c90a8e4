import { OTHER_SERIES } from "./capacity.js";

// Colours that people with the common red-green colour blindness can also distinguish (Okabe–Ito order, then extra shades).
const COLOURS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#332288"];

/** Colour of a series: "Other" and the server's "fewer than N people" bucket are greys, so they never look like a group. */
export function seriesColour(series: string, index: number): string {
  if (series === OTHER_SERIES) return "#9aa3b2";
  if (series.startsWith("fewer than ")) return "#5b6475";
  return COLOURS[index % COLOURS.length] ?? "#0072b2";
}

/** Legend labels in the text colour: a label in its series' colour is unreadable for the light ones, such as yellow. */
export function legendText(value: string) {
  return <span className="chart-legend-text">{value}</span>;
}
