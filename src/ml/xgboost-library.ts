import koffi from "koffi";
import { WorklensError } from "../domain/errors.js";

/**
 * Bindings to the part of XGBoost's C API (`xgboost/c_api.h`, version 1.7) that
 * training and prediction use. Handles are opaque pointers, which koffi passes as
 * bigint addresses; every function returns 0 on success and -1 on failure, with
 * the reason in `XGBGetLastError`.
 */

/** The soname Debian 12 and Ubuntu ship in the `libxgboost0` package. */
export const DEFAULT_XGBOOST_LIBRARY = "libxgboost.so.0";

/** An XGBoost DMatrixHandle or BoosterHandle: an address koffi hands back, never dereferenced here. */
export type Handle = unknown;

/** A one-element array koffi fills for an `_Out_` pointer argument. */
type Out<T> = [T];

/** Sets an `_Out_` argument to its initial value before a call. */
export function out<T>(initial: T): Out<T> {
  return [initial];
}

export interface XGBoostApi {
  XGBoostVersion(major: Out<number>, minor: Out<number>, patch: Out<number>): void;
  XGBGetLastError(): string | null;
  XGDMatrixCreateFromMat(data: Float32Array, rows: number, columns: number, missing: number, handle: Out<Handle>): number;
  XGDMatrixFree(handle: Handle): number;
  XGDMatrixSetFloatInfo(handle: Handle, field: string, values: Float32Array, length: number): number;
  XGDMatrixSetUIntInfo(handle: Handle, field: string, values: Uint32Array, length: number): number;
  XGDMatrixSetStrFeatureInfo(handle: Handle, field: string, values: readonly string[], length: number): number;
  XGBoosterCreate(matrices: readonly Handle[], length: number, handle: Out<Handle>): number;
  XGBoosterFree(handle: Handle): number;
  XGBoosterSetParam(handle: Handle, name: string, value: string): number;
  XGBoosterSetStrFeatureInfo(handle: Handle, field: string, values: readonly string[], length: number): number;
  XGBoosterUpdateOneIter(handle: Handle, iteration: number, train: Handle): number;
  XGBoosterSaveModelToBuffer(handle: Handle, config: string, length: Out<number | bigint>, buffer: Out<Handle>): number;
  XGBoosterLoadModelFromBuffer(handle: Handle, buffer: Buffer, length: number): number;
  XGBoosterPredictFromDense(
    handle: Handle,
    arrayInterface: string,
    config: string,
    proxy: Handle,
    shape: Out<Handle>,
    dimensions: Out<number | bigint>,
    result: Out<Handle>,
  ): number;
}

/** C declarations in koffi's prototype syntax; `uint64_t` is XGBoost's `bst_ulong`. */
const DECLARATIONS: Record<keyof XGBoostApi, string> = {
  XGBoostVersion: "void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)",
  XGBGetLastError: "const char *XGBGetLastError()",
  XGDMatrixCreateFromMat: "int XGDMatrixCreateFromMat(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ void **out)",
  XGDMatrixFree: "int XGDMatrixFree(void *handle)",
  XGDMatrixSetFloatInfo: "int XGDMatrixSetFloatInfo(void *handle, const char *field, const float *array, uint64_t len)",
  XGDMatrixSetUIntInfo: "int XGDMatrixSetUIntInfo(void *handle, const char *field, const uint32_t *array, uint64_t len)",
  XGDMatrixSetStrFeatureInfo: "int XGDMatrixSetStrFeatureInfo(void *handle, const char *field, const char **features, uint64_t size)",
  XGBoosterCreate: "int XGBoosterCreate(void **dmats, uint64_t len, _Out_ void **out)",
  XGBoosterFree: "int XGBoosterFree(void *handle)",
  XGBoosterSetParam: "int XGBoosterSetParam(void *handle, const char *name, const char *value)",
  XGBoosterSetStrFeatureInfo: "int XGBoosterSetStrFeatureInfo(void *handle, const char *field, const char **features, uint64_t size)",
  XGBoosterUpdateOneIter: "int XGBoosterUpdateOneIter(void *handle, int iter, void *dtrain)",
  XGBoosterSaveModelToBuffer: "int XGBoosterSaveModelToBuffer(void *handle, const char *config, _Out_ uint64_t *out_len, _Out_ void **out_dptr)",
  XGBoosterLoadModelFromBuffer: "int XGBoosterLoadModelFromBuffer(void *handle, const void *buf, uint64_t len)",
  XGBoosterPredictFromDense:
    "int XGBoosterPredictFromDense(void *handle, const char *array_interface, const char *config, void *m, " +
    "_Out_ void **out_shape, _Out_ uint64_t *out_dim, _Out_ void **out_result)",
};

