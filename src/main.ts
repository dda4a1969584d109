/**
 * The GitHub Action's entry: wire the real pieces (Octokit with retry + throttling, @actions/core, the
 * measurement engine, the config parser) into runAction, and turn errors into a
 * failed step with a message, never a stack trace.
 */
import { loadArchConfigWithSource } from './arch/parse';
import { UserError } from './errors';
import { escapeMarkdown } from './report/markdown';
import { createMeasurer } from './measure';
import { createOctokit, createRepoApi } from './github/api';
import { createCoreIO, type ActionIO } from './github/io';
import { runAction, type ActionResult } from './github/run';
import { ensureProviderLibraries } from './github/runtime';

export async function run(env: NodeJS.ProcessEnv = process.env, io: ActionIO = createCoreIO()): Promise<ActionResult | undefined> {
  try {
    return await runAction({
      env,
      io,
      api: (ctx, config) =>
        createRepoApi(
          createOctokit({
            token: config.githubToken,
            baseUrl: ctx.apiUrl,
            log: { debug: (m) => io.debug(m), info: (m) => io.info(m), warning: (m) => io.warning(m) },
          }),
          ctx.repo,
        ),
      createMeasurer: async (config) => {
        await ensureProviderLibraries({ ep: config.executionProvider, url: env.FRONTIER_GATE_ORT_GPU_URL || undefined, log: (m) => io.info(m) });
        return createMeasurer();
      },
      loadConfig: (file) => loadArchConfigWithSource(file),
    });
  } catch (err) {
    let message: string;
    if (err instanceof UserError) {
      message = err.message;
      io.setFailed(message);
      process.exitCode = err.exitCode;
    } else {
      const e = err as Error & { status?: number };
      io.debug(e?.stack ?? String(err));
      message = `frontier-gate failed: ${e?.message ?? String(err)}${e?.status ? ` (HTTP ${e.status})` : ''}`;
      io.setFailed(message);
    }
    // The summary is where people look first; a failed run says why there too.
    await io.writeSummary(`### frontier-gate: error\n\n${escapeMarkdown(message)}\n`).catch(() => undefined);
    return undefined;
  }
}
