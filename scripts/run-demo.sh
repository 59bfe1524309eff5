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

audit() {  # audit NAME EXPECTED_EXIT INPUT [ARGS...]
  local name="$1" expected="$2" input="$3" errors
  shift 3
  errors="$(mktemp)"
  set +e
  "${python}" -m gcready audit "${input}" --offline --quiet --format text \
    --output "${out}/${name}.txt" --json "${out}/${name}.json" --html "${out}/${name}.html" "$@" 2>"${errors}"
  local code=$?
  set -e
  local verdict="as expected"
  [[ -n "${expected}" && "${code}" != "${expected}" ]] && verdict="UNEXPECTED: the case expects exit ${expected}"
  [[ -z "${expected}" ]] && verdict=""
  printf '  %-58s exit %s %s\n' "${out}/${name}.{txt,json,html}" "${code}" "${verdict:+(${verdict})}"
  if [[ ${code} -eq 2 && "${expected}" == "2" ]]; then
    # a case whose input is broken on purpose: its one-line error is what it demonstrates
    sed 's/^gcready: error: /      broken on purpose: /' "${errors}"
  else
    cat "${errors}" >&2
  fi
  rm -f "${errors}"
  if [[ ${code} -eq 1 ]]; then
    echo "error: gcready failed internally on ${input}" >&2
    exit 1
  fi
}

echo "gcready $("${python}" -m gcready --version | awk '{print $NF}'): auditing bundled fixtures (exit 3 = a requirement fails, 5 = cannot confirm, 2 = bad input: most cases show a problem on purpose)"
demo_expected="$("${python}" -c 'import sys, yaml; print((yaml.safe_load(open(sys.argv[1])) or {}).get("expect", {}).get("exit_code", ""))' fixtures/demo-case.yaml 2>/dev/null || true)"
audit demo "${demo_expected}" fixtures/demo
for case in fixtures/scenarios/*/; do
  name="$(basename "${case}")"
  args=()
  expected=""
  if [[ -f "${case}case.yaml" ]]; then
    # one line per argument, none when the case has no args
    mapfile -t args < <("${python}" -c 'import sys, yaml; spec = yaml.safe_load(open(sys.argv[1])) or {}; sys.stdout.write("".join(f"{a}\n" for a in spec.get("args") or []))' "${case}case.yaml")
    expected="$("${python}" -c 'import sys, yaml; print(((yaml.safe_load(open(sys.argv[1])) or {}).get("expect") or {}).get("exit_code", ""))' "${case}case.yaml")"
  fi
  audit "scenarios/${name}" "${expected}" "${case}inputs" ${args[@]+"${args[@]}"}
done
"${python}" -m gcready requirements --format markdown > "${out}/requirements.md"
echo "done: open ${out}/demo.html, or read ${out}/demo.txt"
