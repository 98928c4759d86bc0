/** A workspace package as vt sees it: where it lives and which workspace packages it depends on. */
export interface WorkspacePackage {
  /** `name` from package.json; `""` when absent (allowed for the root only in practice). */
  readonly name: string;
  /** Absolute directory. */
  readonly dir: string;
  /** Directory relative to the workspace root with `/` separators; `""` for the root. */
  readonly relDir: string;
  /** True for the workspace root package. */
  readonly isRoot: boolean;
  /** package.json `scripts`, in file order. */
  readonly scripts: ReadonlyMap<string, string>;
  /**
   * Names of workspace packages this one depends on through `workspace:` specs (dependencies,
   * devDependencies, peerDependencies), alias targets resolved, self edges removed. Unknown names are
   * kept out when the graph is built.
   */
  readonly workspaceDeps: readonly string[];
}

export interface Workspace {
  /** Absolute workspace root directory. */
  readonly root: string;
  /** All packages, sorted by `relDir` (the root, `""`, first). */
  readonly packages: readonly WorkspacePackage[];
}
