/**
 * Backend selection. The embedded default is `wasm` (`@tensorflow/tfjs-backend-wasm`, a dependency);
 * kernels that wasm lacks run on the pure-JS `cpu` backend through forwarding kernels registered for
 * wasm (inputs are copied to cpu, the cpu kernel runs, outputs are copied back). `tensorflow` and
 * `tensorflow-gpu` load `@tensorflow/tfjs-node` / `@tensorflow/tfjs-node-gpu` by dynamic import only when
 * the user has installed them: they are never dependencies of Ouro.
 *
 * In Node, tfjs-backend-wasm's CommonJS build finds its `.wasm` binaries beside itself (`__dirname` of
 * `dist/tf-backend-wasm.node.js`), so no path is needed; a bundled host (e.g. an editor extension that
 * ships the binaries elsewhere) passes `wasmPaths` (a directory prefix ending in `/`).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { RuntimeError } from './errors.js';

import { backendRequests, isBackendRequest, type BackendName, type BackendRequest } from './backends.js';
export { backendRequests, type BackendName, type BackendRequest } from './backends.js';

export interface BackendInfo {
  /** The backend that runs the tensor program. */
  readonly name: BackendName;
  /** The version of the package that provides it. */
  readonly version: string;
  /** The @tensorflow/tfjs-core version. */
  readonly tfjs: string;
  /** For wasm: kernels it lacks, which run on the cpu backend instead. */
  readonly cpuFallbackKernels: readonly string[];
}

export interface BackendOptions {
  /** Where the wasm binaries lie, for bundled hosts; Node finds them without it. */
  readonly wasmPaths?: string;
  /**
   * Imports an optional package by name (the node backends). The default is a plain dynamic
   * `import()` resolved from the runtime's own location; a host may resolve from the user's project.
   */
  readonly importer?: (specifier: string) => Promise<unknown>;
}

const nodePackages: Record<'tensorflow' | 'tensorflow-gpu', string> = {
  tensorflow: '@tensorflow/tfjs-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
};

let current: BackendInfo | undefined;
let fallbacks: string[] | undefined;
let nodeLoaded: { pkg: string; version: string } | undefined;

/** Kernels that only make sense for complex, string or canvas data: never forwarded. */
const notForwarded = new Set([
  'Complex',
  'ComplexAbs',
  'FFT',
  'IFFT',
  'Imag',
  'Real',
  'RFFT',
  'IRFFT',
  'Draw',
  'StaticRegexReplace',
  'StringNGrams',
  'StringSplit',
  'StringToHashBucketFast',
  'RaggedGather',
  'RaggedRange',
  'RaggedTensorToTensor',
]);

interface CpuLike {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: unknown): tf.TensorInfo;
  readSync(dataId: tf.DataId): unknown;
  disposeIntermediateTensorInfo(t: tf.TensorInfo): void;
}
interface ForwardParams {
  readonly inputs: Readonly<Record<string, tf.TensorInfo | undefined>> | readonly tf.TensorInfo[];
  readonly backend: unknown;
  readonly attrs?: unknown;
}
interface WasmLike {
  readSync(dataId: tf.DataId): unknown;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: unknown): tf.TensorInfo;
}

/** Registers, for wasm, a forwarding kernel for every numeric kernel only the cpu backend has. */
function registerCpuFallbacks(): string[] {
  if (fallbacks) return fallbacks;
  const wasmKernels = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  const added: string[] = [];
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (wasmKernels.has(k.kernelName) || notForwarded.has(k.kernelName)) continue;
    const cpuKernel = k.kernelFunc;
    const kernelFunc = (({ inputs, backend, attrs }: ForwardParams) => {
      const cpu = tf.findBackend('cpu') as unknown as CpuLike;
      const wasm = backend as unknown as WasmLike;
      const made: tf.TensorInfo[] = [];
      const toCpu = (t: tf.TensorInfo): tf.TensorInfo => {
        const info = cpu.makeTensorInfo([...t.shape], t.dtype, wasm.readSync(t.dataId));
        made.push(info);
        return info;
      };
      // Most kernels take named inputs; a few (Einsum, Concat-like) take an array.
      const cpuInputs: unknown = Array.isArray(inputs)
        ? (inputs as tf.TensorInfo[]).map(toCpu)
        : Object.fromEntries(Object.entries(inputs).flatMap(([name, t]) => (t ? [[name, toCpu(t)] as const] : [])));
      try {
        const out = cpuKernel({
          inputs: cpuInputs as tf.NamedTensorInfoMap,
          backend: cpu as unknown as tf.KernelBackend,
          attrs: attrs as tf.NamedAttrMap,
        });
        const outs = Array.isArray(out) ? out : [out];
        const back = outs.map((o) => {
          const r = wasm.makeOutput([...o.shape], o.dtype, undefined, cpu.readSync(o.dataId));
          cpu.disposeIntermediateTensorInfo(o);
          return r;
        });
        return Array.isArray(out) ? back : back[0]!;
      } finally {
        for (const m of made) cpu.disposeIntermediateTensorInfo(m);
      }
    }) as unknown as tf.KernelFunc;
    tf.registerKernel({ kernelName: k.kernelName, backendName: 'wasm', kernelFunc });
    added.push(k.kernelName);
  }
  fallbacks = added.sort();
  return fallbacks;
}

