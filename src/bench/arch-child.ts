/**
 * Runs one build in a fresh process so its peak RSS is the build's own: prints JSON on stdout.
 * argv: <config.yaml> <width> <depth> <resolution> <precision>
 */
import { countConfig } from '../arch/counts';
import { loadArchConfig } from '../arch/parse';
import { scale } from '../arch/scale';
import { buildModel } from '../onnx/build';

const [file, width, depth, resolution, precision] = process.argv.slice(2);
const base = loadArchConfig(file);
const config = scale(base, { width: Number(width), depth: Number(depth), resolution: Number(resolution) / base.resolution }, 'bench');
const stats = countConfig(config);
const rssBefore = process.memoryUsage().rss;
const t0 = process.hrtime.bigint();
const bytes = buildModel(config, { precision: precision as 'fp32' | 'fp16' });
const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
process.stdout.write(JSON.stringify({
  params: stats.params,
  weight_bytes_fp32: stats.params * 4,
  model_bytes: bytes.length,
  wall_ms: wallMs,
  rss_before: rssBefore,
  peak_rss: process.resourceUsage().maxRSS * 1024,
}));
