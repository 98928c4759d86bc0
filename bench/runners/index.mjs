/** Every runner the peer benchmark knows, vt first (it is the one the ratios are relative to). */
import lage from './lage.mjs';
import moon from './moon.mjs';
import { nxDaemon, nxNoDaemon } from './nx.mjs';
import turbo from './turbo.mjs';
import vt from './vt.mjs';
import wireit from './wireit.mjs';

/** @type {import('./shared.mjs').Runner[]} */
export const RUNNERS = [vt, turbo, nxNoDaemon, nxDaemon, moon, wireit, lage];
