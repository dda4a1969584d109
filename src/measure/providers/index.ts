/**
 * The execution-provider registry: the one list every choice (CLI --ep, the action's execution-provider,
 * option validation, fingerprints, library setup) is derived from. A new provider is one file exporting an
 * ExecutionProviderDefinition and one line in PROVIDERS.
 */
import { UserError } from '../../errors';
import { cpu } from './cpu';
import { cuda } from './cuda';
import { tensorrt } from './tensorrt';
import type { ExecutionProviderDefinition, ProviderOptionSpec, ProviderSessionOptions } from './types';
import { webgpu } from './webgpu';

export const PROVIDERS = [cpu, cuda, tensorrt, webgpu] as const;

export type ExecutionProvider = (typeof PROVIDERS)[number]['name'];
export const PROVIDER_NAMES: readonly ExecutionProvider[] = PROVIDERS.map((p) => p.name);
export const GPU_PROVIDER_NAMES: readonly ExecutionProvider[] = PROVIDERS.filter((p) => p.device === 'gpu').map((p) => p.name);

/** Whether a provider runs the model on a GPU (the registry's `device`; never a name compared elsewhere). */
export function runsOnGpu(name: string): boolean {
  return getProvider(name)?.device === 'gpu';
}

export function isExecutionProvider(name: unknown): name is ExecutionProvider {
  return typeof name === 'string' && (PROVIDER_NAMES as readonly string[]).includes(name);
}

export function getProvider(name: ExecutionProvider): ExecutionProviderDefinition<ExecutionProvider>;
export function getProvider(name: string): ExecutionProviderDefinition<ExecutionProvider> | undefined;
export function getProvider(name: string): ExecutionProviderDefinition<ExecutionProvider> | undefined {
  return PROVIDERS.find((p) => p.name === name);
}

/** The provider, or a UserError (exit 2) naming the field and the allowed values. */
export function requireProvider(name: unknown, field = '--ep'): ExecutionProviderDefinition<ExecutionProvider> {
  const p = typeof name === 'string' ? getProvider(name) : undefined;
  if (!p) throw new UserError(`${field}: expected one of ${PROVIDER_NAMES.join(' | ')}, got ${JSON.stringify(name)}`);
  return p;
}

/** Every provider-specific option (deduplicated by flag), with the providers that take it. */
export function providerOptions(): (ProviderOptionSpec & { providers: ExecutionProvider[] })[] {
  const byFlag = new Map<string, ProviderOptionSpec & { providers: ExecutionProvider[] }>();
  for (const p of PROVIDERS) {
    for (const o of p.options) {
      const entry = byFlag.get(o.flag) ?? { ...o, providers: [] };
      entry.providers.push(p.name);
      byFlag.set(o.flag, entry);
    }
  }
  return [...byFlag.values()];
}

/** The flags of every provider-specific option, for a command's flag table (values parsed by readProviderOptions). */
export function providerFlagSpec(): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(providerOptions().map((o) => [o.flag, { type: o.type === 'boolean' ? 'boolean' : 'string' }]));
}

/**
 * Provider options from parsed flags: each checked against its type, and refused (exit 2) when the chosen
 * provider does not take it, so `--trt-fp16` with `--ep cuda` is an error rather than silently ignored.
 */
export function readProviderOptions(values: Record<string, unknown>, ep: ExecutionProvider | 'auto'): ProviderSessionOptions {
  const out: ProviderSessionOptions = {};
  for (const o of providerOptions()) {
    const raw = values[o.flag];
    if (raw === undefined || raw === false) continue;
    if (ep === 'auto' || !o.providers.includes(ep)) {
      throw new UserError(`--${o.flag}: applies to --ep ${o.providers.join(' | ')} only${ep === 'auto' ? '; give --ep' : `, not ${ep}`}`);
    }
    if (o.type === 'boolean') (out as Record<string, unknown>)[o.key] = true;
    else if (o.type === 'integer') {
      const n = Number(raw);
      if (typeof raw !== 'string' || !/^[0-9]+$/.test(raw.trim()) || n > 64) throw new UserError(`--${o.flag}: expected an integer in [0, 64], got ${JSON.stringify(raw)}`);
      (out as Record<string, unknown>)[o.key] = n;
    } else {
      if (typeof raw !== 'string' || !raw.trim()) throw new UserError(`--${o.flag}: expected a value, got ${JSON.stringify(raw)}`);
      (out as Record<string, unknown>)[o.key] = raw;
    }
  }
  return out;
}

export type { ExecutionProviderDefinition, ProviderOptionSpec, ProviderSessionOptions, DeviceFacts, AdapterInfo, GpuClocks } from './types';
export { realSystem, memoProbe, type SystemProbe } from './system';
export { cpu, cuda, tensorrt, webgpu };
