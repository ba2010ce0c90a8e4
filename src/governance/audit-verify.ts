import { AUDIT_GENESIS_HASH, auditHashesEqual, auditKeyId, hashAuditEntry } from "../privacy/audit-chain.js";
import { AUDIT_ANCHOR_KEY, AUDIT_HEAD_KEY, anchorMac, type AuditAnchor, type AuditHead, type AuditRepository } from "../store/audit-repository.js";
import { SettingsRepository } from "../store/settings-repository.js";
import type { Repositories } from "../store/store.js";

export type AuditProblemKind =
  /** The audit key differs from the one the chain was started with. */
  | "wrong-key"
  /** An entry's fields no longer match its hash. */
  | "edited"
  /** A gap in seq: entries were removed from the middle or the start. */
  | "missing"
  /** An entry's prev_hash is not the hash of the entry before it. */
  | "relinked"
  /** The head in settings names a later entry than the last one stored. */
  | "tail-removed"
  /** The head in settings is missing or names another entry than the last one. */
  | "head-mismatch"
  /** The purge anchor is unreadable or its MAC does not match. */
  | "anchor-invalid"
  /** An entry survives at or below the purge anchor. */
  | "before-anchor"
  /** The head hash the operator kept is not in the chain. */
  | "expected-head-missing";

export interface AuditProblem {
  kind: AuditProblemKind;
  /** The entry concerned, or null for the log as a whole. */
  seq: number | null;
  message: string;
}

export interface AuditVerification {
  intact: boolean;
  /** Entries read and checked. */
  entries: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Entries removed by retention purges, from the anchor. */
  purged: number;
  head: AuditHead | undefined;
  /** Problems in seq order, the first one being where the chain first breaks; at most MAX_PROBLEMS. */
  problems: AuditProblem[];
}

export interface AuditVerifyOptions {
  /** A head hash kept outside the database (from `worklens audit head`) that must still be in the chain. */
  expectHead?: string | undefined;
}

const PAGE_SIZE = 1000;
const MAX_PROBLEMS = 100;

/**
 * Walks the audit chain from the purge anchor (or the genesis hash) to the head and reports
 * every break it finds: edited entries (a hash mismatch, which cannot show the field that changed),
 * removed entries (a seq gap or a prev_hash that does not link), a removed tail (the head in
 * settings is ahead of the last entry) and a wrong key.
 */
export async function verifyAuditLog(repositories: Pick<Repositories, "audit" | "settings">, options: AuditVerifyOptions = {}): Promise<AuditVerification> {
  const audit: AuditRepository = repositories.audit;
  const problems: AuditProblem[] = [];
  const report = (problem: AuditProblem): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
  };

  const key = await audit.chainKey();
  const recordedKeyId = await audit.recordedKeyId();
  const head = await audit.head();
  const headText = await repositories.settings.get(AUDIT_HEAD_KEY);
  if (recordedKeyId !== undefined && recordedKeyId !== auditKeyId(key)) {
    report({ kind: "wrong-key", seq: null, message: `the audit key (id ${auditKeyId(key)}) is not the one the chain was started with (id ${recordedKeyId}), so no entry can be checked` });
    return { intact: false, entries: await audit.count(), firstSeq: null, lastSeq: null, purged: 0, head, problems };
  }

  const anchor = await readAnchor(repositories.settings, key, report);
  let expectedSeq = anchor === undefined ? 1 : anchor.seq + 1;
  let expectedPrev = anchor?.hash ?? AUDIT_GENESIS_HASH;
  let lastSeq: number | null = anchor?.seq ?? null;
  let lastHash: string | null = anchor?.hash ?? null;
  let firstSeq: number | null = null;
  let entries = 0;
  let edited = 0;
  let expectedHeadFound = options.expectHead === undefined || (anchor !== undefined && auditHashesEqual(anchor.hash, options.expectHead));

  for (let afterSeq = 0; ; ) {
    const page = await audit.rows(afterSeq, PAGE_SIZE);
    for (const row of page) {
      entries++;
      firstSeq ??= row.seq;
      if (row.seq < expectedSeq) {
        report({ kind: "before-anchor", seq: row.seq, message: `entry ${String(row.seq)} is still stored although the purge anchor records that entries up to ${String(expectedSeq - 1)} were removed` });
        continue;
      }
      if (row.seq > expectedSeq) {
        const range = row.seq - 1 === expectedSeq ? `entry ${String(expectedSeq)} is` : `entries ${String(expectedSeq)} to ${String(row.seq - 1)} are`;
        report({ kind: "missing", seq: expectedSeq, message: `${range} missing: the log jumps from ${String(expectedSeq - 1)} to ${String(row.seq)}` });
      } else if (!auditHashesEqual(row.prev_hash, expectedPrev)) {
        report({ kind: "relinked", seq: row.seq, message: `entry ${String(row.seq)} does not link to entry ${String(row.seq - 1)}: its prev_hash differs from that entry's hash, so an entry before it was replaced or removed` });
      }
      const computed = hashAuditEntry(key, { seq: row.seq, at: row.at, actor: row.actor, action: row.action, subject: row.subject, details: row.details, prevHash: row.prev_hash });
      if (!auditHashesEqual(computed, row.hash)) {
        edited++;
        report({ kind: "edited", seq: row.seq, message: `entry ${String(row.seq)} was changed after it was written: its fields no longer match its hash` });
      }
      if (options.expectHead !== undefined && auditHashesEqual(row.hash, options.expectHead)) expectedHeadFound = true;
      expectedSeq = row.seq + 1;
      expectedPrev = row.hash;
      lastSeq = row.seq;
      lastHash = row.hash;
    }
    const last = page.at(-1);
    if (page.length < PAGE_SIZE || last === undefined) break;
    afterSeq = last.seq;
  }

  // Every hash failing while every prev_hash link matches is what a different key looks like, when no key id was recorded.
  if (recordedKeyId === undefined && entries > 0 && edited === entries && problems.every((p) => p.kind === "edited")) {
    problems.length = 0;
    report({ kind: "wrong-key", seq: null, message: `no entry matches its hash under the audit key (id ${auditKeyId(key)}): the key is not the one the chain was written with` });
  }

  checkHead(head, headText, lastSeq, lastHash, report);
  if (!expectedHeadFound && options.expectHead !== undefined) {
    report({ kind: "expected-head-missing", seq: null, message: `the expected head ${options.expectHead} is not the hash of any stored entry or of the purge anchor: entries up to it were removed or rewritten` });
  }

  return { intact: problems.length === 0, entries, firstSeq, lastSeq, purged: anchor?.count ?? 0, head, problems };
}

