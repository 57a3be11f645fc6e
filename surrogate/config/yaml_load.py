"""YAML reading with a budget: hostile configuration files are refused before they are built.

PyYAML composes an alias as a reference to its anchor's node, so a "billion
laughs" document costs little to parse but explodes in every later walk over
it (the NaN scan, the schema, Snakemake's merge). `GuardedLoader` measures the
composed node graph before anything is constructed and refuses

- a document whose aliases expand beyond `MAX_EXPANDED_NODES` nodes,
- an alias used inside its own anchor (a recursive structure),
- two `<<` merge keys in one mapping (YAML keeps only the last),
- a key given twice in one mapping (YAML keeps the last),
- collections nested deeper than Python's recursion limit,

each naming the line. The check is linear in the size of the file.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from yaml.events import AliasEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, SequenceNode

# Nodes of a document with every alias written out: config.yaml has about 5,000; a
# billion-laughs file of a few hundred bytes has 10^9.
MAX_EXPANDED_NODES = 100_000
MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlBudgetError(yaml.YAMLError):
    """A YAML document refused for its aliases or merge keys; the message names the line."""


def _line(mark) -> str:
    return f"line {mark.line + 1}" if mark is not None else "an unknown line"


class GuardedLoader(yaml.SafeLoader):
    """YAML's safe loader with the checks of this module's docstring."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._open_anchors: set[str] = set()
        self._aliases: list[tuple[str, object, Node]] = []

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            if event.anchor in self._open_anchors:
                raise YamlBudgetError(
                    f"{_line(event.start_mark)}: alias *{event.anchor} is used inside its own "
                    "anchor (a recursive structure)")
            node = super().compose_node(parent, index)
            self._aliases.append((event.anchor, event.start_mark, node))
            return node
        anchor = event.anchor if isinstance(event, CollectionStartEvent) else None
        if anchor is not None:
            self._open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._open_anchors.discard(anchor)

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        merges = [key for key, _ in node.value if key.tag == MERGE_TAG]
        if len(merges) > 1:
            raise YamlBudgetError(
                f"{_line(merges[1].start_mark)}: a second '<<' merge key in one mapping "
                f"(the first is on {_line(merges[0].start_mark)}); YAML would keep only the "
                "last: merge several anchors with one key, `<<: [*a, *b]`")
        return node

    def compose_document(self):
        node = super().compose_document()
        self._check_expansion(node)
        return node

    def _check_expansion(self, root: Node | None) -> None:
        """Refuse a document whose aliases, written out, exceed MAX_EXPANDED_NODES nodes."""
        if root is None:
            return
        sizes = expanded_sizes(root)
        if sizes[id(root)] <= MAX_EXPANDED_NODES:
            return
        if not self._aliases:
            raise YamlBudgetError(
                f"{_line(root.start_mark)}: the document holds {sizes[id(root)]:,} nodes, more "
                f"than the {MAX_EXPANDED_NODES:,} allowed")
        anchor, mark, node = max(self._aliases, key=lambda alias: sizes[id(alias[2])])
        raise YamlBudgetError(
            f"{_line(mark)}: alias *{anchor} expands to {sizes[id(node)]:,} nodes; the "
            f"document written out would hold {sizes[id(root)]:,}, more than the "
            f"{MAX_EXPANDED_NODES:,} allowed (an alias bomb?)")

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def expanded_sizes(root: Node) -> dict[int, int]:
    """Node count of each node of a composed (acyclic) graph with every alias written
    out, keyed by id(node); each node is visited once."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done:
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_yaml_text(stream, source: str) -> object:
    """Parse YAML (a string or an open file) with GuardedLoader; errors are
    yaml.YAMLError whose message starts with `source`."""
    try:
        return yaml.load(stream, Loader=GuardedLoader)  # noqa: S506 - a SafeLoader subclass
    except YamlBudgetError as exc:
        raise YamlBudgetError(f"{source}: {exc}") from exc
    except RecursionError as exc:
        raise YamlBudgetError(f"{source}: collections nested too deeply to read") from exc


def load_yaml_file(path: str | os.PathLike) -> object:
    """A YAML file parsed with GuardedLoader (FileNotFoundError when absent)."""
    path = Path(path)
    with open(path, encoding="utf-8") as stream:
        return load_yaml_text(stream, str(path))


def check_yaml_files(paths: list[str | os.PathLike]) -> None:
    """Parse each existing file with GuardedLoader, for its errors only: run before a
    reader without a budget (Snakemake's `configfile:`) walks an alias bomb."""
    for path in paths:
        if Path(path).is_file():
            load_yaml_file(path)
