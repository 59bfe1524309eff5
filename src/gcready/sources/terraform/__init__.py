"""Terraform: module folders (``*.tf``, ``*.tf.json`` + ``*.tfvars``) and ``terraform show -json`` plan/state.

Terraform is read per module directory: every ``*.tf`` and ``*.tf.json`` of a folder together (override files merged in
last), with the root's ``terraform.tfvars`` and ``*.auto.tfvars``; any other ``*.tfvars`` Terraform reads
only with ``-var-file``, so a variable it would change is unknown. Literals, ``var.x`` (defaults and tfvars),
``local.x`` and simple ``"${...}"`` interpolation are resolved; calls of local modules
(``source = "./modules/x"``) are followed with the call's arguments as the child's variables. Anything
Terraform computes (function calls, conditionals, other resources' attributes, variables with no value)
gives a non-``ok`` reading ("computed in Terraform: …"), never a pass or a fail.

Calls of W&B's published modules (``wandb/wandb/aws``, ``wandb/wandb/google``, ``wandb/wandb/azurerm``)
are recognised: ``other_wandb_env`` becomes the server's env (the modules write it to the chart's
``global.extraEnv``), ``bucket_name`` names an external bucket whose settings this code cannot show, and
without it the module creates the bucket itself: as published, with no versioning and no soft delete.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from gcready.model import Evidence, InputError, InputFile, Note, Origin, SourceKind
from gcready.sources.progress import Progress, Steps
from gcready.sources.terraform.config import Scope, _relative
from gcready.sources.terraform.declarations import ModuleDir
from gcready.sources.terraform.hcl import (
    ParsedFile,
    TerraformError,
    _HCLError,
    _parse_hcl,
    parse_files,
    top_level_blocks,
)
from gcready.sources.terraform.plan import _read_plan
from gcready.sources.terraform.reader import Reader
from gcready.sources.terraform.tfjson import parse_json_config
from gcready.sources.tfdetect import looks_like_plan

__all__ = ["TerraformError", "read"]


def read(
    paths_and_texts: Sequence[tuple[str, str]],
    progress: Progress | None = None,
    var_files: Sequence[str] = (),
) -> Evidence:
    """Read Terraform inputs (HCL files grouped by folder, and plan/state JSON) into Evidence.

    Each root (a folder no other folder calls as a module) is audited on its own, with exactly the
    modules it calls (a local module that is not among the inputs is read from disk): nothing from one
    root is used to judge another, and with several roots each finding names its root.
    ``var_files`` are the ``--var-file`` files, in order (read from disk when not among the inputs).
    ``progress(done, total, label)`` is told of each file as it is read and of each root."""
    steps = Steps(progress, len(paths_and_texts))
    top = Reader()
    dirs: dict[str, ModuleDir] = {}
    top.dirs = dirs
    inputs: list[InputFile] = []
    loose_tfvars: list[tuple[str, str]] = []
    plans: list[tuple[str, str]] = []
    hcl_files: list[tuple[str, str]] = []
    for path, text in paths_and_texts:
        steps.step(path)
        inputs.append(InputFile(path, SourceKind.TERRAFORM))
        if path.endswith(".tf.json"):  # configuration in Terraform's JSON syntax
            folder = os.path.normpath(os.path.dirname(path) or ".")
            try:
                dirs.setdefault(folder, ModuleDir(folder)).files.append(parse_json_config(path, text))
            except _HCLError as exc:
                dirs.setdefault(folder, ModuleDir(folder))
                top.errors.append(InputError(path, str(exc), exc.line))
            continue
        if path.endswith(".json") and not path.endswith(".tfvars.json"):
            plans.append((path, text))
            continue
        if looks_like_plan(text) and not path.endswith(".tfvars.json"):
            plans.append((path, text))
            continue
        folder = os.path.normpath(os.path.dirname(path) or ".")
        if path.endswith((".tfvars", ".tfvars.json")):
            loose_tfvars.append((path, text))
            continue
        dirs.setdefault(folder, ModuleDir(folder))
        hcl_files.append((path, text))
    for (path, _text), parsed in zip(hcl_files, parse_files(hcl_files), strict=True):
        if isinstance(parsed, _HCLError):
            top.errors.append(InputError(path, str(parsed), parsed.line))
        elif isinstance(parsed, TerraformError):
            top.errors.append(InputError(path, str(parsed)))
        else:
            dirs[os.path.normpath(os.path.dirname(path) or ".")].files.append(parsed)
    for mod in dirs.values():
        mod.index()
        top.errors.extend(mod.errors)
    called: set[str] = set()
    for mod in dirs.values():
        for _name, loc in mod.calls:
            source = loc.value.get("source") if isinstance(loc.value, dict) else None
            if isinstance(source, str) and source.startswith(("./", "../")):
                child = os.path.normpath(os.path.join(mod.path, source))
                if child != mod.path:  # `source = "./"` calls itself: not a reason to drop the folder
                    called.add(child)
    roots = [m for m in dirs.values() if m.path not in called and m.files]
    roots = _without_nested_modules(roots, top)
    _attach_tfvars(top, roots, loose_tfvars, _given_var_files(top, var_files, paths_and_texts, inputs))
    evidence = top.evidence(inputs)
    base = os.path.commonpath([r.path for r in roots]) if roots else ""
    # a plan/state JSON beside a root's .tf files is that root's plan: read with it
    beside = {
        r.path: [p for p in plans if os.path.normpath(os.path.dirname(p[0]) or ".") == r.path] for r in roots
    }
    alone = [p for p in plans if not any(p in group for group in beside.values())]
    several = len(roots) + len(alone) > 1
    steps.add(len(roots) + len(alone))
    for root in roots:
        reader = Reader()
        reader.dirs = dirs
        label = _relative(root.path, base)
        reader.root = (os.path.basename(base) or label if label == "." else label) if several else ""
        reader.base = base
        reader.run_dir(Scope(reader, root, "", {}, None), (root.path,))
        for path, text in beside[root.path]:
            _read_plan(reader, path, text)
        reader.emit_buckets()
        evidence = evidence.merge(reader.evidence(()))
        steps.step(root.path)
    for path, text in alone:
        reader = Reader()
        reader.dirs = dirs
        reader.root = os.path.basename(path) if several else ""
        reader.base = base
        _read_plan(reader, path, text)
        reader.emit_buckets()
        evidence = evidence.merge(reader.evidence(()))
        steps.step(path)
    return evidence


def _given_var_files(
    top: Reader, var_files: Sequence[str], texts: Sequence[tuple[str, str]], inputs: list[InputFile]
) -> list[tuple[str, str]]:
    """The ``--var-file`` files with their text: an input's as read, any other's from disk."""
    known = {os.path.realpath(path): (path, text) for path, text in texts}
    out: list[tuple[str, str]] = []
    for path in var_files:
        found = known.get(os.path.realpath(path))
        if found is not None:
            out.append(found)
            continue
        try:
            with open(path, encoding="utf-8-sig") as handle:
                out.append((path, handle.read()))
        except (OSError, UnicodeDecodeError) as exc:
            top.errors.append(InputError(path, f"cannot read the --var-file: {exc}"))
            continue
        inputs.append(InputFile(path, SourceKind.TERRAFORM))
    return out


def _without_nested_modules(roots: list[ModuleDir], top: Reader) -> list[ModuleDir]:
    """A folder under ``modules/`` is a nested module (Terraform's standard module structure), not a
    root, even when nothing in the tree calls it (a registry source such as
    ``wandb/wandb/aws//modules/secure_storage_connector`` does): unless it is all there is."""
    if len(roots) < 2:
        return roots
    base = os.path.commonpath([r.path for r in roots])

    def nested(mod: ModuleDir) -> bool:
        return "modules" in _relative(mod.path, base).split("/")

    kept = [r for r in roots if not nested(r)]
    if not kept:
        return roots
    for mod in roots:
        if nested(mod):
            top.notes.append(
                Note(
                    f"{_relative(mod.path, base)}: a nested module no root of the tree calls; not audited as a root",
                    Origin(mod.files[0].path),
                )
            )
    return kept


def _tfvars_order(path: str) -> tuple[int, str]:
    base = os.path.basename(path)
    if base == "terraform.tfvars":
        return (0, base)
    if base == "terraform.tfvars.json":
        return (1, base)
    if base.endswith((".auto.tfvars", ".auto.tfvars.json")):
        return (2, base)
    return (3, base)


def _auto_loaded(path: str, root: ModuleDir) -> bool:
    """Whether Terraform loads the tfvars file for this root on its own: ``terraform.tfvars(.json)`` and
    ``*.auto.tfvars(.json)`` in the root folder; any other only when ``-var-file`` names it."""
    folder = os.path.normpath(os.path.dirname(path) or ".")
    return folder == root.path and _tfvars_order(path)[0] < 3


def _attach_tfvars(
    reader: Reader,
    roots: list[ModuleDir],
    tfvars: list[tuple[str, str]],
    given: Sequence[tuple[str, str]] = (),
) -> None:
    """Each root's tfvars as ``terraform plan`` reads them: ``terraform.tfvars``, ``*.auto.tfvars`` in
    lexical order, then the ``--var-file`` files in the order given (the last one setting a variable
    wins). Any other ``.tfvars`` is read only with ``-var-file``: when ``--var-file`` says which files
    plan is given, it is not applied; without, a variable it would change is unknown."""
    named = {os.path.realpath(path) for path, _text in given}
    told: dict[str, ModuleDir] = {}
    for path, _text in given:
        target = _given_root(path, roots)
        if target is not None:
            told[target.path] = target
    for path, text in sorted(tfvars, key=lambda item: _tfvars_order(item[0])):
        if os.path.realpath(path) in named:
            continue  # read below, in the --var-file order
        folder = os.path.normpath(os.path.dirname(path) or ".")
        target = next((r for r in roots if r.path == folder), None)
        if target is None and len(roots) == 1:
            target = roots[0]
        if target is None:
            reader.notes.append(
                Note(
                    "tfvars not applied: no single root module among the inputs to apply it to", Origin(path)
                )
            )
            continue
        auto = _auto_loaded(path, target)
        if not auto and target.path in told:
            reader.notes.append(
                Note(
                    f"{os.path.basename(path)}: not applied: no --var-file names it, and Terraform reads it "
                    "only with -var-file",
                    Origin(path),
                )
            )
            continue
        read = _read_tfvars(reader, path, text)
        if read is None:
            continue
        values, parsed = read
        (target.tfvars if auto else target.var_files).append((path, values, parsed))
        if not auto:
            names = ", ".join(sorted(values)[:8]) + (", …" if len(values) > 8 else "")
            reader.notes.append(
                Note(
                    f"{os.path.basename(path)}: Terraform reads it only with -var-file, so gcready did not apply "
                    f"it (it sets {names or 'nothing'}); a variable it would change is unknown (say which "
                    "files plan is given with --var-file)",
                    Origin(path),
                )
            )
    for path, text in given:
        target = _given_root(path, roots)
        if target is None:
            reader.notes.append(
                Note(
                    "--var-file not applied: the inputs hold several root modules and the file is in "
                    "none of their folders",
                    Origin(path),
                )
            )
            continue
        read = _read_tfvars(reader, path, text)
        if read is not None:
            target.tfvars.append((path, *read))


def _given_root(path: str, roots: list[ModuleDir]) -> ModuleDir | None:
    """The root a ``--var-file`` is for: the only one, else the nearest whose folder holds the file."""
    if len(roots) == 1:
        return roots[0]
    folder = os.path.realpath(os.path.dirname(path) or ".")
    holding = [
        r for r in roots if os.path.commonpath([folder, os.path.realpath(r.path)]) == os.path.realpath(r.path)
    ]
    return max(holding, key=lambda r: len(os.path.realpath(r.path)), default=None)


def _read_tfvars(reader: Reader, path: str, text: str) -> tuple[dict[str, Any], ParsedFile | None] | None:
    """A tfvars file's values (and its parse, for HCL); an error is the reader's, and None."""
    try:
        if path.endswith(".json"):
            values = json.loads(text)
            if not isinstance(values, dict):
                raise TerraformError("a .tfvars.json file must hold an object")
            return values, None
        parsed = _parse_hcl(path, text)
        _refuse_blocks(parsed, text)
        return parsed.data, parsed
    except _HCLError as exc:
        reader.errors.append(InputError(path, str(exc), exc.line))
    except (TerraformError, ValueError) as exc:
        reader.errors.append(InputError(path, f"not valid tfvars: {exc}"))
    return None


def _refuse_blocks(parsed: ParsedFile, text: str) -> None:
    """A variables file holds only ``name = value``: Terraform refuses one with a block (a ``.tf`` file
    given as ``-var-file``, say), whatever the file is named."""
    if not any(isinstance(v, list) and all(isinstance(b, dict) for b in v) for v in parsed.data.values()):
        return  # a block reads as a list of objects: only then is the text looked at again
    for kind, labels, line in top_level_blocks(text):
        if kind == "variable" and labels:
            raise _HCLError(
                f"Variable declaration in .tfvars file: a variables file sets variables declared in .tf files "
                f"(write {labels[0]} = <value>); terraform plan fails",
                line,
            )
        raise _HCLError(
            f'Unexpected "{kind}" block: a variables file holds no blocks; terraform plan fails', line
        )
