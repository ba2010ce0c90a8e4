export function TeamCapacityPage() {
  return <h1>TeamCapacity</h1>;
}
