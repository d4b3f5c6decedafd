"""Settings: profile defaults, documented errors naming the variable, secrets masked."""

from __future__ import annotations

import re

import pytest
from pydantic import SecretStr
from slipway_chassis import (
    Environment,
    ServiceSettings,
    SettingsError,
    configure_logging,
    get_logger,
)
from slipway_chassis.testing import capture_logs
from slipway_contract.environments import ENVIRONMENTS


@pytest.mark.parametrize(
    ("env", "level", "ratio", "docs"),
    [
        ("dev", "DEBUG", 1.0, True),
        ("qa", "DEBUG", 1.0, True),
        ("stage", "INFO", 0.5, True),
        ("prod", "INFO", 0.1, False),
    ],
)
def test_profile_defaults(
    chassis_env: pytest.MonkeyPatch, env: str, level: str, ratio: float, docs: bool
) -> None:
    chassis_env.setenv("APP_ENV", env)
    settings = ServiceSettings()
    assert settings.app_env is Environment(env)
    assert settings.log_level == level
    assert settings.otel_traces_sampler_arg == ratio
    assert settings.docs_enabled is docs
    assert settings.debug is (env == "dev")


def test_explicit_variable_beats_profile(chassis_env: pytest.MonkeyPatch) -> None:
    chassis_env.setenv("APP_ENV", "prod")
    chassis_env.setenv("LOG_LEVEL", "debug")
    chassis_env.setenv("OTEL_TRACES_SAMPLER_ARG", "1")
    chassis_env.setenv("DOCS_ENABLED", "true")
    settings = ServiceSettings()
    assert (settings.log_level, settings.otel_traces_sampler_arg, settings.docs_enabled) == (
        "DEBUG",
        1.0,
        True,
    )


def test_missing_variables_are_named(chassis_env: pytest.MonkeyPatch) -> None:
    chassis_env.delenv("SERVICE_NAME")
    chassis_env.delenv("APP_ENV")
    with pytest.raises(SettingsError) as info:
        ServiceSettings()
    assert info.value.problems == [
        "SERVICE_NAME: required but not set",
        "APP_ENV: required but not set",
    ]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("APP_ENV", "production", "APP_ENV: Input should be "),  # which values: test below
        ("SERVICE_NAME", "Orders_API", "SERVICE_NAME: must be a DNS-1123 label"),
        ("HTTP_PORT", "70000", "HTTP_PORT: Input should be less than or equal to 65535"),
        ("OTEL_TRACES_SAMPLER_ARG", "1.5", "OTEL_TRACES_SAMPLER_ARG: Input should be less"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: Input should be 'DEBUG', 'INFO', 'WARNING' or 'ERROR'"),
        ("TRACING_ENABLED", "maybe", "TRACING_ENABLED: Input should be a valid boolean"),
        ("SHUTDOWN_GRACE_SECONDS", "-1", "SHUTDOWN_GRACE_SECONDS: Input should be greater"),
    ],
)
def test_invalid_variable_names_variable_and_rule(
    chassis_env: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    chassis_env.setenv(variable, value)
    with pytest.raises(SettingsError) as info:
        ServiceSettings()
    (problem,) = info.value.problems
    assert problem.startswith(expected), problem
    assert repr(value) in problem  # says what it got


def test_unknown_environment_lists_the_contract_environments(
    chassis_env: pytest.MonkeyPatch,
) -> None:
    """The allowed values a user reads are the contract's environments, in promotion order."""
    chassis_env.setenv("APP_ENV", "production")
    with pytest.raises(SettingsError) as info:
        ServiceSettings()
    (problem,) = info.value.problems
    expected, got = problem.split(" (got ")
    assert tuple(re.findall(r"'([^']+)'", expected)) == ENVIRONMENTS, problem
    assert got == "'production')"


def test_redact_keys_are_a_comma_list(chassis_env: pytest.MonkeyPatch) -> None:
    chassis_env.setenv("LOG_REDACT_KEYS", "Authorization, x-api-key ,")
    assert ServiceSettings().log_redact_keys == ("authorization", "x-api-key")


class _WithSecret(ServiceSettings):
    database_url: SecretStr


def test_subclass_secret_is_required_and_never_logged(chassis_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL: required but not set"):
        _WithSecret()
    chassis_env.setenv("DATABASE_URL", "postgresql://app:hunter2@db/orders")
    settings = _WithSecret()
    assert settings.database_url.get_secret_value().endswith("@db/orders")
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in str(settings.safe_dump())
    configure_logging(settings)
    with capture_logs() as logs:
        get_logger("test").info("config", settings=settings.safe_dump(), raw=settings.database_url)
    assert b"hunter2" not in b"".join(logs.raw)
