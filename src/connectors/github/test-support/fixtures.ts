import type { MockCommit, MockPull } from "./mock-github.js";

/** Builds a 40-digit commit hash from a number, distinct from the all-zero hash for n > 0. */
export function sha(n: number): string {
  return n.toString(16).padStart(40, "0");
}

/** Commits 1 to `count`, an hour apart from 2025-03-10 08:00 Berlin time, authored by Dev One. */
export function hourlyCommits(count: number, message = (n: number) => `PROJ-${n} step ${n}`): MockCommit[] {
  return Array.from({ length: count }, (_, i) => ({
    sha: sha(i + 1),
    message: message(i + 1),
    authorName: "Dev One",
    authorEmail: "dev.one@example.com",
    authoredAt: new Date(Date.UTC(2025, 2, 10, 7 + i)).toISOString().replace(".000Z", "+00:00"),
    login: "dev-one",
  }));
}

/** Pull requests 1 to `count`, updated an hour apart, each with one approving review by Rev Two. */
export function hourlyPulls(count: number): MockPull[] {
  return Array.from({ length: count }, (_, i) => ({
    number: i + 1,
    title: `PROJ-${i + 1} change ${i + 1}`,
    headRef: `feature/proj-${i + 1}`,
    author: "dev-one",
    createdAt: new Date(Date.UTC(2025, 2, 9, 8 + i)).toISOString(),
    updatedAt: new Date(Date.UTC(2025, 2, 10, 8 + i)).toISOString(),
    reviews: [{ id: 9000 + i, reviewer: "rev-two", state: "APPROVED", submittedAt: new Date(Date.UTC(2025, 2, 10, 8 + i)).toISOString() }],
  }));
}
