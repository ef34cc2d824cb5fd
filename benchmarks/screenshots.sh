#!/bin/sh
# Regenerate docs/img/report-*.png: screenshots of report.html in headless
# Chromium (Debian's `chromium`: apt-get install -y chromium) for a micro run
# (the ci suite) and the published default-size run (organisms-check).
#
#   benchmarks/screenshots.sh [CI_OUT]
#
# CI_OUT: an existing `molt bench --suite ci` output directory; without it the
# ci suite runs into a temporary store first (a few minutes on 2 cores). Both
# runs are copied and re-derived with `molt report` in a temporary directory:
# no cell is recomputed and the repository's results are not touched.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ $# -ge 1 ]; then
  cp -r "$1" "$tmp/micro"
else
  node bin/molt.js --store "$tmp/store" bench --suite ci --workers 0 --out "$tmp/micro"
fi
cp -r benchmarks/results/organisms-check "$tmp/default"
node bin/molt.js report "$tmp/micro" >/dev/null
node bin/molt.js report "$tmp/default" >/dev/null
mkdir -p docs/img
node --experimental-websocket --no-warnings benchmarks/screenshots.js "$tmp/micro/report.html" docs/img/report-micro
node --experimental-websocket --no-warnings benchmarks/screenshots.js "$tmp/default/report.html" docs/img/report-default
