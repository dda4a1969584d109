/** The CPU provider: bundled with onnxruntime-node, always available; the default. */
import type { ExecutionProviderDefinition } from './types';

export const cpu: ExecutionProviderDefinition<'cpu'> = {
  name: 'cpu',
  summary: 'bundled, always available; the hardware is the runner\'s CPU (threads: --threads)',
  device: 'cpu',
  requirements: 'nothing beyond onnxruntime-node',
  deviceTensors: false,
  options: [],
  executionProviders: () => ['cpu'],
  checkAvailable: () => undefined,
  explainLoadFailure: () => undefined,
  // A GPU in the box does not change CPU latency: the CPU target names no device.
  describeDevice: () => ({}),
};
