"""Project files: one project = one YAML file (or JSON), readable, diffable, exact.

The YAML is written for people: keys in the model's order, accents kept, multi-line texts
as ``|`` blocks, no line folding (a one-word edit changes one line of the diff), and
``schema_version`` first. Loading a bad file never raises anything but
:class:`ProjectFileError`, whose problems say in French where and what is wrong.
Saving is atomic: a crash while writing never leaves half a file.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from .file_errors import (
    FileProblem,
    PathItem,
    ProjectFileError,
    format_path,
    json_syntax_problem,
    validation_problems,
    yaml_syntax_problem,
)
from .model import SCHEMA_VERSION, Project

__all__ = [
    "FileProblem",
    "ProjectFileError",
    "atomic_write",
    "dumps_project",
    "file_format",
    "load_project",
    "loads_project",
    "save_project",
]

Format = Literal["yaml", "json"]
FORMATS: dict[str, Format] = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}

# libyaml is much faster at parsing; we only ever parse with it (when present), while
# writing always goes through the pure-Python emitter so the text is the same everywhere.
_FastSafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --- Public API ------------------------------------------------------------------------------


def file_format(path: str | os.PathLike[str]) -> Format:
    """The format of a project file from its extension (``.yaml``, ``.yml``, ``.json``)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        shown = f"« {suffix} »" if suffix else "aucune"
        raise ProjectFileError(
            [
                FileProblem(
                    path="",
                    reason=f"extension {shown} non prise en charge : un projet est un fichier "
                    ".yaml, .yml ou .json",
                )
            ],
            source=str(path),
        )
    return FORMATS[suffix]


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read and validate a project file; raise :class:`ProjectFileError` if it is bad."""
    path = Path(path)
    fmt = file_format(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ProjectFileError([_os_problem(error, path, "lire")], source=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        byte = raw[error.start : error.start + 1].hex().upper()
        problem = FileProblem(
            path="",
            reason=f"le fichier n'est pas enregistré en UTF-8 (octet 0x{byte} illisible) : "
            "réenregistrez-le en UTF-8 depuis votre éditeur de texte",
            line=line,
        )
        raise ProjectFileError([problem], source=str(path)) from None
    return loads_project(text, fmt, source=str(path))


def loads_project(text: str, fmt: Format = "yaml", *, source: str | None = None) -> Project:
    """Parse and validate a project from text (``fmt`` is ``"yaml"`` or ``"json"``).

    ``source`` names the file in the :class:`ProjectFileError` raised when the text is bad.
    """
    if fmt == "yaml":
        data, root, duplicates = _parse_yaml(text, source)
    elif fmt == "json":
        data, root, duplicates = _parse_json(text, source)
    else:
        raise ValueError(f"unknown project file format: {fmt!r}")
    if duplicates:
        raise ProjectFileError(duplicates, source=source)

    shape = _shape_problems(data, root)
    if shape:
        raise ProjectFileError(shape, source=source)
    try:
        return Project.model_validate(data)
    except ValidationError as error:
        if root is None and fmt == "json":
            root = _compose_quietly(text)
        raise ProjectFileError(validation_problems(error, data, root), source=source) from None


def dumps_project(project: Project, fmt: Format = "yaml") -> str:
    """Write a project as YAML (the default) or JSON text; loading it gives it back exactly."""
    data = project.model_dump(mode="json", exclude_defaults=True)
    # Tags equal their defaults, so exclude_defaults dropped them: put them back.
    _restore_tags(project, data)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.dump(
            data,
            Dumper=_ProjectDumper,
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=False,
            width=1_000_000,
        )
    raise ValueError(f"unknown project file format: {fmt!r}")


def save_project(project: Project, path: str | os.PathLike[str]) -> Path:
    """Save a project atomically, in the format its extension names; return the path."""
    path = Path(path)
    text = dumps_project(project, file_format(path))
    return atomic_write(path, text.encode("utf-8"))


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    ``os.replace`` swaps the complete file in one step, so readers (and a crash) see the
    old file or the new one, never half of one. An existing file keeps its permissions.
    Raise :class:`ProjectFileError` with a French reason when the file cannot be written.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else None
        temporary = _create_temporary(path)
    except OSError as error:
        raise ProjectFileError([_os_problem(error, path, "écrire")], source=str(path)) from None
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ProjectFileError([_os_problem(error, path, "écrire")], source=str(path)) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)
    return path


def _restore_tags(model: BaseModel, data: Any) -> None:
    """Put back, in field order, the one-value ``Literal`` fields ``exclude_defaults`` drops.

    Such a field is a tag — ``schema_version``, the ``kind`` that tells quantitative from
    qualitative evidence — and a file without it cannot be read back.
    """
    if not isinstance(data, dict):
        return  # a model written in a shorter form, such as a link as a bare id
    tags = _tag_fields(type(model))
    if any(name not in data for name in tags):
        ordered = {
            name: data[name] if name in data else getattr(model, name)
            for name in type(model).model_fields
            if name in data or name in tags
        }
        data.clear()
        data.update(ordered)
    for name, value in data.items():
        attribute = getattr(model, name)
        if isinstance(attribute, BaseModel):
            _restore_tags(attribute, value)
        elif isinstance(attribute, list) and isinstance(value, list):
            for item, item_data in zip(attribute, value, strict=True):
                if isinstance(item, BaseModel):
                    _restore_tags(item, item_data)


@functools.cache
def _tag_fields(model_class: type[BaseModel]) -> frozenset[str]:
    return frozenset(
        name
        for name, field in model_class.model_fields.items()
        if get_origin(field.annotation) is Literal and len(get_args(field.annotation)) == 1
    )


# --- YAML and JSON parsing -------------------------------------------------------------------


class _ProjectLoader(_FastSafeLoader):  # type: ignore[misc, valid-type]
    """Safe loader that records duplicate keys instead of silently keeping the last one."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[yaml.Node, yaml.Node]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, yaml.Node] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            if key_node.value in seen:
                self.duplicate_keys.append((seen[key_node.value], key_node))
            else:
                seen[key_node.value] = key_node
        return super().construct_mapping(node, deep=deep)


