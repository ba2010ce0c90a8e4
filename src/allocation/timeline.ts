import { splitByDay } from "../domain/time.js";

/** A span of one person's time with what it was for. `label` null means not linked to any issue. */
export interface Block {
  start: number;
  end: number;
  label: number | null;
  /** Linked blocks outrank unlinked ones at the same instant. */
  linked: boolean;
  /** Index into the caller's evidence list. */
  ref: number;
}

export interface AttributedSlice {
  day: string;
  label: number | null;
  ms: number;
  refs: Set<number>;
  /**
   * Milliseconds of `ms` during which a block of each group (from the caller's `groupOf`)
   * shared the label. Groups overlap, so their values can sum to more than `ms`.
   * Empty when no `groupOf` is given.
   */
  byGroup: Map<string, number>;
}

/**
 * Attribute the union of a person's blocks, never counting an instant twice. The
 * timeline is cut at every block boundary. In each piece, the distinct labels of the
 * linked blocks share the piece equally, and only when no linked block covers it do
 * the unlinked ones take it. Pieces are then split at local midnights of `zone`.
 * With `groupOf`, each slice also reports how long each group of its blocks covered it.
 */
export function attribute(blocks: readonly Block[], zone: string, groupOf?: (ref: number) => string): AttributedSlice[] {
  const boundaries = [...new Set(blocks.flatMap((b) => [b.start, b.end]))].sort((a, b) => a - b);
  const byStart = [...blocks].filter((b) => b.end > b.start).sort((a, b) => a.start - b.start);
  const active: Block[] = [];
  const totals = new Map<string, AttributedSlice>();
  let next = 0;

  for (let i = 0; i + 1 < boundaries.length; i++) {
    const from = boundaries[i] ?? 0;
    const to = boundaries[i + 1] ?? 0;
    while (next < byStart.length && (byStart[next]?.start ?? Infinity) <= from) {
      const block = byStart[next];
      if (block) active.push(block);
      next += 1;
    }
    for (let k = active.length - 1; k >= 0; k--) {
      if ((active[k]?.end ?? 0) <= from) active.splice(k, 1);
    }
    if (active.length === 0) continue;

    const linked = active.filter((b) => b.linked);
    const sharing = linked.length > 0 ? linked : active;
    const labels = [...new Set(sharing.map((b) => b.label))];
    for (const slice of splitByDay(from, to, zone)) {
      const share = (slice.end - slice.start) / labels.length;
      for (const label of labels) {
        const key = `${slice.day}|${String(label)}`;
        const entry = totals.get(key) ?? { day: slice.day, label, ms: 0, refs: new Set<number>(), byGroup: new Map<string, number>() };
        entry.ms += share;
        const groups = new Set<string>();
        for (const b of sharing) {
          if (b.label !== label) continue;
          entry.refs.add(b.ref);
          if (groupOf) groups.add(groupOf(b.ref));
        }
        for (const group of groups) entry.byGroup.set(group, (entry.byGroup.get(group) ?? 0) + share);
        totals.set(key, entry);
      }
    }
  }
  return [...totals.values()];
}
