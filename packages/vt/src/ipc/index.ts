/** Runner-aware tool IPC (ipc.md): one server per cache-enabled spawned item execution. */
export { startIpcServer, type IpcServer, type IpcServerOptions } from './server.js';
export { nodeClientPath } from './client-path.js';
export type { IpcReport } from './report.js';
