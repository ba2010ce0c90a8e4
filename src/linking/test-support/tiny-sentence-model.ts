import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes a tiny but valid transformers.js feature-extraction model: a word-level
 * tokenizer, a BERT config and an ONNX graph. The graph's token vector is a row of a
 * fixed table plus the token's attention mask (1 for a real token, 0 for padding). Its
 * sentence vectors are therefore the normalised means of table rows plus 1, which a
 * test can compute by hand, and padding vectors are not zero, as in real models.
 */
export interface TinyModel {
  vocabulary: readonly string[];
  /** Row-major `[vocabulary.length, dimensions]`. */
  table: Float32Array;
  dimensions: number;
}

/** Token 0 stands for unknown words, token 1 pads. */
export const UNKNOWN = "[UNK]";
const PADDING = "[PAD]";

export function writeTinySentenceModel(folder: string, words: readonly string[], dimensions: number): TinyModel {
  const vocabulary = [UNKNOWN, PADDING, ...words];
  const table = new Float32Array(vocabulary.length * dimensions);
  for (let t = 0; t < vocabulary.length; t++) for (let d = 0; d < dimensions; d++) table[t * dimensions + d] = Math.sin((t + 1) * (d + 1));

  mkdirSync(join(folder, "onnx"), { recursive: true });
  writeFileSync(join(folder, "onnx", "model.onnx"), onnxModel(table, vocabulary.length, dimensions));
  writeFileSync(join(folder, "config.json"), JSON.stringify({ model_type: "bert", hidden_size: dimensions }));
  writeFileSync(join(folder, "tokenizer.json"), JSON.stringify(tokenizerJson(vocabulary)));
  writeFileSync(join(folder, "tokenizer_config.json"), JSON.stringify({ model_max_length: 512, pad_token: PADDING, unk_token: UNKNOWN }));
  return { vocabulary, table, dimensions };
}

function tokenizerJson(vocabulary: readonly string[]): unknown {
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [special(0, UNKNOWN), special(1, PADDING)],
    normalizer: null,
    pre_tokenizer: { type: "Whitespace" },
    post_processor: null,
    decoder: null,
    model: { type: "WordLevel", vocab: Object.fromEntries(vocabulary.map((word, id) => [word, id])), unk_token: UNKNOWN },
  };
}

// ONNX files are protocol buffers. These functions write the few messages of onnx.proto that the graph needs.
const FLOAT = 1;
const INT64 = 7;
const ATTRIBUTE_INT = 2;

/** last_hidden_state = Gather(table, input_ids) + Unsqueeze(Cast(attention_mask, float), axis 2). */
function onnxModel(table: Float32Array, vocabulary: number, dimensions: number): Buffer {
  const axes = Buffer.alloc(8);
  axes.writeBigInt64LE(2n);
  const graph = Buffer.concat([
    node("Gather", ["table", "input_ids"], ["embedded"], intAttribute("axis", 0)),
    node("Cast", ["attention_mask"], ["mask_float"], intAttribute("to", FLOAT)),
    node("Unsqueeze", ["mask_float", "axes"], ["mask_3d"]),
    node("Add", ["embedded", "mask_3d"], ["last_hidden_state"]),
    text(2, "tiny"),
    tensor("table", FLOAT, [vocabulary, dimensions], Buffer.from(table.buffer, table.byteOffset, table.byteLength)),
    tensor("axes", INT64, [1], axes),
    valueInfo(11, "input_ids", INT64, ["batch", "sequence"]),
    valueInfo(11, "attention_mask", INT64, ["batch", "sequence"]),
    valueInfo(12, "last_hidden_state", FLOAT, ["batch", "sequence", dimensions]),
  ]);
  // ModelProto: ir_version 8, producer_name, opset_import (default domain, opset 13), graph.
  return Buffer.concat([integer(1, 8), text(2, "worklens-test"), message(8, text(1, ""), integer(2, 13)), bytes(7, graph)]);
}

function node(op: string, inputs: readonly string[], outputs: readonly string[], ...attributes: Buffer[]): Buffer {
  return message(1, ...inputs.map((i) => text(1, i)), ...outputs.map((o) => text(2, o)), text(3, `${op}_${outputs[0] ?? ""}`), text(4, op), ...attributes);
}

function intAttribute(name: string, value: number): Buffer {
  return message(5, text(1, name), integer(3, value), integer(20, ATTRIBUTE_INT));
}

function tensor(name: string, type: number, dims: readonly number[], raw: Buffer): Buffer {
  return message(5, ...dims.map((d) => integer(1, d)), integer(2, type), text(8, name), bytes(9, raw));
}

/** ValueInfoProto with a tensor type whose dimensions are numbers or symbolic names. */
function valueInfo(field: number, name: string, type: number, dims: readonly (number | string)[]): Buffer {
  const shape = message(2, ...dims.map((d) => message(1, typeof d === "number" ? integer(1, d) : text(2, d))));
  return message(field, text(1, name), message(2, message(1, integer(1, type), shape)));
}

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = BigInt(value);
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest > 0n) byte |= 0x80;
    out.push(byte);
  } while (rest > 0n);
  return out;
}

function integer(field: number, value: number): Buffer {
  return Buffer.from([...varint(field << 3), ...varint(value)]);
}

function bytes(field: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([...varint((field << 3) | 2), ...varint(value.length)]), value]);
}

function text(field: number, value: string): Buffer {
  return bytes(field, Buffer.from(value, "utf8"));
}

function message(field: number, ...parts: Buffer[]): Buffer {
  return bytes(field, Buffer.concat(parts));
}
