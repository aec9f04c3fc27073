"""YAML 1.1 merge keys (``<<: *anchor``, ``<<: [*a, *b]``) resolved on the node graph.

PyYAML's constructor resolves them (``flatten_mapping``), but the node reader
(``Source``) sees the composed nodes, where ``<<`` is still a key. Resolving them once
after composing gives every reader the same mapping: the merged keys keep the nodes
(and so the lines) where the anchor wrote them, a key written in the mapping itself
wins over a merged one (in its place, as PyYAML orders the dict), and of several
merged mappings the first wins (as yaml.org/type/merge says).
A key written twice in the mapping itself stays a duplicate for the readers to refuse.

Mappings are resolved in the order their composition ended, so a merged mapping is
already resolved when it is merged (an anchor is complete before its alias) unless it
is the merging mapping's own ancestor: a recursive merge, refused. The pairs merges add
are counted: past ``MAX_MERGED`` the document is refused like an alias bomb.
"""

from __future__ import annotations

from typing import Any

from yaml.constructor import ConstructorError
from yaml.error import MarkedYAMLError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_MERGED = 200_000

Pair = tuple[Node, Node]


def resolve_merges(mappings: list[MappingNode], limit_error: type[MarkedYAMLError]) -> None:
    """Replace the ``<<`` pairs of ``mappings`` (in composition order) by the pairs merged."""
    done: set[int] = set()
    merged_total = 0
    for node in mappings:
        if any(key.tag == MERGE_TAG for key, _ in node.value):
            node.value = _flatten(node, done)
            merged_total += len(node.value)
            if merged_total > MAX_MERGED:
                raise limit_error(
                    problem=f"merge keys expand to more than {MAX_MERGED} values",
                    problem_mark=node.start_mark,
                )
        done.add(id(node))


def _flatten(node: MappingNode, done: set[int]) -> list[Pair]:
    own: list[Pair] = []
    sources: list[MappingNode] = []
    for key, value in node.value:
        if key.tag != MERGE_TAG:
            own.append((key, value))
            continue
        items = value.value if isinstance(value, SequenceNode) else [value]
        for item in items:
            if not isinstance(item, MappingNode):
                raise ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    f"expected a mapping or list of mappings for merging, but found "
                    f"{item.id}", item.start_mark)
            if id(item) not in done:
                raise ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    "found a recursive merge: the mapping merges itself", item.start_mark)
            sources.append(item)
    pairs: dict[Any, Pair] = {}
    for source in sources:  # the first source wins
        for key, value in source.value:
            pairs.setdefault(_identity(key), (key, value))
    extra: list[Pair] = []  # a key written twice stays twice, for the reader to refuse
    overridden: set[Any] = set()
    for key, value in own:  # a written key takes the merged one's place, as in PyYAML
        identity = _identity(key)
        if identity in pairs and identity not in overridden:
            pairs[identity] = (key, value)
            overridden.add(identity)
        elif identity in pairs:
            extra.append((key, value))
        else:
            pairs[identity] = (key, value)
            overridden.add(identity)
    return list(pairs.values()) + extra


def _identity(key: Node) -> Any:
    """What makes two keys the same key (a non-scalar key is only itself)."""
    return (key.tag, key.value) if isinstance(key, ScalarNode) else id(key)
