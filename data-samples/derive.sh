#!/usr/bin/env bash
# Derives the flight-delay landing-zone drops from the BTS on-time records shipped in the npm
# package vega-datasets (pinned version, checksum verified). January 2001 is committed under
# data-samples/flights/; the full Jan-Jun set is derived on demand for benchmarks:
#   data-samples/derive.sh 2001-01-01 2001-06-30 var/flights-full
# A fourth argument K writes K copies of every flight (scale benchmarks): copy 0 as is, the others
# with new keys, departures moved by minutes within the day and delays nudged, deterministically.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
from="${1:-2001-01-01}"
to="${2:-2001-01-31}"
out="${3:-$root/data-samples/flights}"
copies="${4:-1}"

package="vega-datasets@3.2.1"
tarball_sha256="6f72fda460a9863fae5fcb32f85bcd49e1761fdea6dc6cf9f4962472881cc5a3"
parquet_sha256="dbeb920c90f59b6ccaff823dcc3d08f25a97fa1ce128d93f40be4e931f5900b0"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
tarball="$(ls "$work"/vega-datasets-*.tgz)"
echo "$tarball_sha256  $tarball" | sha256sum --check --quiet
tar -xzf "$tarball" -C "$work" package/data/flights-3m.parquet
echo "$parquet_sha256  $work/package/data/flights-3m.parquet" | sha256sum --check --quiet

mkdir -p "$out"
"$root/bin/nightcast" sample --source "$work/package/data/flights-3m.parquet" --out "$out" --from "$from" --to "$to" --copies "$copies"
