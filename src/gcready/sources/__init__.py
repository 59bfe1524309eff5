"""Evidence sources: files (recognised by content) and the process environment, merged into Evidence.

Each file is read once, its kind guessed from its content (``--kind`` overrides the guess), and bad
files become :class:`~gcready.model.InputError` values so the other inputs are still audited.
Kubernetes objects are pooled across files before env resolution (a Deployment's ConfigMap is often
in another file). Terraform files are pooled too and read together at the end (a module is a folder of
``*.tf`` files, with its ``*.tfvars``; plan/state JSON beside them).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence

from gcready import limits
from gcready.model import Evidence, InputError, InputFile, Note, Origin, SourceKind
from gcready.sources import (
    bundle,
    compose,
    dotenv,
    environment,
    helm,
    helm_legacy,
    kubernetes,
    operator,
    server_manifest,
    tfdetect,
)
from gcready.sources.envfile import Dialect
from gcready.sources.progress import Progress
from gcready.sources.yamldocs import Doc, read_as, read_documents
from gcready.sources.yamlscalars import Schema

_YAML_SUFFIXES = (".yaml", ".yml")
_SKIP_DIRS = frozenset({".git", "node_modules", "__pycache__", ".terraform"})
MAX_BYTES = limits.MAX_BYTES


def expand_paths(paths: Sequence[str]) -> tuple[list[tuple[str, bool]], list[InputError]]:
    """Files to read, each with whether the user named it (a named file must be recognised)."""
    files, errors, _ = _expand(paths)
    return files, errors


def _expand(paths: Sequence[str]) -> tuple[list[tuple[str, bool]], list[InputError], list[Note]]:
    files: list[tuple[str, bool]] = []
    errors: list[InputError] = []
    notes: list[Note] = []
    for raw in paths:
        if not raw.strip():
            errors.append(InputError(repr(raw), "an empty path (not the current folder)"))
            continue
        try:
            mode = os.stat(raw).st_mode
        except FileNotFoundError:
            missing = "a broken symlink" if os.path.islink(raw) else "no such file or folder"
            errors.append(InputError(raw, missing))
            continue
        except OSError as exc:
            errors.append(InputError(raw, f"cannot read: {exc.strerror or exc}"))
            continue
        if stat.S_ISDIR(mode):
            files.extend((f, False) for f in _walk(raw, notes))
        elif stat.S_ISREG(mode):
            files.append((raw, True))
        else:
            errors.append(
                InputError(raw, f"{limits.special_file(raw)}, not a regular file or folder: refused")
            )
    return files, errors, notes


def _walk(top: str, notes: list[Note]) -> list[str]:
    """Regular files under a folder, sorted, following symlinks; a symlink loop is noted and not entered."""
    found: list[str] = []
    seen: set[tuple[int, int]] = set()

    def visit(folder: str, ancestors: frozenset[tuple[int, int]]) -> None:
        try:
            info = os.stat(folder)
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            notes.append(Note(f"skipped folder: cannot read: {exc.strerror or exc}", Origin(folder)))
            return
        ident = (info.st_dev, info.st_ino)
        if ident in ancestors:
            notes.append(Note("skipped: a symlink loop (this folder contains itself)", Origin(folder)))
            return
        if ident in seen:
            notes.append(Note("skipped: a symlink to a folder already read", Origin(folder)))
            return
        seen.add(ident)
        if len(ancestors) >= limits.MAX_DEPTH:
            notes.append(Note(f"skipped: nested deeper than {limits.MAX_DEPTH} folders", Origin(folder)))
            return
        for entry in entries:
            path = os.path.join(folder, entry.name)
            try:
                mode = os.stat(path).st_mode
            except OSError:
                notes.append(Note("skipped: a broken symlink", Origin(path)))
                continue
            if stat.S_ISDIR(mode):
                if entry.name not in _SKIP_DIRS:
                    visit(path, ancestors | {ident})
            elif stat.S_ISREG(mode):
                found.append(path)
            else:
                notes.append(Note(f"skipped: {limits.special_file(path)}, not a regular file", Origin(path)))

    visit(top, frozenset())
    return sorted(found)  # the order a plain recursive listing gives: the first mention of a bucket wins


def guess_kind(path: str, text: str) -> SourceKind | None:
    """The kind of an evidence file from its content (the name only breaks ties)."""
    if bundle.looks_like(text):
        return SourceKind.BUNDLE
    if path.endswith(tfdetect.TF_SUFFIXES):
        return SourceKind.TERRAFORM
    if text.lstrip().startswith("{"):
        return SourceKind.TERRAFORM if tfdetect.looks_like_plan(text) else None
    if dotenv.looks_like(text) and not path.endswith(_YAML_SUFFIXES):
        return SourceKind.DOTENV
    return None  # YAML kinds are decided per document after parsing


def collect(
    paths: Sequence[str],
    *,
    kinds: Mapping[str, SourceKind] | None = None,
    default_kind: SourceKind | None = None,
    environ: Mapping[str, str] | None = None,
    chart: str | None = None,
    dialects: Mapping[str, Dialect] | None = None,
    default_dialect: Dialect | None = None,
    var_files: Sequence[str] = (),
    progress: Progress | None = None,
) -> Evidence:
    """Read every input into one Evidence value; errors are kept in it, never raised.

    With ``chart`` (``--chart``), Helm values are rendered with that chart and the render is audited.
    ``dialects`` (by path) and ``default_dialect`` say which consumer reads an env file
    (``--env-file-dialect``); without one, the readings of docker, compose and systemd are compared.
    ``var_files`` (``--var-file``) are the ``.tfvars`` terraform plan is given, in order.
    ``progress(done, total, label)`` follows the Terraform reader, file by file and root by root.
    """
    kinds = kinds or {}
    dialects = {os.path.realpath(p): d for p, d in (dialects or {}).items()}  # however the path is written
    files, path_errors, walk_notes = _expand(paths)
    evidence = Evidence(errors=tuple(path_errors), notes=tuple(walk_notes))
    kube_docs: list[Doc] = []
    tf_files: list[tuple[str, str]] = []
    with compose.input_roots(paths):  # a compose env_file is read only inside the inputs
        for path, named in files:
            forced = kinds.get(path) or (default_kind if named else None)
            named_dialect = dialects.get(os.path.realpath(path))
            if forced is None and named_dialect is not None:
                forced = SourceKind.DOTENV  # --env-file-dialect PATH=… says what the file is
            dialect = named_dialect or default_dialect
            got, docs = _read_file(path, named, forced, tf_files, chart, dialect)
            evidence = evidence.merge(got)
            kube_docs.extend(docs)
    evidence = compose.absorb_env_files(evidence)  # an env_file a compose service reads is judged there
    evidence = _drop_dialect_notes(evidence)
    if kube_docs:
        evidence = evidence.merge(kubernetes.resolve(kube_docs))
        evidence = helm.resolve_env_from(evidence, kube_docs)  # values-side envFrom given as objects
    if tf_files:
        from gcready.sources import terraform  # a large reader: loaded only for Terraform inputs

        evidence = evidence.merge(terraform.read(tf_files, progress=progress, var_files=var_files))
    if environ is not None:
        evidence = evidence.merge(environment.read(environ))
    return evidence


def _read_file(
    path: str,
    named: bool,
    forced: SourceKind | None,
    tf_files: list[tuple[str, str]],
    chart: str | None = None,
    dialect: Dialect | None = None,
) -> tuple[Evidence, list[Doc]]:
    """One file's evidence; Terraform files are only queued on ``tf_files`` (read per folder later)."""
    try:
        raw = limits.read_bytes(path)
    except limits.InputReadError as exc:
        return Evidence(errors=(InputError(path, str(exc)),)), []
    if limits.looks_binary(raw):
        if named or forced is not None:
            return Evidence(errors=(InputError(path, "a binary file, not a text evidence file"),)), []
        return Evidence(notes=(Note("skipped: a binary file", Origin(path)),)), []
    try:
        text = limits.decode_text(raw)
    except limits.InputReadError as exc:
        # Not skipped: a configuration saved in Latin-1 may be the one that sets the flag, and
        # auditing the folder without it could pass on what the server does not read.
        return Evidence(errors=(InputError(path, str(exc), exc.line),)), []
    kind = forced or guess_kind(path, text)
    if kind is SourceKind.TERRAFORM:
        if len(raw) > limits.MAX_HCL_BYTES and not text.lstrip().startswith("{"):
            limit = f"{limits.MAX_HCL_BYTES // 1024} KiB"
            return Evidence(
                errors=(InputError(path, f"larger than the {limit} limit for a Terraform file"),)
            ), []
        deep = _json_too_deep(text)
        if deep:
            return Evidence(errors=(InputError(path, deep),)), []
        tf_files.append((path, text))
        return Evidence(), []
    docs: list[Doc] = []
    try:
        if kind is SourceKind.BUNDLE:
            got = bundle.read(path, text)
        elif kind is SourceKind.DOTENV:
            got = dotenv.read(path, text, dialect)
        else:
            got, docs = _read_yaml(path, text, named, kind, chart)
    except bundle.BundleError as exc:
        return Evidence(errors=(exc.error,)), []
    if len(docs) > limits.MAX_ITEMS:
        message = f"holds {len(docs)} YAML documents: more than the limit of {limits.MAX_ITEMS}"
        return Evidence(errors=(InputError(path, message),)), []
    return _bounded(path, got), docs


