import { DataFileError } from "./errors";
import { readDataFile } from "./manifest";

/** An n-dimensional array read from a .npy file, always returned in C (row-major) order. */
export interface NdArray<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  data: T;
  shape: number[];
  dtype: "<f4" | "<f8";
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/**
 * Parse a NumPy .npy file (format versions 1, 2 and 3; dtypes `<f4` and `<f8`; C or Fortran order).
 * Anything else (big-endian, object or structured dtypes, truncated data, a bad header) is rejected
 * with a DataFileError naming `name` and the problem. Fortran-ordered arrays are transposed so the
 * result is always C order with the header's shape.
 */
export function parseNpy(buf: Uint8Array, name = "<buffer>"): NdArray {
  const bad = (detail: string) =>
    new DataFileError(name, "header", detail, "expected a NumPy .npy file (v1-v3, dtype <f4 or <f8)");
  if (buf.length < 10) throw bad(`only ${buf.length} bytes, too short for a .npy header`);
  for (let i = 0; i < MAGIC.length; i++) if (buf[i] !== MAGIC[i]) throw bad("missing the \\x93NUMPY magic string");
  const major = buf[6];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw bad("truncated v2/v3 header");
    headerLen = dv.getUint32(8, true);
    headerStart = 12;
  } else {
    throw bad(`unsupported format version ${major}.${buf[7]}`);
  }
  if (headerStart + headerLen > buf.length) throw bad("header runs past the end of the file");
  const header = Buffer.from(buf.buffer, buf.byteOffset + headerStart, headerLen).toString(
    major === 3 ? "utf8" : "latin1",
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeM = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr) {
    if (/'descr'\s*:\s*\[/.test(header)) throw bad("structured dtype; only plain <f4 or <f8 arrays are supported");
    throw bad(`no 'descr' in header ${JSON.stringify(header.trim())}`);
  }
  if (!fortran) throw bad("no 'fortran_order' in header");
  if (!shapeM) throw bad("no 'shape' in header");
  const dtype = descr[1];
  if (dtype === ">f4" || dtype === ">f8")
    throw bad(`big-endian dtype ${dtype}; convert with arr.astype('<f4') before saving`);
  if (dtype.includes("O")) throw bad(`object dtype ${dtype} (pickled data) is not supported`);
  if (dtype !== "<f4" && dtype !== "<f8") throw bad(`dtype ${dtype} is not supported; only <f4 and <f8`);
  const shape = shapeM[1]
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ""));
      if (!Number.isInteger(n) || n < 0) throw bad(`bad shape entry '${s}'`);
      return n;
    });
  const count = shape.reduce((a, b) => a * b, 1);
  const itemSize = dtype === "<f4" ? 4 : 8;
  const dataStart = headerStart + headerLen;
  const need = count * itemSize;
  const have = buf.length - dataStart;
  if (have < need) {
    throw new DataFileError(
      name,
      "truncated",
      `data has ${have} bytes, shape ${JSON.stringify(shape)} of ${dtype} needs ${need}`,
    );
  }
  // Copy into an aligned buffer (the data offset need not be a multiple of the item size).
  const bytes = new Uint8Array(need);
  bytes.set(buf.subarray(dataStart, dataStart + need));
  let data: Float32Array | Float64Array =
    itemSize === 4 ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer);
  if (fortran[1] === "True" && shape.length > 1) data = fortranToC(data, shape);
  return { data, shape, dtype };
}

/** Reorder a column-major (Fortran) array into row-major (C) order for the same shape. */
function fortranToC<T extends Float32Array | Float64Array>(src: T, shape: number[]): T {
  const n = src.length;
  const out = new (src.constructor as { new (n: number): T })(n);
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  // strides of the Fortran layout
  const fstr = new Array<number>(nd);
  fstr[0] = 1;
  for (let k = 1; k < nd; k++) fstr[k] = fstr[k - 1] * shape[k - 1];
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let k = 0; k < nd; k++) off += idx[k] * fstr[k];
    out[i] = src[off];
    for (let k = nd - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** Read a .npy file relative to the data directory (checked against the manifest). */
export function loadNpy(rel: string): NdArray {
  const buf = readDataFile(rel);
  return parseNpy(buf, rel);
}

/** Read a 2-D trace-major array as one Float32Array row per trace. */
export function loadNpy2D(rel: string): { rows: Float32Array[]; shape: [number, number] } {
  const a = loadNpy(rel);
  if (a.shape.length !== 2) {
    throw new DataFileError(
      rel,
      "shape",
      `expected a 2-D (traces, samples) array, got shape ${JSON.stringify(a.shape)}`,
    );
  }
  const [nr, nc] = a.shape;
  const rows: Float32Array[] = [];
  for (let i = 0; i < nr; i++) rows.push(Float32Array.from(a.data.subarray(i * nc, (i + 1) * nc)));
  return { rows, shape: [nr, nc] };
}

/** Serialise a Float32Array/Float64Array to .npy v1 bytes (C order), for round-trip tests and exports. */
export function toNpy(
  data: Float32Array | Float64Array,
  shape: number[],
  opts: { fortran?: boolean; version?: 1 | 2 | 3 } = {},
): Uint8Array {
  const dtype = data instanceof Float32Array ? "<f4" : "<f8";
  const shp = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${dtype}', 'fortran_order': ${opts.fortran ? "True" : "False"}, 'shape': ${shp}, }`;
  const version = opts.version ?? 1;
  const pre = version === 1 ? 10 : 12;
  const total = pre + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const out = new Uint8Array(pre + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  out.set(Buffer.from(header, "latin1"), pre);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pre + header.length);
  return out;
}
