import type { TaskDefinition } from '../config/tasks.js';

/**
 * A planned task: a node of an execution graph. `explicit` tasks were named by the query and receive
 * TASK_ARGS; tasks pulled in through `dependsOn` or as pre/post hooks do not (cli.md §2).
 */
export interface TaskNode {
  readonly task: TaskDefinition;
  readonly explicit: boolean;
}

/** Nodes plus "runs after" edges (node → the nodes it waits for). */
export interface TaskGraph {
  readonly nodes: readonly TaskNode[];
  readonly deps: ReadonlyMap<TaskNode, ReadonlySet<TaskNode>>;
}

export function nodeKey(task: TaskDefinition): string {
  return `${task.pkg.relDir}\0${task.name}`;
}

/** Mutable builder used while planning; frozen into a TaskGraph. */
export class GraphBuilder {
  private readonly byKey = new Map<string, TaskNode>();
  private readonly deps = new Map<TaskNode, Set<TaskNode>>();

  get(task: TaskDefinition): TaskNode | undefined {
    return this.byKey.get(nodeKey(task));
  }

  add(task: TaskDefinition, explicit: boolean): TaskNode {
    const existing = this.byKey.get(nodeKey(task));
    if (existing) {
      if (explicit && !existing.explicit) {
        const upgraded: TaskNode = { task, explicit: true };
        this.replace(existing, upgraded);
        return upgraded;
      }
      return existing;
    }
    const node: TaskNode = { task, explicit };
    this.byKey.set(nodeKey(task), node);
    this.deps.set(node, new Set());
    return node;
  }

  private replace(old: TaskNode, next: TaskNode): void {
    this.byKey.set(nodeKey(next.task), next);
    this.deps.set(next, this.deps.get(old)!);
    this.deps.delete(old);
    for (const set of this.deps.values()) {
      if (set.delete(old)) set.add(next);
    }
  }

  /** `node` runs after `dep`; a task depending on itself is kept, so that the cycle check reports it. */
  edge(node: TaskNode, dep: TaskNode): void {
    const a = this.byKey.get(nodeKey(node.task))!;
    const b = this.byKey.get(nodeKey(dep.task))!;
    this.deps.get(a)!.add(b);
  }

  nodes(): TaskNode[] {
    return [...this.deps.keys()];
  }

  depsOf(node: TaskNode): Set<TaskNode> {
    return this.deps.get(this.byKey.get(nodeKey(node.task))!)!;
  }

  build(): TaskGraph {
    return { nodes: this.nodes(), deps: new Map([...this.deps].map(([k, v]) => [k, new Set(v)])) };
  }
}

/** Finds a cycle and returns it as a closed path of nodes (first node repeated at the end), or undefined. */
export function findCycle(graph: TaskGraph): TaskNode[] | undefined {
  const state = new Map<TaskNode, 'visiting' | 'done'>();
  const stack: TaskNode[] = [];
  const visit = (node: TaskNode): TaskNode[] | undefined => {
    state.set(node, 'visiting');
    stack.push(node);
    // Visit dependencies in a deterministic order so that the reported path is stable.
    const deps = [...(graph.deps.get(node) ?? [])].sort((a, b) => compareNodes(a, b));
    for (const dep of deps) {
      const s = state.get(dep);
      if (s === 'visiting') return [...stack.slice(stack.indexOf(dep)), dep];
      if (s === undefined) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...graph.nodes].sort(compareNodes)) {
    if (state.get(node) === undefined) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return undefined;
}

export function compareNodes(a: TaskNode, b: TaskNode): number {
  const ka = nodeKey(a.task);
  const kb = nodeKey(b.task);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
