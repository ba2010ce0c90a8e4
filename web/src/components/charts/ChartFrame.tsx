import { useState, type ReactNode } from "react";
import { ApiError } from "../../api.js";
import { formatHours, type StackedData } from "./capacity.js";

interface ChartFrameProps {
  testId: string;
  title: string;
  data: StackedData;
  /** Label of a week without numbers: "fewer than N people". */
  gapLabel: string;
  onDownload: () => Promise<void>;
  children: ReactNode;
}

/**
 * The parts every capacity chart shares: title, "Download CSV", the chart itself and a
 * visually hidden table with the same numbers for screen readers.
 */
export function ChartFrame({ testId, title, data, gapLabel, onDownload, children }: ChartFrameProps) {
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const [downloading, setDownloading] = useState(false);
  const headingId = `${testId}-title`;
  const gaps = data.rows.filter((row) => row.gap).length;

  const download = async () => {
    setDownloading(true);
    setDownloadError(null);
    try {
      await onDownload();
    } catch (error: unknown) {
      setDownloadError(error instanceof ApiError ? `${error.message}${error.hint === undefined ? "" : ` (${error.hint})`}` : "the CSV export failed");
    } finally {
      setDownloading(false);
    }
  };

  return (
    <figure className="chart" data-testid={testId} aria-labelledby={headingId}>
      <div className="chart-head">
        <h2 id={headingId}>{title}</h2>
        <button type="button" onClick={() => void download()} disabled={downloading}>
          Download CSV
        </button>
      </div>
      {downloadError !== null && (
        <p role="alert" className="chart-error">
          Download failed: {downloadError}
        </p>
      )}
      <div className="chart-plot" aria-hidden="true">
        {children}
      </div>
      {gaps > 0 && (
        <p className="chart-note">
          {gaps === 1 ? "1 week has" : `${String(gaps)} weeks have`} no bars: {gapLabel} had time then.
        </p>
      )}
      <table className="sr-only">
        <caption>{title}, hours per ISO week</caption>
        <thead>
          <tr>
            <th scope="col">Week</th>
            {data.series.map((series) => (
              <th scope="col" key={series}>
                {series}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.rows.map((row) => (
            <tr key={row.week}>
              <th scope="row">{row.week}</th>
              {row.gap ? (
                <td colSpan={Math.max(data.series.length, 1)}>{gapLabel}</td>
              ) : (
                data.series.map((series) => <td key={series}>{formatHours(row.values[series] ?? 0)}</td>)
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
