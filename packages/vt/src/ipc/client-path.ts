/** Where the client addon (built from crates/vt_node_client by `@vt/node-client`) lives. */
import { existsSync } from 'node:fs';
import { addonPath } from '@vt/node-client';

/** Absolute path of the built addon; throws a clear error when it has not been built. */
export function nodeClientPath(): string {
  if (!existsSync(addonPath)) {
    throw new Error(
      `the vt node client addon is not built (${addonPath} is missing); run \`pnpm build\` at the repository root`,
    );
  }
  return addonPath;
}
