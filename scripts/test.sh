#!/usr/bin/env bash
# The whole test command: install gcready and its test deps, install the local storage servers,
# lint and type-check, then run every test. The live tests start the servers themselves on
# 127.0.0.1 (tests/live/conftest.py) and stop them by PID when the session ends.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/venv.sh

echo "== installing gcready and test dependencies"
"${python}" -m pip install --quiet --disable-pip-version-check -e '.[test]'
echo "== installing local test servers (moto, SeaweedFS, gcp-storage-emulator, Azurite, Pushgateway)"
bash scripts/install-test-servers.sh

echo "== ruff"
"${python}" -m ruff check src tests benchmarks
"${python}" -m ruff format --check src tests benchmarks
echo "== mypy --strict"
"${python}" -m mypy

echo "== pytest"
set +e
"${python}" -m pytest -p no:cacheprovider "$@"
code=$?
set -e
if [[ ${code} -eq 5 ]]; then
  echo "error: pytest collected no tests (exit 5): treating that as a failure" >&2
  exit 1
fi
exit ${code}