async function readAnchor(settings: SettingsRepository, key: Buffer, report: (problem: AuditProblem) => void): Promise<AuditAnchor | undefined> {
  const text = await settings.get(AUDIT_ANCHOR_KEY);
  if (text === undefined) return undefined;
  let value: Partial<AuditAnchor>;
  try {
    value = JSON.parse(text) as Partial<AuditAnchor>;
  } catch {
    report({ kind: "anchor-invalid", seq: null, message: `the purge anchor in settings ("${AUDIT_ANCHOR_KEY}") is not valid JSON` });
    return undefined;
  }
  const { seq, hash, count, mac } = value;
  if (typeof seq !== "number" || typeof hash !== "string" || typeof count !== "number" || typeof mac !== "string") {
    report({ kind: "anchor-invalid", seq: null, message: `the purge anchor in settings ("${AUDIT_ANCHOR_KEY}") lacks seq, hash, count or mac` });
    return undefined;
  }
  if (!auditHashesEqual(anchorMac(key, seq, hash, count), mac)) {
    report({ kind: "anchor-invalid", seq, message: `the purge anchor at entry ${String(seq)} does not match its MAC: it was moved or edited outside a purge` });
  }
  return { seq, hash, count, mac };
}

function checkHead(head: AuditHead | undefined, headText: string | undefined, lastSeq: number | null, lastHash: string | null, report: (problem: AuditProblem) => void): void {
  if (head === undefined) {
    if (headText !== undefined) report({ kind: "head-mismatch", seq: null, message: `the audit head in settings ("${AUDIT_HEAD_KEY}") is unreadable` });
    else if (lastSeq !== null) report({ kind: "head-mismatch", seq: null, message: `the audit head in settings ("${AUDIT_HEAD_KEY}") is missing although entries exist` });
    return;
  }
  if (lastSeq === null || head.seq > lastSeq) {
    const from = lastSeq === null ? 1 : lastSeq + 1;
    const range = from === head.seq ? `entry ${String(head.seq)} was` : `entries ${String(from)} to ${String(head.seq)} were`;
    report({ kind: "tail-removed", seq: from, message: `the head records entry ${String(head.seq)} but the last stored entry is ${lastSeq === null ? "none" : String(lastSeq)}: ${range} removed` });
    return;
  }
  if (head.seq < lastSeq || lastHash === null || !auditHashesEqual(head.hash, lastHash)) {
    report({ kind: "head-mismatch", seq: head.seq, message: `the head records entry ${String(head.seq)} with another hash than the last stored entry ${String(lastSeq)}` });
  }
}
