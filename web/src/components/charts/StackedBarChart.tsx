import { Bar, BarChart, CartesianGrid, Legend, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartFrame } from "./ChartFrame.js";
import { formatHours, type ChartRow, type StackedData } from "./capacity.js";
import { legendText, seriesColour } from "./palette.js";

interface StackedBarChartProps {
  testId: string;
  title: string;
  data: StackedData;
  gapLabel: string;
  onDownload: () => Promise<void>;
}

export function tooltipHours(value: unknown): string {
  return typeof value === "number" ? formatHours(value) : String(value);
}

/** Hours per ISO week stacked by group; weeks without numbers show an empty band with the gap label. */
export function StackedBarChart({ testId, title, data, gapLabel, onDownload }: StackedBarChartProps) {
  return (
    <ChartFrame testId={testId} title={title} data={data} gapLabel={gapLabel} onDownload={onDownload}>
      <ResponsiveContainer width="100%" height={280}>
        <BarChart data={data.rows} margin={{ top: 8, right: 12, bottom: 4, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="week" tickFormatter={shortWeek} fontSize={11} />
          <YAxis fontSize={11} width={48} label={{ value: "Hours", angle: -90, position: "insideLeft", fontSize: 11 }} />
          <Tooltip formatter={tooltipHours} />
          <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} formatter={legendText} />
          {data.rows.filter((row) => row.gap).map((row) => (
            <GapBand key={row.week} row={row} label={gapLabel} />
          ))}
          {data.series.map((series, index) => (
            <Bar key={series} name={series} dataKey={(row: ChartRow) => row.values[series] ?? 0} stackId="hours" fill={seriesColour(series, index)} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}

/** A shaded band over a week without numbers, labelled vertically so it fits a narrow week. */
export function GapBand({ row, label }: { row: ChartRow; label: string }) {
  return (
    <ReferenceArea
      x1={row.week}
      x2={row.week}
      fill="#e9ecf1"
      fillOpacity={0.8}
      ifOverflow="extendDomain"
      label={{ value: label, angle: -90, position: "center", fontSize: 10, fill: "#5b6475" }}
    />
  );
}

/** "2025-W11" → "W11 '25", short enough for twelve ticks side by side. */
export function shortWeek(week: string): string {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  return match === null ? week : `W${match[2] ?? ""} '${(match[1] ?? "").slice(2)}`;
}
