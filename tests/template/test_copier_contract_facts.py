"""copier.yml's copies of the contract's facts equal slipway_contract.

copier.yml cannot import slipway_contract yet: copier imports `_jinja_extensions`
by dotted path in its own interpreter (`uvx copier` has no workspace packages),
so the environment list and the histogram buckets are still written out in its
questions. Until an extension reads them, this test fails the moment they drift.
"""

from __future__ import annotations

import re

import yaml
from slipway_contract.environments import ENVIRONMENTS
from slipway_contract.metrics import DURATION_BUCKETS
from template_rendering import ROOT

QUESTIONS = yaml.safe_load((ROOT / "copier.yml").read_text())
_LIST = re.compile(r"\[([0-9., ]+)\]")


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.split(r"[,\s]+", text.strip()) if n]


def test_the_environment_question_offers_the_contract_environments_in_order() -> None:
    question = QUESTIONS["environments"]
    assert question["choices"] == list(ENVIRONMENTS)
    assert question["default"] == list(ENVIRONMENTS)
    assert ", ".join(ENVIRONMENTS[:-1]) + f", {ENVIRONMENTS[-1]}" in question["validator"]


def test_the_latency_questions_use_the_contract_buckets() -> None:
    validator = QUESTIONS["latency_threshold_seconds"]["validator"]
    p99 = QUESTIONS["latency_p99_seconds"]["default"]
    lists = [_numbers(m) for text in (validator, p99) for m in _LIST.findall(text)]
    assert lists == [list(DURATION_BUCKETS)] * 2
    message = validator.split("chassis histogram buckets", 1)[1].split("(got", 1)[0]
    assert _numbers(message) == list(DURATION_BUCKETS)
