/** GitHub Action entry point (bundled into dist/index.js by `npm run package`). */
import { CHILD_ENTRY_ENV, CHILD_ENV } from './measure/child';

if (process.env[CHILD_ENV] === '1') {
  // This bundle started as a measuring child (src/measure/child.ts): serve one measure call, nothing else.
  (require('./measure/child-main') as typeof import('./measure/child-main')).serveMeasureChild();
} else {
  // The bundle is one file: a measuring child runs this same script.
  process.env[CHILD_ENTRY_ENV] = __filename;
  void (require('./main') as typeof import('./main')).run();
}
