"""copier.yml's questions: typed, explained, and refusing bad answers with a message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from template_rendering import ROOT, render

QUESTIONS = {
    k: v
    for k, v in yaml.safe_load((ROOT / "copier.yml").read_text()).items()
    if not k.startswith("_")
}


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_every_question_has_type_and_help(name: str) -> None:
    question = QUESTIONS[name]
    assert question.get("type") in {"str", "int", "float", "bool", "yaml", "json"}, name
    assert len(str(question.get("help", "")).split()) >= 3, f"{name}: help must explain it"


def test_the_configuration_keeps_template_files_out_of_services() -> None:
    config = yaml.safe_load((ROOT / "copier.yml").read_text())
    assert config["_subdirectory"] == "template"
    assert config["_answers_file"] == ".copier-answers.yml"
    assert {"copier.yml", ".git"} <= set(config["_exclude"])


VALID = {"service_name": "orders-api"}

# (answers, field named in the error, words of the rule)
INVALID: list[tuple[dict[str, Any], str, str]] = [
    ({"service_name": "Orders"}, "service_name", "DNS-1123"),
    ({"service_name": "orders_api"}, "service_name", "DNS-1123"),
    ({"service_name": "9orders"}, "service_name", "starting with a letter"),
    ({"service_name": "orders-"}, "service_name", "not ending with '-'"),
    ({"service_name": "a" * 41}, "service_name", "at most 40 characters"),
    ({"service_name": "platform"}, "service_name", "reserved word"),
    ({"service_name": "logging"}, "service_name", "reserved word"),
    ({"service_name": ""}, "service_name", "required"),
    ({**VALID, "description": " "}, "description", "required"),
    ({**VALID, "description": "x" * 201}, "description", "at most 200"),
    ({**VALID, "description": 'say "hi"'}, "description", "without double quotes"),
    ({**VALID, "owner_team": "Payments Team"}, "owner_team", "DNS-1123"),
    ({**VALID, "port": 80}, "port", "between 1024 and 65535"),
    ({**VALID, "port": 70000}, "port", "between 1024 and 65535"),
    ({**VALID, "environments": []}, "environments", "at least one"),
    ({**VALID, "environments": ["qa", "prod"]}, "environments", "must include dev"),
    ({**VALID, "availability_objective": 1.5}, "availability_objective", "between 0.9"),
    ({**VALID, "availability_objective": 0.5}, "availability_objective", "between 0.9"),
    ({**VALID, "latency_threshold_seconds": 0.33}, "latency_threshold_seconds", "buckets"),
    ({**VALID, "chassis_version": "latest"}, "chassis_version", "PEP 440 specifier"),
    ({**VALID, "platform_git_url": "ftp://x/y"}, "platform_git_url", "https://"),
    ({**VALID, "platform_ref": "main"}, "platform_ref", "release tag"),
    ({**VALID, "image_registry": "https://127.0.0.1:5000"}, "image_registry", "without a scheme"),
    ({**VALID, "service_kind": "cron-job"}, "service_kind", ""),
    ({**VALID, "rollout_strategy": "big-bang"}, "rollout_strategy", ""),
    # The Python package (service_name with '-' -> '_') must be importable and not shadow.
    ({"service_name": "class"}, "service_name", "a Python keyword"),
    ({"service_name": "import"}, "service_name", "a Python keyword"),
    ({"service_name": "async"}, "service_name", "a Python keyword"),
    ({"service_name": "asyncio"}, "service_name", "shadows the standard-library module"),
    ({"service_name": "email"}, "service_name", "shadows the standard-library module"),
    ({"service_name": "py-compile"}, "service_name", "shadows the standard-library module"),
    ({"service_name": "fastapi"}, "service_name", "module of a dependency"),
    ({"service_name": "uvicorn"}, "service_name", "module of a dependency"),
    ({"service_name": "sqlalchemy"}, "service_name", "module of a dependency"),
    ({"service_name": "pydantic"}, "service_name", "module of a dependency"),
    ({"service_name": "prometheus-client"}, "service_name", "module of a dependency"),
    ({"service_name": "xn--bcher-kva"}, "service_name", "'xn--'"),
    ({"service_name": "orders-api\n"}, "service_name", "DNS-1123"),
    *[
        ({"service_name": word}, "service_name", "Windows device name")
        for word in ("con", "prn", "aux", "nul", "com1", "lpt9")
    ],
    *[
        ({"service_name": word}, "service_name", "YAML boolean or null word")
        for word in ("yes", "no", "on", "off", "true", "false", "null", "y", "n")
    ],
    ({**VALID, "owner_team": "off"}, "owner_team", "YAML boolean or null word"),
    ({**VALID, "owner_team": "payments\n"}, "owner_team", "DNS-1123"),
    # Ports: plain ASCII digits only, and `null` names the question (not int()'s error).
    ({**VALID, "port": "8080\n"}, "port", "plain ASCII digits"),
    ({**VALID, "port": "\u0668\u0660\u0668\u0660"}, "port", "plain ASCII digits"),  # Arabic-Indic
    ({**VALID, "port": "0x1F90"}, "port", "plain ASCII digits"),
    ({**VALID, "port": "8080.0"}, "port", "plain ASCII digits"),
    ({**VALID, "port": "null"}, "port", "required"),
    ({**VALID, "port": None}, "port", "required"),
]


@pytest.mark.parametrize(
    ("answers", "field", "rule"),
    INVALID,
    ids=[f"{field}-{i}" for i, (_, field, _) in enumerate(INVALID)],
)
def test_a_bad_answer_fails_naming_field_and_rule(
    template_src: Path, tmp_path: Path, answers: dict[str, Any], field: str, rule: str
) -> None:
    with pytest.raises(ValueError, match=field) as caught:
        render(template_src, tmp_path / "out", answers)
    assert rule in str(caught.value), str(caught.value)
    assert f"Validation error for question '{field}'" in str(caught.value) or not rule
    assert "invalid literal" not in str(caught.value)
    assert not (tmp_path / "out" / "pyproject.toml").exists(), "nothing rendered on bad input"


@pytest.mark.parametrize(
    "answers",
    [{"port": "8000"}, {"service_name": "asyncio-gateway"}, {"service_name": "console"}],
    ids=str,
)  # fmt: skip
def test_names_near_a_refused_one_are_accepted(
    template_src: Path, tmp_path: Path, answers: dict[str, Any]
) -> None:
    render(template_src, tmp_path / "out", {**VALID, **answers}, pretend=True)


def test_at_least_fifteen_invalid_answers_are_covered() -> None:
    assert len(INVALID) >= 15


def test_defaults_follow_earlier_answers(template_src: Path, tmp_path: Path) -> None:
    worker = render(template_src, tmp_path / "w", {"service_name": "billing-worker",
                                                   "service_kind": "queue-worker"})  # fmt: skip
    answers = yaml.safe_load((worker / ".copier-answers.yml").read_text())
    assert answers["rollout_strategy"] == "rolling"
    assert answers["queue"] == "rabbitmq"
    assert "database" not in answers  # not asked for workers
    assert answers["description"] == "billing-worker: a Slipway service"
    assert (worker / "src" / "billing_worker" / "consumer.py").is_file()
