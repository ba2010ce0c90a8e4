import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { legendText } from "./palette.js";
import { ChartFrame } from "./ChartFrame.js";
import type { ChartRow, StackedData } from "./capacity.js";
import { GapBand, shortWeek, tooltipHours } from "./StackedBarChart.js";

interface CommitmentChartProps {
  data: StackedData;
  gapLabel: string;
  onDownload: () => Promise<void>;
}

/** Capacity versus commitment: suggested and confirmed hours as bars side by side, committed hours as a line over them. */
export function CommitmentChart({ data, gapLabel, onDownload }: CommitmentChartProps) {
  const value = (series: string) => (row: ChartRow) => (row.gap ? null : (row.values[series] ?? 0));
  return (
    <ChartFrame testId="chart-commitment" title="Capacity versus commitment" data={data} gapLabel={gapLabel} onDownload={onDownload}>
      <ResponsiveContainer width="100%" height={280}>
        <ComposedChart data={data.rows} margin={{ top: 8, right: 12, bottom: 4, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="week" tickFormatter={shortWeek} fontSize={11} />
          <YAxis fontSize={11} width={48} label={{ value: "Hours", angle: -90, position: "insideLeft", fontSize: 11 }} />
          <Tooltip formatter={tooltipHours} />
          <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} formatter={legendText} />
          {data.rows.filter((row) => row.gap).map((row) => (
            <GapBand key={row.week} row={row} label={gapLabel} />
          ))}
          <Bar name="Suggested" dataKey={value("Suggested")} fill="#56b4e9" isAnimationActive={false} />
          <Bar name="Confirmed" dataKey={value("Confirmed")} fill="#009e73" isAnimationActive={false} />
          {/* connectNulls stays off, so the committed line breaks at weeks without numbers instead of bridging them. */}
          <Line name="Committed" type="monotone" dataKey={value("Committed")} stroke="#d55e00" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
