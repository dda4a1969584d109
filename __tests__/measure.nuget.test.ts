/**
 * The CUDA/TensorRT provider-library setup end to end, offline: a loopback HTTP server serves a .nupkg built
 * here (a store-only zip), the real @actions/tool-cache downloads, extracts (unzip) and caches it, and the
 * libraries land beside the binding; then the CUDA major those libraries link is checked against the runner.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvironmentError, EXIT } from '../src/errors';
import { DEFAULT_FETCH_TIMEOUT_S, ensureProviderLibraries, fetchTimeoutSeconds, GPU_PROVIDER_LIBRARIES, ORT_VERSION } from '../src/github/runtime';
import { checkNvidiaProvider } from '../src/measure/providers/cuda';
import { NUGET_PACKAGE } from '../src/measure/providers/libraries';
import type { SystemProbe } from '../src/measure/providers/system';
import { storeZip } from './support/zip';

/** What a provider library needs to look like here: an ELF header and the sonames it links. */
const fakeLibrary = (name: string) => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.from(`\0${name}\0libcudart.so.12\0libcublasLt.so.12\0libcudnn.so.9\0`)]);

function nupkg(libraries: readonly string[]): Buffer {
  const entries: Record<string, Uint8Array | string> = {
    '[Content_Types].xml': '<?xml version="1.0"?><Types/>',
    [`${NUGET_PACKAGE}.nuspec`]: `<package><metadata><id>Microsoft.ML.OnnxRuntime.Gpu.Linux</id><version>${ORT_VERSION}</version></metadata></package>`,
  };
  for (const lib of libraries) entries[`runtimes/linux-x64/native/${lib}`] = fakeLibrary(lib);
  entries['runtimes/linux-x64/native/libonnxruntime.so'] = 'not copied';
  return storeZip(entries);
}

