// The location of the addon that `pnpm build` (napi build) places next to this file. vt passes it to tasks as
// VP_RUN_NODE_CLIENT_PATH; tools load it through @voidzero-dev/vite-task-client with a plain `require`.
import { fileURLToPath } from 'node:url';

export const addonPath = fileURLToPath(new URL('./vt_node_client.node', import.meta.url));
