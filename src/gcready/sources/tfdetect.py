"""Recognising Terraform inputs without loading the Terraform reader (start-up speed)."""

from __future__ import annotations

import re

TF_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")


def looks_like_hcl(path: str, text: str) -> bool:
    """A ``*.tf`` / ``*.tf.json`` / ``*.tfvars`` file (by name), or text shaped like HCL blocks."""
    if path.endswith(TF_SUFFIXES):
        return True
    return bool(
        re.search(r"^\s*(resource|module|variable|locals|provider|terraform)\b[^\n=]*\{", text, re.M)
    ) and (not text.lstrip().startswith(("{", "[", "-", "apiVersion")))


def looks_like_plan(text: str) -> bool:
    """``terraform show -json`` output (a plan or a state)."""
    head = text.lstrip()
    if not head.startswith("{"):
        return False
    sample = head[:4096]
    return '"format_version"' in sample and (
        '"terraform_version"' in sample or '"planned_values"' in text or '"values"' in sample
    )
