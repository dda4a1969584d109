/** GitHub Action entry point (bundled into dist/index.js by `npm run package`). */
import { run } from './main';

void run();