Parsed = tuple[Any, yaml.Node | None, list[FileProblem]]


def _parse_yaml(text: str, source: str | None) -> Parsed:
    loader = _ProjectLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        raise ProjectFileError([yaml_syntax_problem(error, text)], source=source) from None
    except RecursionError:
        problem = FileProblem(path="", reason="le fichier est imbriqué trop profondément")
        raise ProjectFileError([problem], source=source) from None
    finally:
        loader.dispose()
    return data, root, _duplicate_problems(root, loader.duplicate_keys)


def _parse_json(text: str, source: str | None) -> Parsed:
    found_duplicates = False

    def refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal found_duplicates
        keys = [key for key, _ in pairs]
        found_duplicates = found_duplicates or len(set(keys)) != len(keys)
        return dict(pairs)

    try:
        data = json.loads(text.lstrip("\ufeff"), object_pairs_hook=refuse_duplicates)
    except json.JSONDecodeError as error:
        raise ProjectFileError([json_syntax_problem(error)], source=source) from None
    except RecursionError:
        problem = FileProblem(path="", reason="le fichier est imbriqué trop profondément")
        raise ProjectFileError([problem], source=source) from None
    if not found_duplicates:
        return data, None, []
    # JSON is YAML: the YAML composer finds the duplicates again, with their lines.
    loader = _ProjectLoader(text)
    try:
        root = loader.get_single_node()
        loader.construct_document(root)
        problems = _duplicate_problems(root, loader.duplicate_keys)
    except yaml.YAMLError:
        root, problems = None, []
    finally:
        loader.dispose()
    return data, root, problems or [
        FileProblem(path="", reason="une même clé apparaît deux fois dans un bloc")
    ]


def _compose_quietly(text: str) -> yaml.Node | None:
    """The YAML tree of a JSON text, for line numbers only (``None`` if it does not parse)."""
    loader = _FastSafeLoader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def _duplicate_problems(
    root: yaml.Node | None, duplicates: list[tuple[yaml.Node, yaml.Node]]
) -> list[FileProblem]:
    if not duplicates:
        return []
    paths = {id(node): path for path, node in _walk(root, ())} if root is not None else {}
    problems = []
    for first, again in duplicates:
        path = paths.get(id(again), ())
        problems.append(
            FileProblem(
                path=format_path(path),
                reason=f"la clé « {again.value} » apparaît deux fois dans le même bloc (déjà "
                f"ligne {first.start_mark.line + 1}) : gardez-en une seule",
                line=again.start_mark.line + 1,
            )
        )
    return problems


