#!/usr/bin/env bash
# The main job on bundled fixtures: install gcready, audit the demo deployment and every fixture
# scenario offline, and write the reports under reports/ (JSON, HTML and text for each).
# gcready's exit code says what it found (3 = a requirement fails, 5 = unknown…); this script
# reports it and carries on, since the fixtures are meant to show failures.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -z "${GCREADY_DEMO_NO_INSTALL:-}" ]]; then
  source scripts/venv.sh
  "${python}" -m pip install --quiet --disable-pip-version-check -e .
else
  python="${PYTHON:-python3}"  # the caller's interpreter, which already has gcready
fi
out="${GCREADY_REPORTS:-reports}"  # where the reports go (the tests write them elsewhere)
mkdir -p "${out}/scenarios"

audit() {  # audit NAME INPUT [ARGS...]
  local name="$1" input="$2"
  shift 2
  set +e
  "${python}" -m gcready audit "${input}" --offline --quiet --format text \
    --output "${out}/${name}.txt" --json "${out}/${name}.json" --html "${out}/${name}.html" "$@"
  local code=$?
  set -e
  printf '  %-58s exit %s\n' "${out}/${name}.{txt,json,html}" "${code}"
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
    # one line per argument, none when the case has no args
    mapfile -t args < <("${python}" -c 'import sys, yaml; spec = yaml.safe_load(open(sys.argv[1])) or {}; sys.stdout.write("".join(f"{a}\n" for a in spec.get("args") or []))' "${case}case.yaml")
  fi
  audit "scenarios/${name}" "${case}inputs" ${args[@]+"${args[@]}"}
done
"${python}" -m gcready requirements --format markdown > "${out}/requirements.md"
echo "done: open ${out}/demo.html, or read ${out}/demo.txt"