export interface XGBoostLibrary {
  api: XGBoostApi;
  /** For example "1.7.4". */
  version: string;
  /** The path or soname the library was loaded from. */
  path: string;
}

const loaded = new Map<string, XGBoostLibrary>();

/**
 * Loads XGBoost's shared library and binds the C functions, once per path.
 * Throws UNAVAILABLE when the library or one of its functions cannot be found.
 */
export function loadXGBoostLibrary(path: string = DEFAULT_XGBOOST_LIBRARY): XGBoostLibrary {
  const cached = loaded.get(path);
  if (cached !== undefined) return cached;

  let api: XGBoostApi;
  try {
    const library = koffi.load(path);
    const bound: Partial<Record<keyof XGBoostApi, unknown>> = {};
    for (const [name, declaration] of Object.entries(DECLARATIONS)) bound[name as keyof XGBoostApi] = library.func(declaration);
    api = bound as XGBoostApi;
  } catch (error) {
    throw new WorklensError(
      "UNAVAILABLE",
      `XGBoost (${path}) is not installed or cannot be loaded, so models cannot be trained here: ${error instanceof Error ? error.message : String(error)}`,
      "install it with: apt-get install libxgboost0 (Debian 12 and Ubuntu ship XGBoost 1.7), or point WORKLENS_XGBOOST_LIBRARY " +
        "at libxgboost.so; predictions need no library",
      { cause: error },
    );
  }

  const major = out(0);
  const minor = out(0);
  const patch = out(0);
  api.XGBoostVersion(major, minor, patch);
  const library: XGBoostLibrary = { api, version: `${major[0]}.${minor[0]}.${patch[0]}`, path };
  loaded.set(path, library);
  return library;
}

/**
 * Throws INTERNAL with XGBoost's own message when a C call returned non-zero. The
 * callers check data and parameters first, so a failure left here is a binding
 * bug or an XGBoost limit.
 */
export function check(api: XGBoostApi, call: string, status: number): void {
  if (status === 0) return;
  throw new WorklensError(
    "INTERNAL",
    `XGBoost ${call} failed: ${lastError(api)}`,
    "the data and parameters passed worklens's own checks, so this is a bug or an XGBoost limit; report it with this message",
  );
}

/** XGBoost's last error without its timestamp and stack trace: "[02:21:21] ./src/data/data.cc:1104: Check failed: …". */
function lastError(api: XGBoostApi): string {
  const text = api.XGBGetLastError() ?? "no message";
  const firstLine = text.split("\n", 1)[0] ?? text;
  return firstLine.replace(/^\[\d\d:\d\d:\d\d\] /, "").trim();
}

/** Converts a `uint64_t` koffi returned, as a number or bigint, to a number. */
export function toCount(value: number | bigint): number {
  return typeof value === "bigint" ? Number(value) : value;
}

/** Copies `count` float32 values from native memory the library owns. */
export function copyFloats(pointer: Handle, count: number): Float32Array {
  if (count === 0) return new Float32Array(0);
  return new Float32Array(koffi.view(pointer, count * Float32Array.BYTES_PER_ELEMENT).slice(0));
}

/** Decodes `length` bytes of UTF-8 text from native memory the library owns. */
export function decodeText(pointer: Handle, length: number): string {
  return koffi.decode.string(pointer, length);
}

/** Native memory the caller frees with `freeNative`, so XGBoost can read it by address while the JS heap moves. */
export function allocFloats(values: Float32Array): { pointer: Handle; address: bigint } {
  const pointer: unknown = koffi.alloc("float", Math.max(1, values.length));
  if (values.length > 0) new Float32Array(koffi.view(pointer, values.length * Float32Array.BYTES_PER_ELEMENT)).set(values);
  return { pointer, address: koffi.address(pointer) };
}

export function freeNative(pointer: Handle): void {
  koffi.free(pointer);
}
