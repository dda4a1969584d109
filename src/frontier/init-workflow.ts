/**
 * The workflow `frontier-gate init` prints (docs/workflows/init.yml is its text for the default options).
 * Import-light on purpose: scripts/check-workflows.js loads it from source and checks what it generates.
 */
import { pathFiltersForGlobs } from '../util/github-filter';

/** The action's `configs` default (action.yml); the workflow check holds the two equal. */
export const DEFAULT_INIT_CONFIGS = 'models/**/*.{yaml,yml}';
export const DEFAULT_INIT_BRANCH = 'main';
/** The orphan branch the PR comment's chart is committed to: action.yml's chart-branch default (docs/report.md). */
export const DEFAULT_CHART_BRANCH = 'frontier-assets';

export interface InitOptions {
  configs: string;
  storePath: string;
  branch: string;
}

const yamlString = (s: string) => (/^[\w./*{},-]+$/.test(s) && !/^[*{]/.test(s) ? s : `'${s.replace(/'/g, "''")}'`);

/**
 * GitHub's `paths:` filters have no braces (`{yaml,yml}` would be matched literally and the workflow would
 * never run), so the `configs` glob is turned into the filters GitHub matches: one per brace alternative.
 */
export function initWorkflow(opts: InitOptions): string {
  const paths = `[${pathFiltersForGlobs(opts.configs).map((p) => `'${p.replace(/'/g, "''")}'`).join(', ')}]`;
  return `# .github/workflows/frontier.yml, as \`frontier-gate init\` prints it: gate PRs, record merges, sweep nightly.
name: frontier
on:
  pull_request:
    paths: ${paths}
  push:
    branches: [${yamlString(opts.branch)}]
    paths: ${paths}
  schedule:
    - cron: '17 3 * * *'
permissions: {}
jobs:
  frontier:
    runs-on: ubuntu-24.04
    permissions:
      contents: write       # push/schedule: commit ${opts.storePath}; PRs: commit the chart to ${DEFAULT_CHART_BRANCH}
      pull-requests: write  # the one PR comment
      issues: write         # the nightly drift issue
    concurrency:
      group: frontier-\${{ github.event_name == 'pull_request' && github.event.number || 'store' }}
      cancel-in-progress: false
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          persist-credentials: false
      - uses: OWNER/frontier-gate@<full-commit-sha> # v0.1.0
        with:
          configs: ${yamlString(opts.configs)}
          frontier: ${yamlString(opts.storePath)}
          chart-branch: ${DEFAULT_CHART_BRANCH}   # the chart as an image in the PR comment (branch created on first use)
          on-drift: issue
`;
}
