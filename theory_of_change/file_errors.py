"""French explanations of what is wrong in a project file.

A project file is edited by hand by people who are not programmers, so every problem
found while loading it — a YAML or JSON syntax error, a value of the wrong type, a typo in
a key, a link to an id that does not exist — becomes a :class:`FileProblem`: where it is
(``changes[3].preconditions[0]``, and the line when we know it) and why, in French.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from .model import DanglingReferences, Link, Project
from .slugs import SLUG_PATTERN, slugify

PathItem = str | int


@dataclass(frozen=True)
class FileProblem:
    """One problem of a project file: where (``path``, ``line``) and why (``reason``)."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"ligne {self.line} : " if self.line is not None else ""
        if self.path:
            return f"{where}{self.path} → {self.reason}"
        return f"{where}{self.reason}"


class ProjectFileError(Exception):
    """A project file cannot be read or saved; ``problems`` says why, in French."""

    def __init__(self, problems: Sequence[FileProblem], source: str | None = None) -> None:
        # Sorted by line so the list reads like the file; problems without a line go last.
        self.problems: list[FileProblem] = sorted(
            problems, key=lambda p: (p.line is None, p.line or 0)
        )
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


def format_path(path: Iterable[PathItem]) -> str:
    """Write a location as users read it: ``changes[3].preconditions[0]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


# --- Lines of the YAML tree ------------------------------------------------------------------


def line_of(root: yaml.Node | None, path: Sequence[PathItem], missing: bool = False) -> int | None:
    """The 1-based line of ``path`` in a composed YAML tree.

    A key's line is the line where the key is written. For a missing key (``missing``),
    it is the line where the mapping that should hold it starts. When the path goes
    further than the tree (a value of the wrong shape), the deepest node found is used.
    """
    if root is None:
        return None
    node: yaml.Node = root
    line = node.start_mark.line + 1
    for index, part in enumerate(path):
        is_last = index == len(path) - 1
        if missing and is_last:
            return node.start_mark.line + 1
        child = _child(node, part)
        if child is None:
            return line
        key_node, node = child
        line = (key_node or node).start_mark.line + 1
    return line


def _child(node: yaml.Node, part: PathItem) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                return key_node, value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        if 0 <= part < len(node.value):
            return None, node.value[part]
    return None


# --- Syntax errors ---------------------------------------------------------------------------

# Substrings of PyYAML's messages (pure Python and libyaml spell them differently) and
# what they usually mean for someone who edits the file by hand.
_YAML_HINTS: tuple[tuple[str, str], ...] = (
    (
        "mapping values are not allowed",
        "deux-points « : » inattendu : un texte qui contient « : » doit être mis entre "
        "guillemets (ou écrit en bloc après « | »), ou bien l'indentation est incorrecte",
    ),
    (
        "could not find expected ':'",
        "il manque le deux-points « : » après une clé, ou une ligne de texte est mal indentée",
    ),
    (
        "found unexpected end of stream",
        "un guillemet est ouvert ici mais n'est jamais refermé",
    ),
    (
        "expected ',' or ']'",
        "liste entre crochets non refermée : il manque « ] » ou une virgule",
    ),
    (
        "expected ',' or '}'",
        "bloc entre accolades non refermé : il manque « } » ou une virgule",
    ),
    (
        "did not find expected '-' indicator",
        "élément de liste mal aligné : chaque élément commence par « - » au même retrait",
    ),
    (
        "did not find expected key",
        "indentation incohérente : les clés d'un même bloc doivent être alignées exactement",
    ),
    (
        "expected <block end>",
        "indentation incohérente : les clés (ou les « - ») d'un même bloc doivent être "
        "alignées exactement",
    ),
    (
        "found undefined alias",
        "un texte qui commence par « * » doit être mis entre guillemets",
    ),
    (
        "found unknown escape character",
        "barre oblique « \\ » inconnue entre guillemets doubles : doublez-la (« \\\\ ») "
        "ou utilisez des guillemets simples",
    ),
    (
        "could not determine a constructor for the tag",
        "un texte qui commence par « ! » doit être mis entre guillemets",
    ),
    (
        "but found another document",
        "le fichier contient plusieurs documents séparés par « --- » : un projet tient "
        "dans un seul document",
    ),
    (
        "maximum nesting depth",
        "le fichier est imbriqué trop profondément",
    ),
    (
        "while scanning a block scalar",
        "bloc de texte « | » mal formé : le texte doit commencer à la ligne suivante, en retrait",
    ),
)


def yaml_syntax_problem(error: yaml.YAMLError, text: str) -> FileProblem:
    """Explain a PyYAML error in French, with the line the parser points at."""
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(error.position, 0)) + 1
        return FileProblem(
            path="",
            reason=f"caractère interdit dans un fichier texte (code U+{error.character:04X})"
            if isinstance(error.character, int)
            else "caractère interdit dans un fichier texte",
            line=line,
        )
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    problem_mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    mark = problem_mark
    if "end of stream" in problem and "quoted" in context and context_mark is not None:
        # Pointing at the end of the file helps nobody: show where the quote opened.
        mark = context_mark
    line = mark.line + 1 if mark is not None else None

    if "cannot start any token" in problem or "tab character" in problem:
        reason = _token_hint(text, problem_mark)
    else:
        hint = next((hint for key, hint in _YAML_HINTS if key in problem), None)
        reason = hint or f"le fichier YAML est mal formé ({problem})"
    return FileProblem(path="", reason=f"syntaxe YAML invalide : {reason}", line=line)


def _token_hint(text: str, mark: Any) -> str:
    character = ""
    if mark is not None:
        lines = text.splitlines()
        if 0 <= mark.line < len(lines) and 0 <= mark.column < len(lines[mark.line]):
            character = lines[mark.line][mark.column]
    if character == "\t" or (mark is not None and "\t" in _line(text, mark.line)):
        return "tabulation interdite pour le retrait : indentez avec des espaces"
    shown = f"« {character} » " if character.strip() else ""
    return (
        f"une valeur ne peut pas commencer par le caractère {shown}: "
        "mettez le texte entre guillemets"
    )


def _line(text: str, index: int) -> str:
    lines = text.splitlines()
    return lines[index] if 0 <= index < len(lines) else ""


_JSON_HINTS: tuple[tuple[str, str], ...] = (
    ("Expecting ',' delimiter", "il manque une virgule entre deux éléments"),
    (
        "Expecting property name enclosed in double quotes",
        "nom de clé attendu entre guillemets doubles (ou virgule en trop avant « } »)",
    ),
    ("Expecting ':' delimiter", "il manque le deux-points « : » après une clé"),
    ("Expecting value", "valeur attendue (virgule en trop, ou valeur manquante)"),
    ("Unterminated string", "un guillemet est ouvert ici mais n'est jamais refermé"),
    ("Extra data", "contenu en trop après la fin du projet"),
    (
        "Invalid control character",
        "caractère de contrôle dans un texte : un retour à la ligne s'écrit \\n",
    ),
    ("Invalid \\escape", "barre oblique « \\ » inconnue : doublez-la (« \\\\ »)"),
)


def json_syntax_problem(error: json.JSONDecodeError) -> FileProblem:
    """Explain a JSON syntax error in French, with its line."""
    hint = next((hint for key, hint in _JSON_HINTS if error.msg.startswith(key)), None)
    reason = hint or f"le fichier JSON est mal formé ({error.msg})"
    return FileProblem(path="", reason=f"syntaxe JSON invalide : {reason}", line=error.lineno)


# --- Validation errors -----------------------------------------------------------------------

_NOUNS = {
    "float_type": "un nombre",
    "float_parsing": "un nombre",
    "int_type": "un nombre entier",
    "int_parsing": "un nombre entier",
    "int_from_float": "un nombre entier",
    "string_type": "un texte",
    "bool_type": "vrai ou faux (true ou false)",
    "bool_parsing": "vrai ou faux (true ou false)",
    "list_type": "une liste",
    "dict_type": "un bloc de clés",
    "model_type": "un bloc de clés",
    "model_attributes_type": "un bloc de clés",
    "datetime_type": "une date et heure",
    "datetime_parsing": "une date et heure",
    "datetime_from_date_parsing": "une date et heure",
    "date_type": "une date",
    "date_parsing": "une date",
    "date_from_datetime_parsing": "une date",
    "none_required": "une valeur vide",
}

_EXPECTED_VALUES = re.compile(r"'([^']*)'")


def validation_problems(
    error: ValidationError, data: Any, root: yaml.Node | None = None
) -> list[FileProblem]:
    """Translate a pydantic ``ValidationError`` on project data into French problems.

    ``data`` is what was validated (to clean pydantic's locations, which also name the
    members of unions) and ``root`` the composed YAML tree (for line numbers), if any.
    """
    grouped: dict[tuple[PathItem, ...], list[dict[str, Any]]] = {}
    problems: list[FileProblem] = []
    for item in error.errors(include_url=False):
        ctx = item.get("ctx") or {}
        dangling = ctx.get("error")
        if item["type"] == "value_error" and isinstance(dangling, DanglingReferences):
            for path, reason in dangling.problems:
                problems.append(
                    FileProblem(path=format_path(path), reason=reason, line=line_of(root, path))
                )
            continue
        path = _clean_location(item["loc"], data, keep_missing=item["type"] == "missing")
        grouped.setdefault(path, []).append(item)

    for path, items in grouped.items():
        missing = any(item["type"] == "missing" for item in items)
        line = line_of(root, path, missing=missing)
        for reason in _reasons(path, items, data):
            problems.append(FileProblem(path=format_path(path), reason=reason, line=line))
    return problems


def _clean_location(
    loc: Sequence[PathItem], data: Any, keep_missing: bool
) -> tuple[PathItem, ...]:
    """Keep the parts of a pydantic location that are real keys or indexes of ``data``.

    Pydantic adds the union member it tried (``float``, ``str``, ``quantitative``…) to the
    location; those are not in the file, so they are dropped by walking the data.
    """
    path: list[PathItem] = []
    current = data
    for index, part in enumerate(loc):
        if isinstance(current, dict) and part in current:
            # A key is a name even when YAML read it as a number (``1:``) or a boolean.
            path.append(part if isinstance(part, str) else str(part).lower())
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            path.append(part)
            current = current[part]
        elif keep_missing and index == len(loc) - 1 and isinstance(current, dict):
            path.append(part)
    return tuple(path)


def _reasons(
    path: tuple[PathItem, ...], items: list[dict[str, Any]], data: Any
) -> list[str]:
    if len(items) > 1 and all(item["type"] in _NOUNS for item in items):
        # Several members of a union refused the value: say once what would be accepted.
        nouns = list(dict.fromkeys(_NOUNS[item["type"]] for item in items))
        if "un nombre" in nouns and "un nombre entier" in nouns:
            nouns.remove("un nombre entier")
        expected = " ou ".join(nouns)
        return [f"il faut {expected} ici, pas {_describe(items[0]['input'])}"]
    reasons = [_reason(path, item, data) for item in items]
    return list(dict.fromkeys(reasons))


def _reason(path: tuple[PathItem, ...], item: dict[str, Any], data: Any) -> str:
    kind: str = item["type"]
    ctx: dict[str, Any] = item.get("ctx") or {}
    value = item.get("input")
    key = path[-1] if path else ""

    if kind == "missing":
        return f"champ obligatoire absent : ajoutez une ligne « {key}: … » dans ce bloc"
    if kind == "extra_forbidden":
        return _unknown_key(path, data)
    if kind == "string_pattern_mismatch":
        return _pattern_reason(ctx.get("pattern", ""), value)
    if kind in ("enum", "literal_error"):
        return _choice_reason(value, _EXPECTED_VALUES.findall(str(ctx.get("expected", ""))))
    if kind == "union_tag_invalid":
        tags = _EXPECTED_VALUES.findall(str(ctx.get("expected_tags", "")))
        return _choice_reason(ctx.get("tag"), tags, what="kind")
    if kind == "union_tag_not_found":
        return (
            "la clé « kind » est obligatoire ici : « quantitative » pour un chiffre, "
            "« qualitative » pour une parole recueillie"
        )
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return "ce champ ne peut pas être vide"
        return f"texte trop court : au moins {ctx.get('min_length')} caractères"
    if kind == "string_too_long":
        length = len(value) if isinstance(value, str) else "?"
        return (
            f"texte trop long : {ctx.get('max_length')} caractères au plus (ici {length}) ; "
            "un texte long va dans un champ de description"
        )
    if kind == "too_short":
        return f"liste trop courte : au moins {ctx.get('min_length')} élément(s)"
    if kind == "too_long":
        return f"liste trop longue : au plus {ctx.get('max_length')} élément(s)"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return _bound_reason(kind, ctx, value)
    if kind == "model_type" and ctx.get("class_name") == Link.__name__:
        return (
            f"lien invalide ({_describe(value)}) : écrivez l'identifiant visé "
            "(par exemple « chg-familles-informees ») ou un bloc avec « to » et « hypothesis »"
        )
    if kind in ("int_parsing", "int_type", "int_from_float", "float_parsing", "float_type"):
        return _number_reason(kind, value)
    if kind == "string_type":
        reason = f"il faut un texte ici, pas {_describe(value)}"
        if isinstance(value, int | float | bool | dt.date):
            # YAML read "2025", "oui" or "2025-06-03" as a number, a boolean or a date.
            reason += " ; si c'est bien ce que vous voulez écrire, mettez-le entre guillemets"
        return reason
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error") or item["msg"])
    if kind == "recursion_loop":
        return "structure récursive : un alias YAML (« *… ») se contient lui-même"
    if kind == "int_parsing_size":
        return "nombre trop grand"
    if kind == "finite_number":
        return "un nombre fini est attendu"
    if kind == "invalid_key":
        return "clé invalide : une clé est un nom (title, statement…), pas un nombre ni true/false"
    if kind.startswith(("datetime", "date")):
        return (
            f"date invalide ({_describe(value)}) : écrivez-la au format "
            "2025-06-03 ou 2025-06-03T14:30:00"
        )
    if kind in _NOUNS:
        return f"il faut {_NOUNS[kind]} ici, pas {_describe(value)}"
    # A pydantic error type we did not foresee: stay French, keep the detail for support.
    return f"valeur refusée ({_describe(value)}) — détail technique : {item['msg']}"


def _unknown_key(path: tuple[PathItem, ...], data: Any) -> str:
    key = str(path[-1]) if path else ""
    fields = _fields_at(path[:-1], data)
    reason = f"clé inconnue « {key} » : elle n'existe pas à cet endroit"
    if fields:
        close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
        if close:
            return f"{reason}. Vouliez-vous dire « {close[0]} » ?"
        return f"{reason} (clés possibles : {', '.join(fields)})"
    return reason


def _pattern_reason(pattern: str, value: Any) -> str:
    if pattern == SLUG_PATTERN:
        suggestion = slugify(value) if isinstance(value, str) else None
        hint = f" ; par exemple « {suggestion} »" if suggestion else ""
        return (
            f"identifiant invalide « {value} » : un identifiant ne contient que des lettres "
            "minuscules sans accent, des chiffres et des tirets, sans espace ni tiret au "
            f"début ou à la fin{hint}"
        )
    if "[0-9AB]" in pattern:
        return f"code INSEE invalide « {value} » : cinq caractères, par exemple « 44131 »"
    return f"format invalide « {value} »"


def _choice_reason(value: Any, accepted: list[str], what: str = "valeur") -> str:
    listed = ", ".join(f"« {choice} »" for choice in accepted)
    label = "type" if what == "kind" else "valeur"
    reason = f"{label} « {value} » inconnue ; valeurs acceptées : {listed}"
    if isinstance(value, str):
        close = difflib.get_close_matches(value.lower(), accepted, n=1, cutoff=0.6)
        if close:
            reason += f". Vouliez-vous dire « {close[0]} » ?"
    return reason


def _bound_reason(kind: str, ctx: dict[str, Any], value: Any) -> str:
    shown = _describe(value)
    if kind == "greater_than_equal":
        return f"valeur trop petite ({shown}) : au moins {ctx.get('ge')}"
    if kind == "greater_than":
        return f"valeur trop petite ({shown}) : plus de {ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"valeur trop grande ({shown}) : au plus {ctx.get('le')}"
    return f"valeur trop grande ({shown}) : moins de {ctx.get('lt')}"


def _number_reason(kind: str, value: Any) -> str:
    noun = "un nombre" if kind.startswith("float") else "un nombre entier"
    reason = f"il faut {noun} ici, pas {_describe(value)}"
    if isinstance(value, str):
        if re.fullmatch(r"\s*-?\d+,\d+\s*", value):
            written = value.strip().replace(",", ".")
            reason += f" ; les décimales s'écrivent avec un point : {written}"
        elif re.fullmatch(r"\s*\d{1,3}(?:[\s\u00a0\u202f]\d{3})+\s*", value):
            written = re.sub(r"\s", "", value)
            reason += f" ; écrivez le nombre sans espace : {written}"
        elif value.strip().lower() in {"xxx", "xx", "x", "s", "nc", "?"}:
            reason += " ; pour une valeur inconnue, laissez le champ vide ou supprimez la ligne"
    return reason


def _describe(value: Any) -> str:
    """Say in French what the file holds, to show next to the reason."""
    if value is None:
        return "valeur vide"
    if isinstance(value, bool):
        return f"la valeur logique {'true' if value else 'false'}"
    if isinstance(value, int | float):
        return f"le nombre {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:39] + "…"
        return f"le texte « {shown} »"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, dict):
        return "un bloc de clés"
    if isinstance(value, dt.datetime | dt.date):
        return f"la date {value.isoformat()}"
    return type(value).__name__


# --- Which keys are allowed where ------------------------------------------------------------


def _fields_at(path: Sequence[PathItem], data: Any) -> list[str]:
    """The keys the model accepts at ``path`` (for "did you mean…?"), if we can tell."""
    current_type: Any = Project
    current_data = data
    for part in path:
        current_type = _resolve(current_type, current_data)
        if isinstance(part, int):
            if get_origin(current_type) is not list:
                return []
            current_type = get_args(current_type)[0]
            current_data = _get(current_data, part)
        else:
            if not _is_model(current_type) or part not in current_type.model_fields:
                return []
            current_type = current_type.model_fields[part].annotation
            current_data = _get(current_data, part)
    current_type = _resolve(current_type, current_data)
    if _is_model(current_type):
        return list(current_type.model_fields)
    return []


def _resolve(annotation: Any, data: Any) -> Any:
    """Unwrap ``Annotated`` and optional types; pick the union member the data describes."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _resolve(get_args(annotation)[0], data)
    if origin in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        models = [_resolve(member, data) for member in members]
        models = [model for model in models if _is_model(model)]
        if len(members) == 1:
            return _resolve(members[0], data)
        kind = data.get("kind") if isinstance(data, dict) else None
        for model in models:
            field = model.model_fields.get("kind")
            if field is not None and field.default == kind:
                return model
        return models[0] if len(models) == 1 else None
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _get(data: Any, part: PathItem) -> Any:
    if isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data):
        return data[part]
    if isinstance(data, dict):
        return data.get(part)
    return None
