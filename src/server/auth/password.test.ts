import { describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { checkPasswordStrength, generatePassword, hashPassword, MIN_PASSWORD_LENGTH, verifyDummy, verifyPassword } from "./password.js";

const PASSWORD = "correct horse battery staple";

function failure(run: () => unknown): WorklensError {
  try {
    run();
  } catch (error) {
    if (error instanceof WorklensError) return error;
    throw error;
  }
  throw new Error("expected a WorklensError");
}

/** Median duration of `runs` calls of `work`, in milliseconds. */
async function medianMs(work: () => Promise<unknown>, runs: number): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)] ?? Number.NaN;
}

describe("password hashing", () => {
  it("encodes the parameters and salt", async () => {
    const encoded = await hashPassword(PASSWORD);
    const parts = encoded.split("$");
    expect(parts.slice(0, 4)).toEqual(["scrypt", "15", "8", "1"]);
    expect(Buffer.from(parts[4] ?? "", "base64")).toHaveLength(16);
    expect(Buffer.from(parts[5] ?? "", "base64")).toHaveLength(32);
    expect(encoded).not.toContain(PASSWORD);
  });

  it("salts every hash", async () => {
    const first = await hashPassword(PASSWORD);
    const second = await hashPassword(PASSWORD);
    expect(first).not.toBe(second);
    expect(await verifyPassword(PASSWORD, first)).toBe(true);
    expect(await verifyPassword(PASSWORD, second)).toBe(true);
  });

  it("verifies only the right password", async () => {
    const encoded = await hashPassword(PASSWORD);
    expect(await verifyPassword(PASSWORD, encoded)).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", encoded)).toBe(false);
    expect(await verifyPassword("Correct horse battery staple", encoded)).toBe(false);
    expect(await verifyPassword("", encoded)).toBe(false);
  });

  it("verifies hashes of other parameters", async () => {
    const weaker = await hashPassword(PASSWORD, { logN: 14, r: 8, p: 1 });
    expect(weaker.startsWith("scrypt$14$8$1$")).toBe(true);
    expect(await verifyPassword(PASSWORD, weaker)).toBe(true);
    expect(await verifyPassword("another password entirely", weaker)).toBe(false);
  });

  it("treats normalization forms alike", async () => {
    // "é" as one code point and as "e" plus a combining accent, as different keyboards send it.
    const composed = "caf\u00e9 au lait, bitte";
    const decomposed = "cafe\u0301 au lait, bitte";
    expect(await verifyPassword(decomposed, await hashPassword(composed))).toBe(true);
  });

  it("rejects malformed or tampered hashes", async () => {
    const encoded = await hashPassword(PASSWORD);
    const parts = encoded.split("$");
    const tampered = [
      "",
      "bcrypt$2b$12$abc",
      encoded.replace("scrypt$", "scrypt2$"),
      [...parts.slice(0, 5), Buffer.alloc(32).toString("base64")].join("$"),
      [...parts.slice(0, 5), Buffer.alloc(16).toString("base64")].join("$"),
      ["scrypt", "40", "8", "1", parts[4], parts[5]].join("$"),
      ["scrypt", "15", "8", "1", Buffer.alloc(4).toString("base64"), parts[5]].join("$"),
    ];
    for (const value of tampered) expect(await verifyPassword(PASSWORD, value), value).toBe(false);
  });

  it("requires the minimum length", async () => {
    const short = "a".repeat(MIN_PASSWORD_LENGTH - 1);
    const error = failure(() => { checkPasswordStrength(short); });
    expect(error.code).toBe("USAGE");
    expect(error.message).toBe("invalid password: it has 11 characters, fewer than the minimum of 12");
    expect(error.hint).toContain("at least 12 characters");
    await expect(hashPassword(short)).rejects.toThrow("fewer than the minimum of 12");
    // Code points are counted, so 12 emoji (24 UTF-16 units) pass and 11 do not.
    expect(() => { checkPasswordStrength("\u{1F600}".repeat(12)); }).not.toThrow();
    expect(() => { checkPasswordStrength("\u{1F600}".repeat(11)); }).toThrow("11 characters");
    expect(() => { checkPasswordStrength("x".repeat(1025)); }).toThrow("more than the maximum of 1024");
  });

  it("generates strong passwords", () => {
    const generated = new Set(Array.from({ length: 20 }, () => generatePassword()));
    expect(generated.size).toBe(20);
    for (const password of generated) {
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(() => { checkPasswordStrength(password); }).not.toThrow();
    }
  });

  it("dummy check costs about a real check", async () => {
    const encoded = await hashPassword(PASSWORD);
    await verifyDummy(PASSWORD);
    const real = await medianMs(() => verifyPassword("a wrong password here", encoded), 5);
    const dummy = await medianMs(() => verifyDummy("a wrong password here"), 5);
    // Loose bounds: the check is that the dummy runs scrypt with the same cost, not a timing benchmark.
    expect(dummy / real).toBeGreaterThan(0.4);
    expect(dummy / real).toBeLessThan(2.5);
  }, 60_000);
});
