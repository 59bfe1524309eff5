#!/usr/bin/env bash
# Sourced by the other scripts: creates the project virtual environment (.venv) when it is missing
# and sets ${python} to its interpreter, so nothing is ever installed into the global interpreter.
# PYTHON names the interpreter that creates the environment (default: python3).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${GCREADY_VENV:-${root}/.venv}"
if [[ ! -x "${venv}/bin/python" ]]; then
  echo "== creating the project virtual environment in ${venv#"${root}"/}"
  "${PYTHON:-python3}" -m venv "${venv}"
  "${venv}/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
fi
python="${venv}/bin/python"
export PATH="${venv}/bin:${PATH}"
