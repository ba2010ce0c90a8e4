import { readFile } from "node:fs/promises";
import { invalidInput, WorklensError } from "../domain/errors.js";

/**
 * Read a whole input file, turning file-system failures into the error catalogue's
 * codes: a missing path is NOT_FOUND, a folder or an unreadable file INVALID_INPUT.
 */
export async function readInputFile(file: string, kind: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "unknown error";
    if (code === "ENOENT") {
      throw new WorklensError("NOT_FOUND", `${file}: file not found`, `check the path of the ${kind}`, { cause: error });
    }
    if (code === "EISDIR") throw invalidInput(file, "is a folder, not a file", `pass the path of the ${kind} itself`, error);
    if (code === "EACCES") throw invalidInput(file, "permission denied", "make the file readable for this user", error);
    throw invalidInput(file, `cannot be read (${code})`, "check that the file exists and that you may read it", error);
  }
}