def _drop_dialect_notes(evidence: Evidence) -> Evidence:
    """A file a compose service reads as ``env_file`` has one consumer, compose: no dialect doubt."""
    consumed = {
        os.path.realpath(n.origin.source) for n in evidence.notes if n.text.startswith(compose.ENV_FILE_NOTE)
    }
    if not consumed:
        return evidence
    from dataclasses import replace

    kept = tuple(
        n
        for n in evidence.notes
        if not (n.text.startswith(dotenv.DIALECT_NOTE) and os.path.realpath(n.origin.source) in consumed)
    )
    return replace(evidence, notes=kept)


def _json_too_deep(text: str) -> str:
    """Why a JSON document (a Terraform plan) is refused for its nesting, "" when it is not JSON or fine."""
    if not text.lstrip().startswith(("{", "[")):
        return ""
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return ""  # the Terraform reader names the syntax error
    except RecursionError:
        return f"nested deeper than {limits.MAX_DEPTH} levels: not a terraform show -json document"
    if limits.nesting_depth(data) > limits.MAX_DEPTH:
        return f"nested deeper than {limits.MAX_DEPTH} levels: not a terraform show -json document"
    return ""


def _bounded(path: str, got: Evidence) -> Evidence:
    """One input's evidence, or an error when it yields more than any real configuration would."""
    items = sum(len(c.env) + len(c.shadowed) for c in got.components)
    items += len(got.buckets) + len(got.notes) + len(got.errors) + len(got.bucket_states)
    if items <= limits.MAX_ITEMS:
        return got
    return Evidence(
        errors=(
            InputError(
                path,
                f"yields {items} variables, buckets and notes: more than the limit of {limits.MAX_ITEMS}",
            ),
        )
    )


