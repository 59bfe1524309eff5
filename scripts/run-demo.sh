#!/usr/bin/env bash
# The main job on bundled fixtures: install gcready, audit the demo deployment and every fixture
# scenario offline, and write the reports under reports/ (JSON, HTML and text for each).
# gcready's exit code says what it found (3 = a requirement fails, 5 = unknown…); this script
# reports it and carries on, since the fixtures are meant to show failures.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python="${PYTHON:-python3}"
"${python}" -m pip install --quiet --disable-pip-version-check -e .
mkdir -p reports/scenarios

audit() {  # audit NAME INPUT [ARGS...]
  local name="$1" input="$2"
  shift 2
  set +e
  "${python}" -m gcready audit "${input}" --offline --quiet --format text \
    --output "reports/${name}.txt" --json "reports/${name}.json" --html "reports/${name}.html" "$@"
  local code=$?
  set -e
  printf '  %-58s exit %s\n' "reports/${name}.{txt,json,html}" "${code}"
  if [[ ${code} -eq 1 ]]; then
    echo "error: gcready failed internally on ${input}" >&2
    exit 1
  fi
}

echo "gcready $("${python}" -m gcready --version | awk '{print $NF}'): auditing bundled fixtures"
audit demo fixtures/demo
for case in fixtures/scenarios/*/; do
  name="$(basename "${case}")"
  args=()
  if [[ -f "${case}case.yaml" ]]; then
    mapfile -t args < <("${python}" -c 'import sys, yaml; spec = yaml.safe_load(open(sys.argv[1])) or {}; print("\n".join(map(str, spec.get("args") or [])))' "${case}case.yaml" 2>/dev/null || true)
  fi
  audit "scenarios/${name}" "${case}inputs" ${args[@]+"${args[@]}"}
done
"${python}" -m gcready requirements --format markdown > reports/requirements.md
echo "done: open reports/demo.html, or read reports/demo.txt"
