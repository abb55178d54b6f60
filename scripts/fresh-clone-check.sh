#!/usr/bin/env bash
# Prove the set-up contract: clone the committed repo into a temp dir beside
# ../shared and run `make test` there with a brand-new virtualenv.
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d /tmp/devgraph-fresh.XXXXXX)
ln -s "$(cd "$repo/.." && pwd)/shared" "$work/shared"
git clone -q "$repo" "$work/main"
cd "$work/main"
start=$(date +%s)
make test
echo "fresh clone: make test passed in $(( $(date +%s) - start )) s ($work/main)"
