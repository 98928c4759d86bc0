#!/bin/sh
":" //; unset VT_LAUNCHER_CA_CERTS; if [ -n "${NODE_EXTRA_CA_CERTS+set}" ]; then export VT_LAUNCHER_CA_CERTS="$NODE_EXTRA_CA_CERTS"; unset NODE_EXTRA_CA_CERTS; fi; exec node "$0" "$@"
// The floor of any runner written for Node: a Node process that only spawns the command and waits for it, started
// exactly as bin/vt starts vt (the certificate bundle unset for itself, put back for the command). Whatever a
// runner adds on top of this is its own; this much is Node's start-up and one spawn (overhead.mjs, "Node floor").
'use strict';
const saved = process.env.VT_LAUNCHER_CA_CERTS;
if (saved !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = saved;
  delete process.env.VT_LAUNCHER_CA_CERTS;
}
const [program, ...args] = process.argv.slice(2);
const res = require('node:child_process').spawnSync(program, args, { stdio: 'inherit' });
process.exitCode = res.status ?? 1;
