"""The one YAML reader: positions, limits (depth, alias expansion), regular files only,
UTF-8 with a line number. Messages of whole files are pinned in tests/bad_input/."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

from harness.errors import InputError, RuleError
from harness.yamlsource import (
    MAX_DEPTH,
    LineDict,
    LineList,
    Source,
    format_path,
    line_of,
    parse_document,
    positions,
    read_text,
)


def test_positions_kept_per_key_and_item() -> None:
    data = parse_document("a: 1\nb:\n  - x\n  - {c: 2,\n     d: 3}\n", "x.yaml")
    assert isinstance(data, LineDict) and isinstance(data["b"], LineList)
    assert data.lines == {"a": 1, "b": 2} and data["b"].lines == [3, 4]
    assert line_of(data, ("b", 1, "d")) == 5
    assert line_of(data, ("b", 7)) == 2
    assert format_path(("b", 1, "d")) == "b[1].d"
    # Plain yaml is not affected by the loader (no global patching).
    assert type(yaml.safe_load("a: 1")) is dict


def _bomb(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_fast() -> None:
    text = _bomb(9)  # 9**9 strings once expanded
    assert len(text) < 1024
    start = time.monotonic()
    with pytest.raises(InputError) as info:
        parse_document(text, "bomb.yaml")
    assert time.monotonic() - start < 2
    assert "Refused: anchors and aliases expand to more than" in str(info.value)
    assert info.value.line is not None and info.value.exit_code == 2
    with pytest.raises(InputError, match="anchors and aliases"):
        Source(text, "bomb.yml", InputError).root()  # the node reader has the same bound


def test_a_few_aliases_stay_allowed() -> None:
    data = parse_document("base: &b {x: 1}\nother: *b\n", "ok.yaml")
    assert data["other"] == {"x": 1}


@pytest.mark.parametrize("flow", [True, False])
def test_deep_nesting_is_one_message(flow: bool) -> None:
    depth = 500
    if flow:
        text = "a: " + "[" * depth + "]" * depth + "\n"
    else:
        text = "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"
    with pytest.raises(InputError) as info:
        parse_document(text, "deep.yaml")
    assert f"Refused: nested deeper than {MAX_DEPTH} levels" in str(info.value)
    with pytest.raises(RuleError, match="nested deeper"):
        Source(text, "deep.yml", RuleError).root()


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as info:
        read_text(fifo, InputError, "scenario file")
    assert "Not a regular file (a FIFO)" in str(info.value)


def test_non_utf8_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: x\n\ndescription: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError) as info:
        read_text(path)
    assert info.value.line == 3
    assert "Not UTF-8 text: byte 0xe9 at column 17" in str(info.value)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    path.write_bytes(b"groups:\n  - name: a\x00b\n")
    with pytest.raises(RuleError) as info:
        read_text(path, RuleError, "rule file")
    assert info.value.line == 2 and "A binary file, not text" in str(info.value)


def test_yaml_control_character_gives_the_line() -> None:
    with pytest.raises(InputError) as info:
        Source("groups:\n  - name: a\x07b\n", "r.yml", InputError).root()
    assert info.value.line == 2 and "character 0x0007 is not allowed" in str(info.value)


def test_only_expansion_counts_not_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(positions, "MAX_NODES", 100)
    big = "items:\n" + "".join(f"  - {{a: {i}, b: {i}}}\n" for i in range(100))  # 500 values
    assert len(parse_document(big, "big.yaml")["items"]) == 100
    with pytest.raises(InputError, match="expand to more than 100 values"):
        parse_document("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [" + "*a, " * 20 + "]\n", "x")


MERGED = """\
base: &base {alert: A, for: 5m, labels: {team: sre}}
extra: &extra {for: 1m, severity: page}
one:
  <<: *base
  expr: up == 0
two:
  <<: [*base, *extra]
  alert: B
"""


def test_merge_keys_resolve_as_pyyaml_does_with_lines_of_the_anchor() -> None:
    data = parse_document(MERGED, "m.yaml")
    plain = yaml.safe_load(MERGED)
    assert data["one"] == plain["one"] and list(data["two"]) == list(plain["two"])
    # Of several merged mappings the first wins (yaml.org/type/merge; PyYAML 6.0.4 lets a
    # later one win unless the two key strings happen to be the same object).
    assert data["two"] == {"alert": "B", "for": "5m", "labels": {"team": "sre"},
                           "severity": "page"}
    assert data["one"].lines == {"alert": 1, "for": 1, "labels": 1, "expr": 5}
    assert data["two"].lines["severity"] == 2 and data["two"].lines["alert"] == 8
    source = Source(MERGED, "m.yaml", InputError)
    root = source.root()
    assert root is not None
    two = source.mapping(source.mapping(root, "")["two"][1], "two",
                         allowed=("alert", "for", "labels", "severity"))
    assert sorted(two) == ["alert", "for", "labels", "severity"]  # no '<<' key left
    assert source.value(two["for"][1]) == "5m"


@pytest.mark.parametrize(("text", "message"), [
    ("a: {<<: 1}\n", "expected a mapping or list of mappings for merging"),
    ("a: &a {<<: *a}\n", "recursive merge"),
    ("a: &a [*a]\n", "an alias inside its own anchor"),
    ("a: &a {x: 1}\nb: {<<: *a, y: 1, y: 2}\n", "Duplicate key 'y'"),
])
def test_bad_merges_and_cycles_are_one_located_error(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        parse_document(text, "bad.yaml")
    assert info.value.line is not None


def test_merge_keys_count_towards_the_expansion_limit() -> None:
    keys = ", ".join(f"k{i}: [1, 2, 3, 4, 5, 6, 7, 8, 9]" for i in range(100))
    merges = "\n".join(f"m{i}: {{<<: *big}}" for i in range(300))
    text = f"big: &big {{{keys}}}\n{merges}\n"  # 300 merges of 100 lists of 9
    assert len(text) < 16_000
    with pytest.raises(InputError, match="anchors and aliases expand"):
        parse_document(text, "merge-bomb.yaml")