const defaultImporter = (specifier: string): Promise<unknown> => import(specifier);

async function loadNode(
  which: 'tensorflow' | 'tensorflow-gpu',
  importer: (s: string) => Promise<unknown>,
): Promise<string> {
  const pkg = nodePackages[which];
  if (nodeLoaded) {
    if (nodeLoaded.pkg !== pkg)
      throw new RuntimeError(
        'backend',
        null,
        `${nodeLoaded.pkg} is already loaded in this process; ${pkg} cannot be loaded beside it`,
      );
    return nodeLoaded.version;
  }
  let mod: unknown;
  try {
    mod = await importer(pkg);
  } catch (e) {
    const code = (e as { code?: string } | null)?.code;
    const why =
      code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
        ? 'which is not installed'
        : `which failed to load (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
    throw new RuntimeError(
      'backend',
      null,
      `the ${which} backend needs ${pkg}, ${why}; install it with \`npm install ${pkg}@${tf.version_core}\` (it is not a dependency of Ouro), or use --backend wasm`,
    );
  }
  if (!tf.findBackendFactory('tensorflow')) {
    throw new RuntimeError(
      'backend',
      null,
      `${pkg} loaded but registered no backend with this @tensorflow/tfjs-core (${tf.version_core}); it probably uses another tfjs version: install \`${pkg}@${tf.version_core}\``,
    );
  }
  const m = mod as { version?: Record<string, string>; default?: { version?: Record<string, string> } };
  const version = m.version?.['tfjs-node'] ?? m.default?.version?.['tfjs-node'] ?? tf.version_core;
  nodeLoaded = { pkg, version };
  return version;
}

async function activate(name: BackendName, version: string, opts: BackendOptions): Promise<BackendInfo> {
  if (name === 'wasm' && opts.wasmPaths && tf.engine().registry['wasm'] === undefined) setWasmPaths(opts.wasmPaths);
  const cpuFallbackKernels = name === 'wasm' ? registerCpuFallbacks() : [];
  let ok: boolean;
  try {
    ok = await tf.setBackend(name === 'tensorflow-gpu' ? 'tensorflow' : name);
    await tf.ready();
  } catch (e) {
    ok = false;
    if (e instanceof RuntimeError) throw e;
  }
  const active = tf.getBackend();
  if (!ok || active !== (name === 'tensorflow-gpu' ? 'tensorflow' : name))
    throw new RuntimeError('backend', null, `the ${name} backend failed to initialise (tfjs is on ${active})`);
  current = { name, version, tfjs: tf.version_core, cpuFallbackKernels };
  return current;
}

/**
 * Selects and initialises a backend for all later tensor work in this process; reports which one runs.
 * `auto` takes tensorflow-gpu if `@tensorflow/tfjs-node-gpu` can be imported, else tensorflow if
 * `@tensorflow/tfjs-node` can, else wasm (cpu if wasm cannot initialise).
 */
export async function createBackend(request: BackendRequest = 'auto', opts: BackendOptions = {}): Promise<BackendInfo> {
  // Silences tfjs's console advice ("install tfjs-node") and its debug-mode checks.
  tf.enableProdMode();
  if (!isBackendRequest(request))
    throw new RuntimeError(
      'backend',
      null,
      `unknown backend \`${String(request)}\`; use ${backendRequests.join(', ')}`,
    );
  const importer = opts.importer ?? defaultImporter;
  if (current && (request === current.name || (request === 'auto' && current.name !== 'cpu'))) {
    if (tf.getBackend() === (current.name === 'tensorflow-gpu' ? 'tensorflow' : current.name)) return current;
  }
  switch (request) {
    case 'wasm':
      return activate('wasm', version_wasm, opts);
    case 'cpu':
      return activate('cpu', tf.version['tfjs-backend-cpu'] ?? tf.version_core, opts);
    case 'tensorflow':
    case 'tensorflow-gpu':
      return activate(request, await loadNode(request, importer), opts);
    case 'auto': {
      for (const which of ['tensorflow-gpu', 'tensorflow'] as const) {
        try {
          return await activate(which, await loadNode(which, importer), opts);
        } catch {
          // not installed: try the next
        }
      }
      try {
        return await activate('wasm', version_wasm, opts);
      } catch {
        return activate('cpu', tf.version['tfjs-backend-cpu'] ?? tf.version_core, opts);
      }
    }
  }
}

/** The backend selected last, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/** Versions of the TensorFlow.js packages in use. */
export function tfVersions(): Record<string, string> {
  return {
    '@tensorflow/tfjs': tf.version.tfjs ?? tf.version_core,
    '@tensorflow/tfjs-core': tf.version_core,
    '@tensorflow/tfjs-backend-wasm': version_wasm,
    ...(nodeLoaded ? { [nodeLoaded.pkg]: nodeLoaded.version } : {}),
  };
}
