import { deleteSessionsOf, setAccount } from "../../store/account-repository.js";
import type { Repositories } from "../../store/store.js";
import { hashPassword } from "./password.js";

export interface AccountInput {
  personId: number;
  /** The login name; undefined keeps the login of an existing account. */
  login?: string | undefined;
  password: string;
}

/**
 * Hashes a password and stores it as a person's account: creates the account, or sets
 * a new password (and login, when given) and enables it. Every open session of the
 * person is deleted, so a changed password signs out browsers that used the old one.
 * Throws USAGE for a password under the minimum length or a missing login of a new
 * account, NOT_FOUND for an unknown person, CONFLICT for a login another person has.
 * Returns whether the account was created.
 */
export async function createAccount(repositories: Repositories, input: AccountInput, now: number): Promise<{ created: boolean }> {
  const passwordHash = await hashPassword(input.password);
  const result = await setAccount(repositories, { personId: input.personId, login: input.login, passwordHash, now });
  await deleteSessionsOf(repositories, input.personId);
  return result;
}
