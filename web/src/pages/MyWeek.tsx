export function MyWeekPage() {
  return <h1>MyWeek</h1>;
}
