"""`slipway-obs`: generate and check a service's observability from its slo.yaml.

    slipway-obs rules SPEC --format prometheus|prometheusrule|helm-values [-o FILE]
    slipway-obs test SPEC [-o DIR]        # promtool unit tests for every alert, run them
    slipway-obs dashboards SPEC -o DIR    # Grafana JSON + PNG previews
    slipway-obs check SPEC                # validate the spec, promtool check the rules
    slipway-obs alertmanager -o FILE      # routing config for every team of the specs

argparse (stdlib) keeps the CLI dependency-free for the template's generated projects.
Exit codes (CONTRACTS.md): 0 ok, 1 a check failed, 2 bad input (invalid spec or
arguments), 3 not run (promtool/amtool missing). `--json` on every subcommand
prints one envelope on stdout; the YAML a command would print is in its data (`yaml` key).
`-o` is short for `--out` (the word every Slipway command uses; `--output` still works).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from slipway_contract.cli import (
    human_output_to_stderr,
    json_option,
    parse_or_envelope,
    print_envelope,
)
from slipway_contract.exit_codes import ExitCode

from slipway_observability import promtool, rules, yamlio
from slipway_observability.alertmanager import Delivery
from slipway_observability.rule_tests import page_detection_minutes, unit_tests
from slipway_observability.slo import SLOSpec, SpecError, load_spec

_FORMATS = {
    "prometheus": rules.prometheus_rules,
    "prometheusrule": rules.prometheus_rule_manifest,
    "helm-values": rules.helm_values,
}


PROG = "slipway-obs"
# `--out` is what every Slipway command calls the file or folder it writes (CONTRACTS.md);
# `-o` and `--output`, this CLI's first spelling, stay accepted. dest stays `output`.
_OUT = ("-o", "--out", "--output")


def _emit(text: str, output: Path | None, args: argparse.Namespace) -> None:
    if output is None:
        if args.json:  # the document belongs in the envelope, not beside it
            args.envelope_data = {"yaml": text}
            return
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}", file=sys.stderr)


def _rules(args: argparse.Namespace) -> ExitCode:
    spec = load_spec(args.spec)
    if args.format == "prometheusrule":
        document = rules.prometheus_rule_manifest(spec, release_label=args.release_label)
    else:
        document = _FORMATS[args.format](spec)
    _emit(yamlio.dump(document), args.output, args)
    return ExitCode.OK


def write_rule_tests(spec: SLOSpec, directory: Path) -> tuple[Path, Path]:
    """Write `<service>.rules.yml` and `<service>.test.yml` side by side."""
    directory.mkdir(parents=True, exist_ok=True)
    rule_file = yamlio.write(rules.prometheus_rules(spec), directory / f"{spec.service}.rules.yml")
    test_file = yamlio.write(
        unit_tests(spec, rule_file.name), directory / f"{spec.service}.test.yml"
    )
    return rule_file, test_file


def _test(args: argparse.Namespace) -> ExitCode:
    spec = load_spec(args.spec)
    with tempfile.TemporaryDirectory(prefix="slipway-obs-") as tmp:
        directory = args.output or Path(tmp)
        _, test_file = write_rule_tests(spec, directory)
        result = promtool.test_rules(test_file)
    print(result.output)
    return ExitCode.OK if result.ok else ExitCode.FINDING


def warnings(spec: SLOSpec) -> list[str]:
    """Legal but questionable specs: alerts that can never fire, or fire on one blip."""
    found = []
    for name, slo in spec.enabled().items():
        budget = 1 - slo.objective
        if page_detection_minutes(budget) is None:
            found.append(
                f"slos.{name}.objective {slo.objective:g}: the error budget is so large that "
                "no burn-rate page can ever fire (6x budget >= 100%); use >= 0.84"
            )
        if name == "queue_backlog" and 14.4 * budget < 1 / 60:
            found.append(
                f"slos.{name}.objective {slo.objective:g}: one bad minute already burns "
                "14.4x the hourly budget, so any short backlog pages"
            )
    return found


def _check(args: argparse.Namespace) -> ExitCode:
    from slipway_observability.dashboard_checks import (  # noqa: PLC0415 - imports the SDK
        promql_problems,
        structural_problems,
    )
    from slipway_observability.dashboards import build_dashboards  # noqa: PLC0415

    spec = load_spec(args.spec)
    for warning in warnings(spec):
        print(f"warning: {warning}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="slipway-obs-") as tmp:
        rule_file = yamlio.write(rules.prometheus_rules(spec), Path(tmp) / "rules.yml")
        result = promtool.check_rules(rule_file)
    print(result.output)
    boards = list(build_dashboards(spec).values())
    problems = [p for b in boards for p in structural_problems(b)] + promql_problems(boards)
    for problem in problems:
        print(f"dashboard: {problem}", file=sys.stderr)
    if not result.ok or problems:
        return ExitCode.FINDING
    print(
        f"{args.spec}: spec valid, {len(spec.enabled())} SLO(s), rules accepted by promtool, "
        f"{len(boards)} dashboards sound"
    )
    return ExitCode.OK


def _dashboards(args: argparse.Namespace) -> ExitCode:
    from slipway_observability.dashboards import write_dashboards  # noqa: PLC0415 - matplotlib is slow to import

    spec = load_spec(args.spec)
    for path in write_dashboards(spec, args.output, previews=not args.no_png):
        print(f"wrote {path}", file=sys.stderr)
    return ExitCode.OK


def _alertmanager(args: argparse.Namespace) -> ExitCode:
    from slipway_observability.alertmanager import alertmanager_config  # noqa: PLC0415

    specs = [load_spec(p) for p in args.specs]
    teams = sorted({s.team for s in specs} | set(args.team))
    if not teams:  # bad input, as an invalid spec: exit 2 with the message (in the envelope too)
        raise SpecError("no team: pass slo.yaml files or --team")
    delivery = Delivery(
        secrets_dir=args.secrets_dir,
        smtp_smarthost=args.smtp_smarthost,
        email_domain=args.email_domain,
    )
    _emit(yamlio.dump(alertmanager_config(teams, delivery)), args.output, args)
    return ExitCode.OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    common = json_option()

    p = sub.add_parser("rules", help="recording + burn-rate alerting rules", parents=[common])
    p.add_argument("spec", type=Path)
    p.add_argument("--format", choices=sorted(_FORMATS), default="prometheus")
    p.add_argument(
        *_OUT, dest="output", metavar="PATH", type=Path, help="file to write (default: stdout)"
    )
    p.add_argument(
        "--release-label",
        default="kube-prometheus-stack",
        help="`release` label of the PrometheusRule (the Helm release of kube-prometheus-stack)",
    )
    p.set_defaults(func=_rules)

    p = sub.add_parser(
        "test", help="generate promtool unit tests for every alert and run them", parents=[common]
    )
    p.add_argument("spec", type=Path)
    p.add_argument(
        *_OUT, dest="output", metavar="PATH", type=Path, help="keep the rule and test files here"
    )
    p.set_defaults(func=_test)

    p = sub.add_parser(
        "dashboards", help="Grafana dashboards (JSON) and PNG previews", parents=[common]
    )
    p.add_argument("spec", type=Path)
    p.add_argument(
        *_OUT, dest="output", metavar="PATH", type=Path, required=True, help="folder to write"
    )
    p.add_argument("--no-png", action="store_true", help="skip the PNG previews")
    p.set_defaults(func=_dashboards)

    p = sub.add_parser(
        "check", help="validate the spec and check its rules with promtool", parents=[common]
    )
    p.add_argument("spec", type=Path)
    p.set_defaults(func=_check)

    p = sub.add_parser(
        "alertmanager", help="Alertmanager routing for the specs' teams", parents=[common]
    )
    p.add_argument("specs", type=Path, nargs="*")
    p.add_argument("--team", action="append", default=[], help="extra team (repeatable)")
    defaults = Delivery()
    p.add_argument(
        "--secrets-dir", default=defaults.secrets_dir, help="mounted Secret holding *_file secrets"
    )
    p.add_argument("--smtp-smarthost", default=defaults.smtp_smarthost, help="host:port")
    p.add_argument("--email-domain", default=defaults.email_domain, help="<team>-oncall@DOMAIN")
    p.add_argument(
        *_OUT, dest="output", metavar="PATH", type=Path, help="file to write (default: stdout)"
    )
    p.set_defaults(func=_alertmanager)
    return parser


def _run(args: argparse.Namespace) -> tuple[ExitCode, str | None]:
    """The command's exit code, and the error a person was told about (if any)."""
    try:
        return ExitCode(args.func(args)), None
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.USAGE, str(exc)
    except promtool.ToolMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.NOT_RUN, str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_or_envelope(build_parser().parse_args, argv, PROG)
    with human_output_to_stderr(args.json):
        code, error = _run(args)
    if args.json:
        data = getattr(args, "envelope_data", None)
        return print_envelope(f"{PROG} {args.command}", code, data=data, error=error)
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
