// An external plugin package for molt, loaded with `--plugin <this folder>`
// (or `plugins: [...]` in a config file). Each file is written against
// molt's public API only: what register(molt) receives as `molt.lib`.
'use strict';

const PARTS = [require('./kto-trainer'), require('./volcano-travel'), require('./diff-norm-probe')];

exports.register = (molt) => {
  for (const part of PARTS) part.register(molt);
};