def _read_yaml(
    path: str, text: str, named: bool, forced: SourceKind | None, chart: str | None = None
) -> tuple[Evidence, list[Doc]]:
    if not named and forced is None and not path.endswith(_YAML_SUFFIXES) and not text.strip():
        return Evidence(), []
    read = read_documents(path, text)
    if read.errors and not (named or path.endswith(_YAML_SUFFIXES) or forced is not None):
        return Evidence(notes=(Note("skipped: not an evidence file gcready recognises", Origin(path)),)), []
    docs = read.docs

    def is_compose(doc: Doc) -> bool:
        if forced in (None, SourceKind.WANDB_CR) and operator.is_resource(doc.data):
            return False
        return forced is SourceKind.COMPOSE or (forced is None and compose.looks_like(doc.data))

    # a broken document is an error for itself only: the file's other documents are still read.
    # Compose documents are decoded again as docker compose decodes them (its notes are its own).
    evidence = Evidence(
        errors=read.errors, notes=tuple(n for d in docs if not is_compose(d) for n in d.notes)
    )
    if read.errors and not docs:
        return evidence, []
    kube: list[Doc] = []
    recognised = False
    pooled: set[SourceKind] = set()  # read with the Kubernetes objects (they refer to each other)
    first_read: bool | None = None  # whether the file's first document was read as evidence
    for doc in docs:
        if first_read is None and doc.index > 0:
            first_read = recognised
        if forced in (None, SourceKind.WANDB_CR) and operator.is_resource(doc.data):
            kube.append(doc)
            pooled.add(SourceKind.WANDB_CR)
            recognised = True
        elif forced is SourceKind.WANDB_CR and isinstance(doc.data, dict):
            evidence = evidence.merge(operator.read_v1(doc.data, Origin(doc.source, doc.line)))
            evidence = evidence.merge(Evidence(inputs=(InputFile(path, SourceKind.WANDB_CR),)))
            recognised = True
        elif forced in (None, SourceKind.SERVER_MANIFEST) and server_manifest.looks_like(doc.data):
            kube.append(doc)
            pooled.add(SourceKind.SERVER_MANIFEST)
            recognised = True
        elif is_compose(doc):
            as_compose = read_as(doc, text, Schema.COMPOSE)  # YAML 1.2: an unquoted `yes` is a string
            if isinstance(as_compose, Doc):
                evidence = evidence.merge(compose.read(as_compose))
            else:
                inputs = (InputFile(path, SourceKind.COMPOSE),)
                evidence = evidence.merge(Evidence(inputs=inputs, errors=(as_compose,)))
            recognised = True
        elif forced is SourceKind.HELM_LEGACY or (forced is None and helm_legacy.looks_like(doc.data)):
            evidence = evidence.merge(helm_legacy.read(doc))
            recognised = True
        elif forced is SourceKind.HELM_VALUES or (forced is None and helm.looks_like_values(doc.data)):
            if doc.index > 0:  # Helm reads only the first document of a values file: that one is judged
                evidence = evidence.merge(Evidence(notes=(helm.later_document(doc),)))
                recognised = True
                if first_read:
                    continue
                first_read = True
                doc = helm.first_document(docs)
            if not isinstance(doc.data, dict):
                evidence = evidence.merge(
                    Evidence(errors=(InputError(path, "Helm values must be a mapping", doc.line),))
                )
                continue
            if chart is not None:
                from gcready.sources import render  # Helm's SDK: loaded only with --chart

                evidence = evidence.merge(render.read_with_chart(doc, chart))
            else:
                evidence = evidence.merge(helm.read_values(doc))
            recognised = True
        elif forced in (None, SourceKind.KUBERNETES) and kubernetes.is_kubernetes_doc(doc.data):
            kube.append(doc)
            pooled.add(SourceKind.KUBERNETES)
            recognised = True
    for kind in sorted(pooled):
        evidence = evidence.merge(Evidence(inputs=(InputFile(path, kind),)))
    if not recognised and read.errors:
        return evidence, []  # the broken documents are reported; the readable ones hold no evidence
    if not recognised:
        message = "not an evidence file gcready recognises (dotenv, Kubernetes YAML, W&B operator resource, W&B server manifest, Helm values, legacy wandb chart values, docker-compose, bundle); give --kind to say what it is"
        if forced is not None:
            message = f"does not read as {forced.value}"
        if named or forced is not None:
            return Evidence(errors=(InputError(path, message),)), []
        return Evidence(notes=(Note("skipped: " + message.split(";")[0], Origin(path)),)), []
    return evidence, kube
