"""The SLO spec (`slo.yaml`): parsing and validation.

The format is the one in platform/CONTRACTS.md. Validation is strict because a
wrong spec silently produces alerts that never fire: an objective outside (0, 1),
an unknown SLI, or a latency threshold that is not a histogram bucket boundary
(the rule would then need interpolation and could never be exact) are rejected
with a message naming the field and the rule.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from slipway_contract.names import DNS1123_LABEL

from slipway_observability.buckets import DURATION_BUCKETS

__all__ = [
    "AvailabilitySLO",
    "LatencySLO",
    "LoadBudget",
    "QueueBacklogSLO",
    "SLOSpec",
    "SpecError",
    "load_spec",
    "parse_spec",
]

_DNS1123_LABEL = re.compile(DNS1123_LABEL)  # the one rule (slipway_contract.names)
_DURATION = re.compile(r"^(\d+)([mhdw])$")
_DURATION_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}

Objective = Annotated[
    float,
    Field(gt=0, lt=1, description="target ratio of good events, strictly between 0 and 1"),
]


class SpecError(ValueError):
    """An SLO spec is invalid; the message names every offending field and its rule."""


class _Strict(BaseModel):
    # Unknown keys are typos (e.g. `objetive`): reject them instead of ignoring them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class AvailabilitySLO(_Strict):
    """Non-5xx responses / all responses (`http_server_requests_total`)."""

    objective: Objective


class LatencySLO(_Strict):
    """Responses faster than `threshold_seconds` / all responses."""

    objective: Objective
    threshold_seconds: float

    @field_validator("threshold_seconds")
    @classmethod
    def _on_a_bucket(cls, value: float) -> float:
        if not any(abs(value - b) < 1e-9 for b in DURATION_BUCKETS):
            buckets = " ".join(f"{b:g}" for b in DURATION_BUCKETS)
            raise ValueError(
                f"{value:g} is not a bucket boundary of http_server_request_duration_seconds; "
                f"choose one of: {buckets}"
            )
        return value


class QueueBacklogSLO(_Strict):
    """Time with the oldest queued message younger than `max_age_seconds` / all time."""

    objective: Objective
    max_age_seconds: float = Field(gt=0)


class SLOs(_Strict):
    """The SLIs Slipway knows; any other key is an error."""

    availability: AvailabilitySLO | None = None
    latency: LatencySLO | None = None
    queue_backlog: QueueBacklogSLO | None = None


class LoadBudget(_Strict):
    """What the load-test gate judges (see platform/gates)."""

    p95_seconds: float = Field(gt=0)
    p99_seconds: float = Field(gt=0)
    max_error_ratio: float = Field(ge=0, lt=1)


class SLOSpec(_Strict):
    """One service's SLO spec, as in CONTRACTS.md."""

    service: str
    team: str
    runbook_url: str
    window: str = "30d"
    slos: SLOs
    load: LoadBudget | None = None

    @field_validator("service", "team")
    @classmethod
    def _dns_label(cls, value: str) -> str:
        if not _DNS1123_LABEL.match(value):
            raise ValueError(
                f"{value!r} must be a DNS-1123 label: lower-case letters, digits and '-', "
                "starting and ending with a letter or digit, at most 63 characters"
            )
        return value

    @field_validator("runbook_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value) or "#" in value:
            raise ValueError(
                f"{value!r} must be an http(s) URL without '#' (alerts append #<alertname>)"
            )
        return value

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        match = _DURATION.match(value)
        if not match or int(match.group(1)) == 0:
            raise ValueError(f"{value!r} must be a Prometheus duration such as 28d or 30d")
        seconds = int(match.group(1)) * _DURATION_SECONDS[match.group(2)]
        if not 7 * 86400 <= seconds <= 90 * 86400:
            raise ValueError(f"{value!r} must be between 7d and 90d")
        return value

    @field_validator("slos")
    @classmethod
    def _at_least_one(cls, value: SLOs) -> SLOs:
        if not value.model_dump(exclude_none=True):
            raise ValueError("declare at least one of: availability, latency, queue_backlog")
        return value

    def enabled(self) -> dict[str, AvailabilitySLO | LatencySLO | QueueBacklogSLO]:
        """The declared SLOs by SLI name, in a stable order."""
        found = {
            "availability": self.slos.availability,
            "latency": self.slos.latency,
            "queue_backlog": self.slos.queue_backlog,
        }
        return {name: slo for name, slo in found.items() if slo is not None}


def _describe(exc: ValidationError, source: str) -> str:
    lines = [f"invalid SLO spec {source}:"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key" + (
                " (known SLIs: availability, latency, queue_backlog)"
                if len(err["loc"]) == 2 and err["loc"][0] == "slos"
                else ""
            )
        elif err["type"] in {"greater_than", "less_than"} and err["loc"][-1] == "objective":
            message = f"objective must be strictly between 0 and 1, got {err['input']!r}"
        lines.append(f"  {where}: {message}")
    return "\n".join(lines)


def parse_spec(data: Any, source: str = "<memory>") -> SLOSpec:
    """Validate an already-loaded mapping; raise SpecError with every problem found."""
    if not isinstance(data, dict):
        raise SpecError(f"invalid SLO spec {source}: the top level must be a mapping")
    try:
        return SLOSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(_describe(exc, source)) from None


def load_spec(path: str | Path) -> SLOSpec:
    """Read and validate `slo.yaml`; raise SpecError naming the field and the rule."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read SLO spec {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"SLO spec {path} is not valid YAML: {exc}") from None
    return parse_spec(data, str(path))
