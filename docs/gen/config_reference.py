"""The config reference, generated from the JSON schema and the typed dataclasses.

Types, bounds, allowed values and descriptions come from the schema the loader
validates with (`surrogate/config/config.schema.yaml`, as
`surrogate.config.loader.load_schema` returns it); defaults come from the dataclasses
the loader builds (the schema holds no defaults). A schema section is matched to
the dataclass whose field names it shares most, so a dataclass that moves
between modules is still found.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re

TOP_LEVEL = "top level"
# Modules that may hold dataclasses the config is read into, besides every module of
# surrogate.config (the model section's settings have lived with the trainer).
EXTRA_MODULES = ("surrogate.node.training",)
PARENTHESIS = re.compile(r"\(([^()]{1,12})\)")
# The units descriptions state, in brackets or as the description's first word.
UNITS = {"m", "s", "min", "Hz", "K", "T", "rad", "ohm", "MB", "A/m", "A/m2", "J/m", "J/m2",
         "J/m3", "model steps"}


def load_schema() -> dict:
    """The config schema as the loader validates with it (the file, completed by the
    loader from any registry it must not repeat)."""
    from surrogate.config.loader import load_schema as loader_schema

    return loader_schema()


def sections(schema: dict) -> dict[str, dict]:
    """Every schema object with properties: the top level, then each `$defs` entry."""
    found = {TOP_LEVEL: schema}
    for name, definition in schema["$defs"].items():
        if isinstance(definition, dict) and "properties" in definition:
            found[name] = definition
    return found


def _resolve(schema: dict, entry: dict) -> dict:
    """`entry` with a `$ref` replaced by its target (the entry's own keys win)."""
    if "$ref" not in entry:
        return entry
    target: dict = schema
    for part in entry["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    merged = {**_resolve(schema, target), **{k: v for k, v in entry.items() if k != "$ref"}}
    merged["_ref"] = entry["$ref"].rsplit("/", 1)[-1]
    return merged


def _type(entry: dict, section_names: set[str]) -> str:
    if entry.get("_ref") in section_names:
        return f"[{entry['_ref']}](#{_anchor(entry['_ref'])})"
    kind = entry.get("type")
    if "const" in entry:
        kind = kind or type(entry["const"]).__name__.replace("str", "string")
    if "enum" in entry and kind is None:
        kind = "string" if all(isinstance(v, str) for v in entry["enum"]) else "number"
    if "oneOf" in entry:
        kind = " or ".join(_type(option, section_names) for option in entry["oneOf"])
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array":
        items = entry.get("items", {})
        count = ""
        if entry.get("minItems") is not None and entry.get("minItems") == entry.get("maxItems"):
            count = f"{entry['minItems']} × "
        elif entry.get("minItems"):
            count = f"≥ {entry['minItems']} × "
        inner = _type(items, section_names) if isinstance(items, dict) else "value"
        return f"array of {count}{inner}"
    if kind == "object" and "additionalProperties" in entry and "properties" not in entry:
        return "mapping"
    return kind or "object"


def _allowed(entry: dict) -> str:
    parts = []
    if "enum" in entry:
        parts.append(", ".join(f"`{value}`" for value in entry["enum"]))
    if "const" in entry:
        parts.append(f"`{entry['const']}`")
    for key, symbol in (("minimum", "≥"), ("exclusiveMinimum", ">"),
                        ("maximum", "≤"), ("exclusiveMaximum", "<")):
        if key in entry and not isinstance(entry[key], bool):
            parts.append(f"{symbol} {entry[key]:g}")
    if "pattern" in entry:
        parts.append(f"matches `{entry['pattern']}`")
    items = entry.get("items")
    if isinstance(items, dict) and entry.get("type") == "array":
        inner = _allowed(items)
        if inner:
            parts.append(f"each {inner}")
    return "; ".join(parts)


def docstring_unit(cls: type | None, name: str) -> str:
    """The unit a dataclass's docstring gives a field, as `name (unit)` or `` `name` (unit)``."""
    if cls is None or not cls.__doc__:
        return ""
    text = " ".join(cls.__doc__.split())
    for candidate in re.findall(rf"`?\b{re.escape(name)}\b`? \(([^()]{{1,12}})\)", text):
        if candidate in UNITS:
            return candidate
    return ""


def unit(entry: dict) -> str:
    """The SI unit a description states: `(J/m3)` in it, or a unit as its first word."""
    description = " ".join(str(entry.get("description", "")).split())
    stated = {candidate for candidate in PARENTHESIS.findall(description) if candidate in UNITS}
    if len(stated) == 1:
        return stated.pop()
    if stated:  # several parameters' units: the field names a parameter, it has no unit
        return ""
    first = description.split(" ", 1)[0] if description else ""
    if first in UNITS:
        return first
    if "the parameter's SI unit" in description:
        return "the driven parameter's"
    return ""


def _dataclasses() -> list[type]:
    import surrogate.config as config_package

    names = [f"surrogate.config.{info.name}"
             for info in pkgutil.iter_modules(config_package.__path__)]
    found: dict[str, type] = {}
    for module_name in (*names, *EXTRA_MODULES):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for value in vars(module).values():
            if dataclasses.is_dataclass(value) and isinstance(value, type):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def matching_dataclass(properties: dict, candidates: list[type]) -> type | None:
    """The dataclass sharing most field names with `properties` (at least half of both)."""
    best, best_score = None, 0.5
    names = set(properties)
    for candidate in candidates:
        fields = {field.name for field in dataclasses.fields(candidate)}
        score = len(names & fields) / len(names | fields)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _default(cls: type | None, name: str) -> str:
    if cls is None:
        return ""
    for field in dataclasses.fields(cls):
        if field.name != name:
            continue
        if field.default is not dataclasses.MISSING:
            value = field.default
        elif field.default_factory is not dataclasses.MISSING:
            value = field.default_factory()
        else:
            return ""
        if dataclasses.is_dataclass(value):
            return "(see section)"
        if isinstance(value, tuple):
            value = list(value)
        return f"`{'null' if value is None else value}`"
    return ""


def _anchor(section: str) -> str:
    return section.replace(" ", "-").replace("_", "-").lower()


def _cell(text: object) -> str:
    cell = " ".join(str(text).split()).replace("|", "\\|")
    return cell.replace("{", "&#123;").replace("}", "&#125;")  # not attribute lists


def render(schema: dict) -> str:
    """The Markdown page: one table per schema section, one row per field."""
    candidates = _dataclasses()
    found = sections(schema)
    lines = [
        "# Configuration reference",
        "",
        "Generated at build time from `surrogate/config/config.schema.yaml` (types, bounds, "
        "allowed values, descriptions) and the dataclasses the loader builds (defaults). "
        "Units are SI; a unit column left empty means dimensionless, a count, or a name. "
        "A field with neither a default nor *required* takes its value from elsewhere "
        "(a device's pipeline keys fall back to the top-level ones).",
        "",
    ]
    for name, section in found.items():
        cls = matching_dataclass(section["properties"], candidates)
        required = set(section.get("required", []))
        lines += [f"## `{name}` {{#{_anchor(name)}}}", ""]
        if section.get("description"):
            lines += [_cell(section["description"]), ""]
        if cls is not None:
            lines += [f"Read into `{cls.__module__}.{cls.__qualname__}`.", ""]
        lines += ["| field | type | unit | default | allowed | meaning |",
                  "|---|---|---|---|---|---|"]
        for field_name, raw in section["properties"].items():
            entry = _resolve(schema, raw)
            kind = _type(entry, set(found))
            # a name or a choice has no unit, even where its description names units
            field_unit = "" if kind in ("string", "boolean") else (
                unit(entry) or docstring_unit(cls, field_name))
            default = "*required*" if field_name in required else _default(cls, field_name)
            lines.append(
                f"| `{field_name}` | {_cell(kind)} | {_cell(field_unit)} "
                f"| {_cell(default)} | {_cell(_allowed(entry))} "
                f"| {_cell(entry.get('description', ''))} |")
        lines.append("")
    return "\n".join(lines)


def build() -> str:
    """The page for the repository's schema."""
    return render(load_schema())