def _walk(
    node: yaml.Node, path: tuple[PathItem, ...]
) -> Iterator[tuple[tuple[PathItem, ...], yaml.Node]]:
    """Every key node of the tree with its path (to name where a duplicate key is)."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, str(key_node.value))
            yield child, key_node
            yield from _walk(value_node, child)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, (*path, index))


def _shape_problems(data: Any, root: yaml.Node | None) -> list[FileProblem]:
    """Problems that make the rest meaningless: not a project, or a format we cannot read."""
    if data is None:
        return [FileProblem(path="", reason="le fichier est vide", line=None)]
    if not isinstance(data, dict):
        return [
            FileProblem(
                path="",
                reason="le fichier doit décrire un projet, c'est-à-dire une suite de lignes "
                "« clé: valeur » (schema_version, id, title, territory…), et non une liste "
                "ou un texte seul",
                line=1,
            )
        ]
    line = _key_line(root, "schema_version")
    if "schema_version" not in data:
        return [
            FileProblem(
                path="schema_version",
                reason="absent : un projet Chemins commence par la ligne "
                f"« schema_version: {SCHEMA_VERSION} » (est-ce bien un projet Chemins ?)",
                line=1,
            )
        ]
    version = data["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return [
            FileProblem(
                path="schema_version",
                reason=f"version de format inconnue « {_scalar(version)} » : cette version de "
                f"Chemins lit le format {SCHEMA_VERSION}",
                line=line,
            )
        ]
    if version > SCHEMA_VERSION:
        return [
            FileProblem(
                path="schema_version",
                reason="ce fichier a été créé par une version plus récente de Chemins "
                f"(format {version}) ; cette version ne lit que le format {SCHEMA_VERSION} : "
                "mettez Chemins à jour pour l'ouvrir",
                line=line,
            )
        ]
    return []


def _scalar(value: Any) -> str:
    """A value as it is written in YAML (``true``, not Python's ``True``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _key_line(root: yaml.Node | None, key: str) -> int | None:
    if isinstance(root, yaml.MappingNode):
        for key_node, _ in root.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node.start_mark.line + 1
    return None


# --- YAML writing ----------------------------------------------------------------------------


class _ProjectDumper(yaml.SafeDumper):
    """Safe dumper that writes YAML the way people do: list items indented, double quotes."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def choose_scalar_style(self) -> str:
        # French is full of apostrophes, which single quotes must double (l''offre):
        # when a text cannot be written plain, double quotes read better.
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


_UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # A literal block keeps multi-line texts readable; PyYAML falls back to quotes by itself
    # when a block cannot hold the text exactly (trailing spaces, control characters). It
    # mishandles the Unicode line breaks in plain and single-quoted texts: escape them.
    if any(char in value for char in _UNICODE_BREAKS):
        style: str | None = '"'
    else:
        style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ProjectDumper.add_representer(str, _represent_str)


# --- File system -----------------------------------------------------------------------------


def _create_temporary(path: Path) -> Path:
    """Create an empty, unique temporary file next to ``path`` (default permissions)."""
    while True:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(descriptor)
        return temporary


def _sync_folder(folder: Path) -> None:
    # Makes the rename itself durable; not every platform lets us open a folder.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _os_problem(error: OSError, path: Path, action: Literal["lire", "écrire"]) -> FileProblem:
    """Explain a file-system error in French."""
    if isinstance(error, FileNotFoundError):
        if action == "lire":
            reason = f"fichier introuvable : « {path} »"
        else:
            reason = f"le dossier « {path.parent} » n'existe pas"
    elif isinstance(error, IsADirectoryError):
        reason = f"« {path} » est un dossier, pas un fichier"
    elif isinstance(error, PermissionError):
        reason = f"vous n'avez pas le droit de {action} « {path} »"
    elif error.errno == errno.ENOSPC:
        reason = f"le disque est plein : impossible d'enregistrer « {path} »"
    else:
        verb = "d'écrire" if action == "écrire" else "de lire"
        reason = f"impossible {verb} « {path} » ({error.strerror or error})"
    return FileProblem(path="", reason=reason)
