"""Evidence sources: files (recognised by content) and the process environment, merged into Evidence.

Each file is read once, its kind guessed from its content (``--kind`` overrides the guess), and bad
files become :class:`~gcready.model.InputError` values so the other inputs are still audited.
Kubernetes objects are pooled across files before env resolution (a Deployment's ConfigMap is often
in another file). Terraform files are pooled too and read together at the end (a module is a folder of
``*.tf`` files, with its ``*.tfvars``; plan/state JSON beside them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

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
from gcready.sources.yamldocs import Doc, read_documents

_YAML_SUFFIXES = (".yaml", ".yml")
_SKIP_DIRS = frozenset({".git", "node_modules", "__pycache__", ".terraform"})
MAX_BYTES = 20 * 1024 * 1024


def expand_paths(paths: Sequence[str]) -> tuple[list[tuple[str, bool]], list[InputError]]:
    """Files to read, each with whether the user named it (a named file must be recognised)."""
    files: list[tuple[str, bool]] = []
    errors: list[InputError] = []
    for raw in paths:
        if not raw.strip():
            errors.append(InputError(repr(raw), "an empty path (not the current folder)"))
            continue
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not (_SKIP_DIRS & set(child.relative_to(path).parts)):
                    files.append((str(child), False))
        elif path.is_file():
            files.append((raw, True))
        elif path.exists():
            errors.append(InputError(raw, "not a regular file or folder"))
        else:
            errors.append(InputError(raw, "no such file or folder"))
    return files, errors


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
) -> Evidence:
    """Read every input into one Evidence value; errors are kept in it, never raised.

    With ``chart`` (``--chart``), Helm values are rendered with that chart and the render is audited.
    """
    kinds = kinds or {}
    files, path_errors = expand_paths(paths)
    evidence = Evidence(errors=tuple(path_errors))
    kube_docs: list[Doc] = []
    tf_files: list[tuple[str, str]] = []
    with compose.input_roots(paths):  # a compose env_file is read only inside the inputs
        for path, named in files:
            forced = kinds.get(path) or (default_kind if named else None)
            got, docs = _read_file(path, named, forced, tf_files, chart)
            evidence = evidence.merge(got)
            kube_docs.extend(docs)
    evidence = compose.absorb_env_files(evidence)  # an env_file a compose service reads is judged there
    if kube_docs:
        evidence = evidence.merge(kubernetes.resolve(kube_docs))
        evidence = helm.resolve_env_from(evidence, kube_docs)  # values-side envFrom given as objects
    if tf_files:
        from gcready.sources import terraform  # a large reader: loaded only for Terraform inputs

        evidence = evidence.merge(terraform.read(tf_files))
    if environ is not None:
        evidence = evidence.merge(environment.read(environ))
    return evidence


def _read_file(
    path: str, named: bool, forced: SourceKind | None, tf_files: list[tuple[str, str]], chart: str | None
) -> tuple[Evidence, list[Doc]]:
    """One file's evidence; Terraform files are only queued on ``tf_files`` (read per folder later)."""
    try:
        if Path(path).stat().st_size > MAX_BYTES:
            return Evidence(errors=(InputError(path, "larger than 20 MiB; not an evidence file"),)), []
        raw = Path(path).read_bytes()
    except OSError as exc:
        return Evidence(errors=(InputError(path, f"cannot read: {exc.strerror or exc}"),)), []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if named:
            return Evidence(errors=(InputError(path, "not a text file"),)), []
        return Evidence(notes=(Note("skipped: not a text file", Origin(path)),)), []
    kind = forced or guess_kind(path, text)
    if kind is SourceKind.TERRAFORM:
        tf_files.append((path, text))
        return Evidence(), []
    try:
        if kind is SourceKind.BUNDLE:
            return bundle.read(path, text), []
        if kind is SourceKind.DOTENV:
            return dotenv.read(path, text), []
        return _read_yaml(path, text, named, kind, chart)
    except bundle.BundleError as exc:
        return Evidence(errors=(exc.error,)), []


def _read_yaml(
    path: str, text: str, named: bool, forced: SourceKind | None, chart: str | None = None
) -> tuple[Evidence, list[Doc]]:
    if not named and forced is None and not path.endswith(_YAML_SUFFIXES) and not text.strip():
        return Evidence(), []
    read = read_documents(path, text)
    if read.errors and not (named or path.endswith(_YAML_SUFFIXES) or forced is not None):
        return Evidence(notes=(Note("skipped: not an evidence file gcready recognises", Origin(path)),)), []
    docs = read.docs
    # a broken document is an error for itself only: the file's other documents are still read
    evidence = Evidence(errors=read.errors, notes=tuple(n for d in docs for n in d.notes))
    if read.errors and not docs:
        return evidence, []
    kube: list[Doc] = []
    recognised = False
    pooled: set[SourceKind] = set()  # read with the Kubernetes objects (they refer to each other)
    for doc in docs:
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
        elif forced is SourceKind.COMPOSE or (forced is None and compose.looks_like(doc.data)):
            evidence = evidence.merge(compose.read(doc))
            recognised = True
        elif forced is SourceKind.HELM_LEGACY or (forced is None and helm_legacy.looks_like(doc.data)):
            evidence = evidence.merge(helm_legacy.read(doc))
            recognised = True
        elif forced is SourceKind.HELM_VALUES or (forced is None and helm.looks_like_values(doc.data)):
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