const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
const unzip = fs.existsSync('/usr/bin/unzip') || fs.existsSync('/bin/unzip');
(linuxX64 && unzip ? describe : describe.skip)('provider libraries from a NuGet package (loopback server, real tool cache)', () => {
  let root: string;
  let server: http.Server;
  let base: string;
  const requests: string[] = [];
  const packages: Record<string, Buffer> = {};
  const saved = { cache: process.env.RUNNER_TOOL_CACHE, temp: process.env.RUNNER_TEMP };

  beforeAll(async () => {
    // @actions/tool-cache logs workflow commands (::debug::, [command]) to stdout: keep the test output clean.
    const write = process.stdout.write.bind(process.stdout);
    jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) =>
      /^(::debug::|\[command\])/.test(String(chunk)) ? true : write(chunk, ...rest)) as typeof process.stdout.write);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-nuget-'));
    packages[`/${NUGET_PACKAGE}.${ORT_VERSION}.nupkg`] = nupkg(GPU_PROVIDER_LIBRARIES);
    packages['/incomplete.nupkg'] = nupkg(GPU_PROVIDER_LIBRARIES.filter((f) => !f.includes('tensorrt')));
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/trickle.nupkg') {
        // A mirror that never finishes: a byte every 100 ms, so no socket ever sits idle long enough to time out.
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1_000_000 });
        const drip = setInterval(() => res.write('P'), 100);
        res.on('close', () => clearInterval(drip));
        return;
      }
      const body = packages[req.url ?? ''];
      if (!body) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(root, { recursive: true, force: true });
    process.env.RUNNER_TOOL_CACHE = saved.cache;
    process.env.RUNNER_TEMP = saved.temp;
    if (saved.cache === undefined) delete process.env.RUNNER_TOOL_CACHE;
    if (saved.temp === undefined) delete process.env.RUNNER_TEMP;
  });

  /** A fresh runner: empty tool cache, temp folder and binding folder. */
  function runner(name: string) {
    const dir = path.join(root, name);
    for (const sub of ['cache', 'temp', 'binding']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    process.env.RUNNER_TOOL_CACHE = path.join(dir, 'cache');
    process.env.RUNNER_TEMP = path.join(dir, 'temp');
    return { binding: path.join(dir, 'binding'), cache: path.join(dir, 'cache') };
  }

  it('downloads once, caches in the tool cache, copies beside the binding; then present, then cached', async () => {
    const r = runner('fresh');
    const url = `${base}/${NUGET_PACKAGE}.${ORT_VERSION}.nupkg`;
    const logs: string[] = [];
    const before = requests.length;
    expect(await ensureProviderLibraries({ ep: 'cuda', dir: r.binding, url, log: (m) => logs.push(m) })).toBe('downloaded');
    expect(requests.slice(before)).toEqual([`/${NUGET_PACKAGE}.${ORT_VERSION}.nupkg`]);
    for (const lib of GPU_PROVIDER_LIBRARIES) expect(fs.readFileSync(path.join(r.binding, lib))).toEqual(fakeLibrary(lib));
    expect(fs.existsSync(path.join(r.binding, 'libonnxruntime.so'))).toBe(false);
    // The tool cache layout @actions/tool-cache uses: <tool>/<version>/<arch>, marked complete.
    const cached = path.join(r.cache, 'onnxruntime-gpu-linux', ORT_VERSION, 'x64');
    expect(fs.readdirSync(cached).sort()).toEqual([...GPU_PROVIDER_LIBRARIES, 'libonnxruntime.so'].sort());
    expect(fs.existsSync(`${cached}.complete`)).toBe(true);
    expect(logs.join('\n')).toMatch(/fetching the onnxruntime .* GPU provider libraries from http:\/\/127\.0\.0\.1/);

    expect(await ensureProviderLibraries({ ep: 'tensorrt', dir: r.binding, url })).toBe('present');
    for (const lib of GPU_PROVIDER_LIBRARIES) fs.rmSync(path.join(r.binding, lib));
    expect(await ensureProviderLibraries({ ep: 'cuda', dir: r.binding, url })).toBe('cached');
    expect(requests.length).toBe(before + 1);
    for (const lib of GPU_PROVIDER_LIBRARIES) expect(fs.existsSync(path.join(r.binding, lib))).toBe(true);
  }, 30_000);

  it('bundled providers need nothing', async () => {
    const r = runner('bundled');
    const before = requests.length;
    expect(await ensureProviderLibraries({ ep: 'webgpu', dir: r.binding, url: `${base}/x` })).toBe('not-needed');
    expect(await ensureProviderLibraries({ ep: 'cpu', dir: r.binding, url: `${base}/x` })).toBe('not-needed');
    expect(requests.length).toBe(before);
  });

  it('an unreachable package: exit 3 saying how to fix it (mirror URL, pre-seeded cache, webgpu)', async () => {
    const r = runner('offline');
    const err = await ensureProviderLibraries({ ep: 'cuda', dir: r.binding, url: `${base}/missing.nupkg` }).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.exitCode).toBe(EXIT.ENVIRONMENT);
    expect(err.message).toMatch(/cannot fetch the onnxruntime .* GPU provider libraries from http:\/\/127\.0\.0\.1:[0-9]+\/missing\.nupkg/);
    expect(err.message).toMatch(/FRONTIER_GATE_ORT_GPU_URL/);
    expect(err.message).toMatch(/pre-seed the tool cache \(onnxruntime-gpu-linux\//);
    expect(err.message).toMatch(/or webgpu \(bundled/);
  }, 30_000);

  it('a mirror that trickles forever: exit 3 at the deadline (FRONTIER_GATE_ORT_GPU_TIMEOUT), not a hung runner', async () => {
    const r = runner('trickle');
    const started = Date.now();
    const err = await ensureProviderLibraries({ ep: 'cuda', dir: r.binding, url: `${base}/trickle.nupkg`, timeoutSeconds: 0.5 }).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.exitCode).toBe(EXIT.ENVIRONMENT);
    expect(err.message).toMatch(/the download did not finish within 0\.5 s \(FRONTIER_GATE_ORT_GPU_TIMEOUT\)/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(GPU_PROVIDER_LIBRARIES.some((f) => fs.existsSync(path.join(r.binding, f)))).toBe(false);
  }, 30_000);

  it('FRONTIER_GATE_ORT_GPU_TIMEOUT: seconds > 0, else exit 3 naming the variable', () => {
    expect(fetchTimeoutSeconds(undefined)).toBe(DEFAULT_FETCH_TIMEOUT_S);
    expect(fetchTimeoutSeconds('')).toBe(DEFAULT_FETCH_TIMEOUT_S);
    expect(fetchTimeoutSeconds('90')).toBe(90);
    for (const bad of ['0', '-5', 'ten', 'Infinity']) {
      expect(() => fetchTimeoutSeconds(bad)).toThrow(/FRONTIER_GATE_ORT_GPU_TIMEOUT: expected seconds > 0 \(default 600\)/);
    }
  });

  it('a package without the provider libraries: exit 3 naming what it lacks', async () => {
    const r = runner('incomplete');
    const err = await ensureProviderLibraries({ ep: 'tensorrt', dir: r.binding, url: `${base}/incomplete.nupkg` }).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/lacks libonnxruntime_providers_tensorrt\.so under runtimes\/linux-x64\/native/);
  }, 30_000);

  it('after the fetch, a CUDA 13-only runner gets exit 3: the libraries need CUDA 12, the runner has 13', async () => {
    const r = runner('cuda13');
    await ensureProviderLibraries({ ep: 'cuda', dir: r.binding, url: `${base}/${NUGET_PACKAGE}.${ORT_VERSION}.nupkg` });
    const probe = (cudart: string, driver: string): SystemProbe => ({
      exec: (cmd, args) => (cmd === 'nvidia-smi' && !args.length ? `| NVIDIA-SMI 580.95.05  Driver Version: 580.95.05  CUDA Version: ${driver} |` : undefined),
      exists: (f) => fs.existsSync(f),
      readFile: () => undefined,
      listDir: (d) => (d === '/usr/local' ? ['cuda-13.0'] : d === '/usr/local/cuda-13.0/lib64' ? [cudart] : d === r.binding ? fs.readdirSync(r.binding) : []),
      env: {},
      platform: 'linux',
      arch: 'x64',
    });
    let err: Error | undefined;
    try {
      checkNvidiaProvider('cuda', probe('libcudart.so.13', '13.0'), r.binding);
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err?.message).toMatch(/execution provider 'cuda' \(onnxruntime [0-9.]+\) needs CUDA 12\.x, but this runner has a driver for CUDA up to 13\.0 and CUDA runtime 13/);
    expect(() => checkNvidiaProvider('cuda', probe('libcudart.so.12', '13.0'), r.binding)).not.toThrow();
  }, 30_000);
});
