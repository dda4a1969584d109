/**
 * The GitHub Action's entry: wire the real pieces (Octokit with retry + throttling, @actions/core, the
 * measurement engine, the config parser) into runAction, and turn errors into a
 * failed step with a message, never a stack trace.
 */
import { loadArchConfigWithSource } from './arch/parse';
import { createMeasurer } from './measure';
import { createOctokit, createRepoApi } from './github/api';
import { createCoreIO, type ActionIO } from './github/io';
import { reportError, runAction, type ActionResult } from './github/run';
import { ensureProviderLibraries, fetchTimeoutSeconds } from './github/runtime';

export async function run(env: NodeJS.ProcessEnv = process.env, io: ActionIO = createCoreIO()): Promise<ActionResult | undefined> {
  try {
    const result = await runAction({
      env,
      io,
      api: (ctx, config) =>
        createRepoApi(
          createOctokit({
            token: config.githubToken,
            baseUrl: ctx.apiUrl,
            timeoutMs: config.apiTimeoutSeconds * 1000,
            log: { debug: (m) => io.debug(m), info: (m) => io.info(m), warning: (m) => io.warning(m) },
          }),
          ctx.repo,
        ),
      createMeasurer: async (config) => {
        await ensureProviderLibraries({
          ep: config.executionProvider,
          url: env.FRONTIER_GATE_ORT_GPU_URL || undefined,
          timeoutSeconds: fetchTimeoutSeconds(env.FRONTIER_GATE_ORT_GPU_TIMEOUT),
          log: (m) => io.info(m),
        });
        return createMeasurer();
      },
      loadConfig: (file) => loadArchConfigWithSource(file),
    });
    // 1 only for a failed gate; @actions/core's setFailed would leave 1 for anything.
    process.exitCode = result.exitCode;
    return result;
  } catch (err) {
    process.exitCode = await reportError(env, io, err);
    return undefined;
  }
}
