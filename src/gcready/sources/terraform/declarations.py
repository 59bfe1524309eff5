"""A module folder's declarations as Terraform reads them: the primary ``.tf`` files, where a name
declared twice is an error, then the override files (``override.tf``, ``*_override.tf``) merged in last,
in lexical order (https://developer.hashicorp.com/terraform/language/files/override)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from gcready.model import InputError
from gcready.sources.terraform.hcl import ParsedFile


@dataclass
class Located:
    value: Any
    file: ParsedFile
    key: tuple[Any, ...]
    # the override file that wrote a top-level argument or nested block type, when one did
    overridden: dict[str, ParsedFile] = field(default_factory=dict)

    @property
    def line(self) -> int:
        return self.file.line(*self.key)

    def file_of(self, name: str) -> ParsedFile:
        """The file that writes the argument (or nested block type) ``name`` of this block."""
        return self.overridden.get(name, self.file)


def is_override(path: str) -> bool:
    """Whether Terraform reads the file as an override file (merged into the others, last)."""
    stem = os.path.basename(path)
    for suffix in (".tf.json", ".tf"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            return stem == "override" or stem.endswith("_override")
    return False


def _blocks(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node]
    if isinstance(node, list):
        return [b for b in node if isinstance(b, dict)]
    return []


# Terraform's own words for each kind of block: the duplicate, and the override with no original
_WORDS = {
    "variable": ("Duplicate variable declaration", "Missing base variable declaration to override"),
    "locals": ("Duplicate local value definition", "Missing base local value definition to override"),
    "output": ("Duplicate output definition", "Missing base output definition to override"),
    "module": ("Duplicate module call", "Missing module call to override"),
    "resource": ("Duplicate resource configuration", "Missing resource to override"),
}


@dataclass
class ModuleDir:
    path: str
    files: list[ParsedFile] = field(default_factory=list)
    tfvars: list[tuple[str, dict[str, Any], ParsedFile | None]] = field(default_factory=list)
    variables: dict[str, Located] = field(default_factory=dict)
    locals: dict[str, Located] = field(default_factory=dict)
    outputs: dict[str, Located] = field(default_factory=dict)
    resources: list[tuple[str, str, Located]] = field(default_factory=list)
    calls: list[tuple[str, Located]] = field(default_factory=list)
    providers: list[tuple[str, Located]] = field(default_factory=list)
    # .tfvars Terraform reads only when `-var-file` names them (prod.tfvars, a sub-folder's tfvars)
    var_files: list[tuple[str, dict[str, Any], ParsedFile | None]] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)  # what makes Terraform refuse the folder

    def index(self) -> None:
        primary = sorted((f for f in self.files if not is_override(f.path)), key=_file_order)
        overrides = sorted((f for f in self.files if is_override(f.path)), key=_file_order)
        for f in primary:
            self._index_primary(f)
        for f in overrides:
            self._merge_override(f)

    def _error(self, f: ParsedFile, key: tuple[Any, ...], message: str) -> None:
        self.errors.append(InputError(f.path, message, f.line(*key)))

    def _index_primary(self, f: ParsedFile) -> None:
        for kind, table in (("variable", self.variables), ("output", self.outputs)):
            for block in _blocks(f.data.get(kind)):
                for name, body in block.items():
                    if name in table:
                        self._error(
                            f,
                            (kind, name),
                            f'{_WORDS[kind][0]}: {kind} "{name}" is also declared in '
                            f"{os.path.basename(table[name].file.path)}; terraform plan fails",
                        )
                    table[name] = Located(body, f, (kind, name))
        for block in _blocks(f.data.get("locals")):
            for name, value in block.items():
                if name in self.locals:
                    self._error(
                        f,
                        ("locals", name),
                        f"{_WORDS['locals'][0]}: local.{name} is also defined in "
                        f"{os.path.basename(self.locals[name].file.path)}; terraform plan fails",
                    )
                self.locals[name] = Located(value, f, ("locals", name))
        for block in _blocks(f.data.get("resource")):
            for rtype, named in block.items():
                if not isinstance(named, dict):
                    continue
                for name, body in named.items():
                    if any(r == rtype and n == name for r, n, _ in self.resources):
                        self._error(
                            f,
                            ("resource", rtype, name),
                            f'{_WORDS["resource"][0]}: resource "{rtype}" "{name}" is declared twice; '
                            "terraform plan fails",
                        )
                        continue
                    self.resources.append((rtype, name, Located(body, f, ("resource", rtype, name))))
        for block in _blocks(f.data.get("module")):
            for name, body in block.items():
                if any(n == name for n, _ in self.calls):
                    self._error(
                        f,
                        ("module", name),
                        f'{_WORDS["module"][0]}: module "{name}" is called twice; terraform plan fails',
                    )
                    continue
                self.calls.append((name, Located(body, f, ("module", name))))
        for block in _blocks(f.data.get("provider")):
            for name, body in block.items():
                self.providers.append((name, Located(body, f, ("provider", name))))

    def _merge_override(self, f: ParsedFile) -> None:
        """Each block of an override file merged into the block of the same kind and name: its arguments
        replace the original's, a nested block type replaces all of the original's blocks of that type
        (``lifecycle`` argument by argument); a block with no original is an error."""
        missing = "; terraform plan fails (an override file only changes blocks declared elsewhere)"
        for kind, table in (("variable", self.variables), ("output", self.outputs)):
            for block in _blocks(f.data.get(kind)):
                for name, body in block.items():
                    if name not in table:
                        self._error(f, (kind, name), f'{_WORDS[kind][1]}: {kind} "{name}"{missing}')
                        continue
                    table[name] = _merged(table[name], body, f)
        for block in _blocks(f.data.get("locals")):
            for name, value in block.items():
                if name not in self.locals:
                    self._error(f, ("locals", name), f"{_WORDS['locals'][1]}: local.{name}{missing}")
                    continue
                self.locals[name] = Located(value, f, ("locals", name))
        for block in _blocks(f.data.get("resource")):
            for rtype, named in block.items():
                for name, body in named.items() if isinstance(named, dict) else ():
                    at = next(
                        (i for i, (r, n, _) in enumerate(self.resources) if (r, n) == (rtype, name)), None
                    )
                    if at is None:
                        self._error(
                            f,
                            ("resource", rtype, name),
                            f'{_WORDS["resource"][1]}: resource "{rtype}" "{name}"{missing}',
                        )
                        continue
                    self.resources[at] = (rtype, name, _merged(self.resources[at][2], body, f))
        for block in _blocks(f.data.get("module")):
            for name, body in block.items():
                at = next((i for i, (n, _) in enumerate(self.calls) if n == name), None)
                if at is None:
                    self._error(f, ("module", name), f'{_WORDS["module"][1]}: module "{name}"{missing}')
                    continue
                self.calls[at] = (name, _merged(self.calls[at][1], body, f))
        for block in _blocks(f.data.get("provider")):
            for name, body in block.items():
                alias = body.get("alias") if isinstance(body, dict) else None
                at = next(
                    (
                        i
                        for i, (n, loc) in enumerate(self.providers)
                        if n == name and isinstance(loc.value, dict) and loc.value.get("alias") == alias
                    ),
                    None,
                )
                if at is not None:
                    self.providers[at] = (name, _merged(self.providers[at][1], body, f))


def _file_order(f: ParsedFile) -> str:
    return os.path.basename(f.path)


def _merged(base: Located, body: Any, f: ParsedFile) -> Located:
    """An override block merged into its original as Terraform's ``mergeBody`` does
    (``internal/configs/module_merge_body.go``): an argument replaces the original's; a nested block
    type the override writes, static or as ``dynamic "type"``, hides all of the original's blocks of that
    type, static and dynamic; the original's other dynamic blocks are kept."""
    original = base.value if isinstance(base.value, dict) else {}
    override = body if isinstance(body, dict) else {}
    added = _blocks(override.get("dynamic"))
    labels = {label for d in added for label in d}
    value = {name: v for name, v in original.items() if name != "dynamic" and name not in labels}
    value.update((name, v) for name, v in override.items() if name != "dynamic")
    hidden = labels | {name for name in override if name != "dynamic"}
    kept = [{k: v for k, v in d.items() if k not in hidden} for d in _blocks(original.get("dynamic"))]
    dynamic = [d for d in kept if d] + added
    if dynamic:
        value["dynamic"] = dynamic
    if "lifecycle" in original and "lifecycle" in override:
        old, new = _blocks(original["lifecycle"]), _blocks(override["lifecycle"])
        value["lifecycle"] = [{**(old[0] if old else {}), **(new[0] if new else {})}]
    written = {**base.overridden, **{name: f for name in hidden}}
    return Located(value, base.file, base.key, written)
