/**
 * `npm run bench`: prints the performance figures the issues ask for. Sections run in order; pick some
 * with BENCH=arch,measure,... Figures are medians and ratios measured in this one run.
 */
const SECTIONS: Record<string, () => Promise<{ bench(): Promise<void> }>> = {
  arch: () => import('./arch'),
  config: () => import('./config'),
  measure: () => import('./measure'),
  frontier: () => import('./frontier'),
  lacs: () => import('./lacs'),
  search: () => import('./search'),
  report: () => import('./report'),
  zoo: () => import('./zoo'),
  onnx: () => import('./onnx'),
  drift: () => import('./drift'),
  coverage: () => import('./coverage'),
};

async function main(): Promise<void> {
  const wanted = (process.env.BENCH ?? Object.keys(SECTIONS).join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of wanted) {
    const load = SECTIONS[name];
    if (!load) {
      console.error(`unknown bench section '${name}'; have: ${Object.keys(SECTIONS).join(', ')}`);
      process.exitCode = 2;
      return;
    }
    console.log(`\n## bench: ${name}`);
    await (await load()).bench();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
