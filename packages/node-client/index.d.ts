/** Absolute path of the built addon `vt_node_client.node` (it exists only after `pnpm build`). */
export declare const addonPath: string;
