"""The first leg: ``promtool test rules`` itself, per file and per test case.

promtool reports a file as a whole. For a verdict per case, each case is written to a
file of its own: the same ``rule_files`` (resolved, absolute), ``evaluation_interval``
and ``group_eval_order``, and its test group with that one case. promtool evaluates the
group up to the largest ``eval_time`` of its cases; cases never change the evaluation,
so a case alone gets the verdict it has among the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from harness.promtool.testfile import PromtoolTestError, TestFile
from harness.rules.promtool import run_promtool
from harness.yamlsource import LimitedLoader, read_text

PASS, FAIL, ERROR = "pass", "fail", "error"
_SAFE = re.compile(r"[^\w]+")
_MAP, _SEQ, _STR = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
                    "tag:yaml.org,2002:str")


@dataclass(frozen=True)
class Verdict:
    status: str  # pass, fail, error
    detail: str = ""


def case_key(group: int, kind: str, index: int) -> str:
    return f"tests[{group}].{kind}[{index}]"


def run_file(test_file: TestFile) -> Verdict:
    result = run_promtool("test", "rules", str(test_file.path))
    return Verdict(PASS if result.ok else FAIL, result.output)


def run_cases(test_file: TestFile, work_dir: Path) -> dict[str, Verdict]:
    """Each case's verdict from promtool, one file per case under ``work_dir``."""
    work_dir.mkdir(parents=True, exist_ok=True)
    verdicts: dict[str, Verdict] = {}
    for key, text in case_documents(test_file):
        path = work_dir / f"{test_file.path.stem}.{_SAFE.sub('-', key)}.yml"
        path.write_text(text, encoding="utf-8")
        result = run_promtool("test", "rules", str(path))
        verdicts[key] = Verdict(PASS if result.ok else _status(result.output),
                                _failure(result.output))
    return verdicts


def case_documents(test_file: TestFile) -> Iterator[tuple[str, str]]:
    """(case key, a test file with that case alone). Built on the YAML node tree and
    serialised from it: every scalar keeps its text and style (``values: 0x10`` stays
    that string, which a load and dump would turn into the number 16)."""
    text = read_text(test_file.path, PromtoolTestError, "promtool test file")
    root = yaml.compose(text, Loader=LimitedLoader)
    assert isinstance(root, yaml.MappingNode)  # load_test_file checked it
    top = {k.value: (k, v) for k, v in root.value}
    rule_files = yaml.SequenceNode(_SEQ, [yaml.ScalarNode(_STR, str(p.resolve()))
                                          for p in test_file.rule_files])
    head = [(k, v) for k, v in root.value if k.value not in ("rule_files", "tests")]
    head.append((yaml.ScalarNode(_STR, "rule_files"), rule_files))
    groups = top["tests"][1].value if "tests" in top else []
    for g, group in enumerate(groups):
        for kind, other in (("alert_rule_test", "promql_expr_test"),
                            ("promql_expr_test", "alert_rule_test")):
            found = [(k, v) for k, v in group.value if k.value == kind]
            if not found or not isinstance(found[0][1], yaml.SequenceNode):
                continue
            rest = [(k, v) for k, v in group.value if k.value not in (kind, other)]
            for i, case in enumerate(found[0][1].value):
                one = yaml.MappingNode(_MAP, [*rest, (found[0][0],
                                                      yaml.SequenceNode(_SEQ, [case]))])
                document = yaml.MappingNode(_MAP, [*head, (top["tests"][0],
                                                          yaml.SequenceNode(_SEQ, [one]))])
                yield case_key(g, kind, i), yaml.serialize(document, Dumper=yaml.SafeDumper)


def _status(output: str) -> str:
    """A failed comparison is a failure; anything else promtool stopped on, an error."""
    return FAIL if ("exp:" in output and "got:" in output) else ERROR


def _failure(output: str) -> str:
    lines = [ln for ln in output.splitlines()
             if ln.strip() and not ln.startswith("Unit Testing:")]
    return "\n".join(lines)
