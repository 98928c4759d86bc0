// The location of the addon that `pnpm build` (napi build) places next to this file. vt passes it to tasks as
// VP_RUN_NODE_CLIENT_PATH; tools load it through @voidzero-dev/vite-task-client with a plain `require`.
// CommonJS so that both vt's CommonJS bundle (require) and ES modules (import) can load it.
'use strict';
const path = require('node:path');

exports.addonPath = path.join(__dirname, 'vt_node_client.node');
