import { createHash } from 'node:crypto';
import { lower } from '../arch/lower';
import type { ArchConfig } from '../arch/types';

/**
 * Identity of the network a config builds: a hash of the lowered layer list (shapes, kernels, strides,
 * activations), not of the YAML. Two coefficient triples that round to the same repeats, channels and
 * resolution get the same hash, so they are measured once. The config's name is left out.
 */
export function configHash(config: ArchConfig): string {
  const net = lower(config);
  const body = JSON.stringify({ input: net.input, layers: net.layers, output: net.output, classes: config.classes });
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}
