/**
 * Help texts and usage lines (cli.md §1), in clap's layout: every `-h, --help` listed here is accepted where
 * it is listed, and every usage error ends with the usage line of the command it is about.
 */

export const TOP_USAGE = 'Usage: vt <COMMAND>';
export const RUN_USAGE = 'Usage: vt run [OPTIONS] [TASK_SPECIFIER] [TASK_ARGS]...';
export const CACHE_USAGE = 'Usage: vt cache <COMMAND>';
export const CACHE_CLEAN_USAGE = 'Usage: vt cache clean';

export const TOP_HELP = `vt: a monorepo task runner with a cache that cannot lie

${TOP_USAGE}

Commands:
  run    Run tasks
  cache  Manage the task cache (\`vt cache clean\`)

Options:
  -h, --help     Print help
  -V, --version  Print version
`;

export const RUN_HELP = `Run tasks

${RUN_USAGE}

Arguments:
  [TASK_SPECIFIER]  \`task\` or \`package#task\`
  [TASK_ARGS]...    Arguments passed to the task (after the specifier; a first \`--\` is dropped)

Options:
  -r, --recursive                  Select all packages in the workspace
  -t, --transitive                 Select the current package and its transitive dependencies
  -w, --workspace-root             Select the workspace root package
  -F, --filter <FILTER>            Match packages by name, directory or glob (pnpm --filter syntax)
      --fail-if-no-match           Fail when a --filter matches no package
      --ignore-depends-on          Do not follow \`dependsOn\` edges
  -v, --verbose                    Print the full execution summary
      --cache                      Force caching on for this run
      --no-cache                   Force caching off for this run
      --log <LOG>                  Output mode [default: interleaved] [possible values: interleaved, labeled, grouped]
      --concurrency-limit <N>      Maximum number of tasks running at once [default: 4]
      --parallel                   Ignore ordering between tasks; unlimited concurrency
      --last-details               Print the full summary of the previous run
  -h, --help                       Print help
`;

export const CACHE_HELP = `Manage the task cache

${CACHE_USAGE}

Commands:
  clean  Delete the cache root, every schema version included

Options:
  -h, --help  Print help
`;

export const CACHE_CLEAN_HELP = `Delete the cache root, every schema version included

The cache root is \$VITE_CACHE_PATH, or node_modules/.vite/task-cache in the workspace root.

${CACHE_CLEAN_USAGE}

Options:
  -h, --help  Print help
`;
