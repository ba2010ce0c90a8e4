import { setTimeout as sleep } from "node:timers/promises";
import { emailLookup, identityLookup, nameLookup } from "./people-repository.js";
import { PSEUDONYM_SECRET } from "./digest.js";
import { dataKeyVersionsInUse, ENCRYPTED_TABLES, resealBatch } from "./reencrypt.js";
import type { Store } from "./store.js";

export interface RotationOptions {
  /** Create a new tenant data key version and re-encrypt every value under it. */
  newDataKey: boolean;
  /** Rewrap the data keys under the key provider's current master key. */
  master: boolean;
  /** Recompute identity lookups as keyed digests (the upgrade of a store written before encryption). */
  recomputeLookups?: boolean;
  /** Rows per transaction; 500 when absent. */
  batchSize?: number;
}

export interface RotationReport {
  /** The new data key version, when one was created. */
  newVersion: number | undefined;
  dataKeysRewrapped: number;
  personKeysRewrapped: number;
  /** Rows re-encrypted per table. */
  rows: Record<string, number>;
  lookupsRecomputed: number;
  /** Data key versions deleted because no value or person key used them any more. */
  retiredVersions: number[];
  /** Retired versions still in use after the last pass, such as by a process that wrote with a stale key. */
  stillInUse: number[];
  seconds: number;
}

/** Passes over the tables before old versions still in use are left for the next rotation. */
const MAX_PASSES = 3;
/** Wait between passes: longer than a vault's cache of the current key, so other processes have moved to the new one. */
const PASS_WAIT_MS = 5_500;

/**
 * Rotates the keys of a store while it stays in use. Each batch of rows is one
 * transaction, and reads accept old and new key versions meanwhile, so a server on
 * the same store keeps working. The same pass encrypts plain-text rows, which is how a
 * store written before encryption is upgraded.
 */
export async function rotateKeys(store: Store, options: RotationOptions): Promise<RotationReport> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 500;
  const report: RotationReport = { newVersion: undefined, dataKeysRewrapped: 0, personKeysRewrapped: 0, rows: {}, lookupsRecomputed: 0, retiredVersions: [], stillInUse: [], seconds: 0 };

  if (options.master) report.dataKeysRewrapped = await store.vault.rewrapDataKeys();
  if (options.newDataKey) report.newVersion = await store.vault.addDataKeyVersion();

  let after = 0;
  for (;;) {
    const batch = await store.transaction((repositories) => repositories.vault.rewrapPersonKeys(after, batchSize));
    report.personKeysRewrapped += batch.rewrapped;
    if (batch.lastPersonId === undefined) break;
    after = batch.lastPersonId;
  }

  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    await resealAll(store, batchSize, report.rows);
    const retired = (await store.vault.dataKeyVersions()).filter((row) => row.retiredAt !== null).map((row) => row.version);
    const inUse = await dataKeyVersionsInUse(store.db, retired);
    report.stillInUse = [...inUse];
    if (inUse.size === 0 || !options.newDataKey || pass === MAX_PASSES) {
      report.retiredVersions = await store.vault.deleteUnusedDataKeys(inUse);
      break;
    }
    await sleep(PASS_WAIT_MS);
  }

  if (options.recomputeLookups === true) report.lookupsRecomputed = await recomputeLookups(store, batchSize);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

async function resealAll(store: Store, batchSize: number, counts: Record<string, number>): Promise<void> {
  for (const spec of ENCRYPTED_TABLES) {
    let after: string | number | undefined;
    do {
      const batch = await store.transaction((repositories) => resealBatch(repositories.db, repositories.vault, spec, after, batchSize, { rotateTenantKeys: true }));
      counts[spec.table] = (counts[spec.table] ?? 0) + batch.changed;
      after = batch.last;
    } while (after !== undefined);
  }
}

/** Recomputes every identity's lookups from its decrypted texts under the store's pseudonym key. */
async function recomputeLookups(store: Store, batchSize: number): Promise<number> {
  const key = await store.settings.secret(PSEUDONYM_SECRET);
  let after = 0;
  let changed = 0;
  for (;;) {
    const done = await store.transaction(async (repositories) => {
      const rows = await repositories.db
        .selectFrom("identities")
        .innerJoin("identity_texts", "identity_texts.identity_id", "identities.id")
        .select(["identities.id", "identities.source", "identity_texts.external_id", "identity_texts.display_name", "identity_texts.email"])
        .where("identities.id", ">", after)
        .orderBy("identities.id")
        .limit(batchSize)
        .execute();
      for (const row of rows) {
        const place = (column: string) => ({ table: "identity_texts", column, row: row.id });
        const externalId = await repositories.vault.decryptText(place("external_id"), row.external_id);
        const email = await repositories.vault.decryptNullable(place("email"), row.email);
        const name = await repositories.vault.decryptNullable(place("display_name"), row.display_name);
        await repositories.db
          .updateTable("identities")
          .set({ lookup: identityLookup(key, row.source, externalId), email_lookup: emailLookup(key, email), name_lookup: nameLookup(key, name) })
          .where("id", "=", row.id)
          .execute();
        changed++;
      }
      after = rows.at(-1)?.id ?? after;
      return rows.length < batchSize;
    });
    if (done) return changed;
  }
}
