// The addon, or null where it was not built (another platform, a failed build): vt then stamps files with
// fs.statSync, which gives the same stamps more slowly (packages/vt/src/cache/file-stamps.ts).
'use strict';
let addon = null;
try {
  addon = require('./build/Release/vt_file_stamps.node');
} catch {
  addon = null;
}
module.exports = { addon };
