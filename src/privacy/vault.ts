/**
 * Encryption of text at rest under per-tenant and per-person data keys.
 * Being written by the encryption work; the signatures below are the contract other
 * parts of the privacy layer code against.
 */
export class Vault {
  /**
   * Destroy a person's data key (crypto-shredding): every text encrypted under it
   * becomes unreadable, in this store and in any backup of it. Returns false when the
   * person had no key.
   */
  destroyPersonKey(_personId: number): Promise<boolean> {
    return Promise.reject(new Error("Vault.destroyPersonKey is not written yet"));
  }
}
