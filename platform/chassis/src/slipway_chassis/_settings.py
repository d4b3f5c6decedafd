"""Typed service settings read from the environment (pydantic-settings).

Configuration flows one way: environment variables -> a validated, frozen
`ServiceSettings` object, built once at start-up. The variable names are the
ones in platform/CONTRACTS.md. Services subclass `ServiceSettings` to add their
own fields (`database_url: SecretStr` reads `DATABASE_URL`).

Per-profile defaults: `APP_ENV` (one of slipway_contract's `ENVIRONMENTS`) picks
the defaults of `LOG_LEVEL`, `OTEL_TRACES_SAMPLER_ARG` and `DOCS_ENABLED` when
those variables are not set. A missing or invalid variable raises
`SettingsError`, whose message names every offending variable and what was
expected.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from slipway_contract.names import DNS1123_LABEL, DNS1123_LABEL_HELP

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

DEFAULT_REDACT_KEYS = ("authorization", "password", "token", "secret", "api_key", "cookie")


# Written as a class, not built from slipway_contract.ENVIRONMENTS: mypy types only a
# literal enum, and services type-check `settings.app_env is Environment.PROD`. Each
# environment needs its profile below anyway. tests/repo/test_single_source.py
# (test_pin_chassis_environments) holds the members, in order, to the contract's list.
class Environment(StrEnum):
    """Deployment environment profile (`APP_ENV`), the contract's environments in order."""

    DEV = "dev"
    QA = "qa"
    STAGE = "stage"
    PROD = "prod"


# Defaults that depend on the profile; an explicitly set variable always wins.
PROFILE_DEFAULTS: dict[Environment, dict[str, Any]] = {
    Environment.DEV: {"log_level": "DEBUG", "otel_traces_sampler_arg": 1.0, "docs_enabled": True},
    Environment.QA: {"log_level": "DEBUG", "otel_traces_sampler_arg": 1.0, "docs_enabled": True},
    Environment.STAGE: {"log_level": "INFO", "otel_traces_sampler_arg": 0.5, "docs_enabled": True},
    Environment.PROD: {"log_level": "INFO", "otel_traces_sampler_arg": 0.1, "docs_enabled": False},
}

# Rewordings of pydantic messages that would otherwise show a bare regex.
_FRIENDLY = {"string_pattern_mismatch": DNS1123_LABEL_HELP}


class SettingsError(ValueError):
    """Start-up configuration is missing or invalid; the message names each variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid service configuration ({len(problems)} problem(s)):\n{lines}")

    @classmethod
    def from_validation_error(cls, exc: ValidationError, prefix: str = "") -> SettingsError:
        """Translate pydantic's errors into `VARIABLE: what was expected (got ...)` lines."""
        problems: list[str] = []
        for err in exc.errors(include_url=False):
            field = str(err["loc"][0]) if err["loc"] else "<settings>"
            variable = f"{prefix}{field}".upper()
            if err["type"] == "missing":
                problems.append(f"{variable}: required but not set")
                continue
            got = err.get("input")
            expected = _FRIENDLY.get(err["type"], err["msg"])
            problems.append(f"{variable}: {expected} (got {got!r})")
        return cls(problems)


class ServiceSettings(BaseSettings):
    """The chassis' settings; subclass it to add a service's own variables.

    >>> settings = ServiceSettings()  # reads SERVICE_NAME, APP_ENV, ... from os.environ
    """

    model_config = SettingsConfigDict(
        case_sensitive=False,
        extra="ignore",
        frozen=True,
        validate_default=True,
    )

    service_name: Annotated[str, Field(pattern=DNS1123_LABEL, description="SERVICE_NAME")]
    service_version: str = "0.0.0"
    app_env: Environment
    log_level: LogLevel = "INFO"
    log_redact_keys: Annotated[tuple[str, ...], NoDecode] = DEFAULT_REDACT_KEYS
    tracing_enabled: bool = True
    otel_traces_sampler_arg: Annotated[float, Field(ge=0.0, le=1.0)] = 0.1
    otel_exporter_otlp_endpoint: str | None = None
    otel_exporter_otlp_traces_endpoint: str | None = None
    metrics_enabled: bool = True
    prometheus_multiproc_dir: Path | None = None
    flags_file: Path | None = None
    http_port: Annotated[int, Field(ge=1, le=65535)] = 8000
    shutdown_grace_seconds: Annotated[float, Field(ge=0, le=3600)] = 20
    docs_enabled: bool = True
    # Limits of the HTTP server (README "Limits"): safe defaults for a JSON API.
    max_request_body_bytes: Annotated[int, Field(ge=1, le=1 << 30)] = 1 << 20
    max_request_header_bytes: Annotated[int, Field(ge=1024, le=1 << 20)] = 16 << 10
    max_request_headers: Annotated[int, Field(ge=1, le=1000)] = 100
    request_head_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0
    keep_alive_timeout_seconds: Annotated[int, Field(ge=1, le=3600)] = 5
    max_concurrent_requests: Annotated[int, Field(ge=1, le=100_000)] = 100

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            prefix = str(self.model_config.get("env_prefix", ""))
            raise SettingsError.from_validation_error(exc, prefix) from None

    @model_validator(mode="before")
    @classmethod
    def _apply_profile_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        try:
            env = Environment(str(data.get("app_env", "")).strip().lower())
        except ValueError:
            return data  # the field validator reports the bad APP_ENV
        for key, value in PROFILE_DEFAULTS[env].items():
            if data.get(key) in (None, ""):
                data[key] = value
        return data

    @field_validator("app_env", mode="before")
    @classmethod
    def _normalise_env(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _normalise_level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("log_redact_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(k.strip().lower() for k in value.split(",") if k.strip())
        return value

    @property
    def is_production(self) -> bool:
        """True in the prod profile."""
        return self.app_env is Environment.PROD

    @property
    def debug(self) -> bool:
        """The dev profile (verbose defaults); responses never carry tracebacks in any profile."""
        return self.app_env is Environment.DEV

    @property
    def otlp_traces_endpoint_configured(self) -> bool:
        """True when an OTLP endpoint is set; otherwise spans are sampled but not exported."""
        return bool(self.otel_exporter_otlp_traces_endpoint or self.otel_exporter_otlp_endpoint)

    def safe_dump(self) -> dict[str, Any]:
        """The settings as JSON-ready values, secrets masked (safe to log)."""
        return self.model_dump(mode="json")
