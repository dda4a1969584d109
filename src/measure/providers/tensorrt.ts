/**
 * The TensorRT provider: NVIDIA GPUs through TensorRT engines (built and autotuned at session creation,
 * reported apart as session time; cache them with --trt-cache). Same libraries as cuda plus TensorRT 10.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEVICE_ID_OPTION, checkNvidiaProvider, describeNvidia, explainNvidiaFailure } from './cuda';
import { providerLibraryFiles } from './libraries';
import type { ExecutionProviderDefinition } from './types';

export const tensorrt: ExecutionProviderDefinition<'tensorrt'> = {
  name: 'tensorrt',
  summary: 'NVIDIA GPUs through TensorRT engines (fastest on NVIDIA; long first session); needs CUDA 12 and TensorRT 10',
  device: 'gpu',
  requirements: 'an NVIDIA GPU and driver, CUDA 12.x, cuDNN 9 and TensorRT 10 libraries on the library path',
  deviceTensors: false,
  options: [
    DEVICE_ID_OPTION,
    { flag: 'trt-fp16', key: 'trtFp16', type: 'boolean', description: 'let TensorRT pick fp16 kernels (ORT_TENSORRT_FP16_ENABLE)' },
    { flag: 'trt-cache', key: 'trtCachePath', type: 'string', description: 'engine cache folder (ORT_TENSORRT_ENGINE_CACHE_ENABLE)' },
  ],
  libraries: providerLibraryFiles('tensorrt', 'linux'),
  executionProviders: (o) => [{ name: 'tensorrt', deviceId: o.deviceId ?? 0 }, 'cpu'],
  /**
   * onnxruntime-node exposes only a device id for TensorRT; its fp16 and engine-cache switches are the
   * provider's documented environment variables, read when the provider is created.
   */
  prepare(o) {
    if (o.trtFp16) process.env.ORT_TENSORRT_FP16_ENABLE = '1';
    if (o.trtCachePath) {
      fs.mkdirSync(o.trtCachePath, { recursive: true });
      process.env.ORT_TENSORRT_ENGINE_CACHE_ENABLE = '1';
      process.env.ORT_TENSORRT_CACHE_PATH = path.resolve(o.trtCachePath);
    }
  },
  checkAvailable: (probe) => checkNvidiaProvider('tensorrt', probe),
  explainLoadFailure: (message) => explainNvidiaFailure('tensorrt', message),
  describeDevice: describeNvidia,
};
