"""Reuse copier's work across the members one worker process updates.

`copier.run_update` clones the template for every render and renders it three
times per member (the pristine old release, the new release into the member, the
pristine new release), and Jinja compiles every template source anew each time.
On the real Slipway template that was ~80 % of a member's time. copier has no
hooks for any of this, so - like `migrations.install_version_order` - five
process-wide wrappers are installed in the worker processes (`install`):

1. template checkouts: copier's `clone(url, ref)` is answered with one checkout
   per (template, ref) per run, made once by copier's own clone and shared by
   every render of that run (no clone, no delete per render);
2. pristine renders: the two renders copier makes into its empty `old_copy` /
   `new_copy` folders depend only on the template, the ref and the answers, so
   each (template, ref, answers, options) is rendered once per run and copied in;
   the folders are remembered (`captured`) so the caller reads the same files
   copier diffed;
3. compiled Jinja: `Environment.compile` is memoised on the source and on
   everything in the environment that changes the generated code (Jinja's own
   bytecode cache only covers loader templates, and copier makes a new
   environment per render);
4. copier asks git for `core.fileMode` once per rendered file (a process each);
   the answer is remembered per destination;
5. copier parses the template's copier.yml four times per member (a long YAML
   file): parsed once per content and handed out as copies.

Each wrapper checks that copier still has the internals it wraps and refuses
loudly otherwise; every cache is keyed by the run id, so a moved tag in a later
run is never served from an old checkout.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slipway_fleet.gitcmd import git
from slipway_fleet.template_source import file_lock

_OLD_COPY = ".old_copy."  # copier's TemporaryDirectory(prefix=f"{__name__}.old_copy.")
_NEW_COPY = ".new_copy."
_EXEC_BIT = "_sync_git_index_executable_bit"
_MAX_COMPILED = 50_000  # compiled sources kept per process (a template has ~1000)


@dataclass
class _RunContext:
    """Where this process's caches live for the current run (set per member)."""

    cache_root: Path
    run_id: str


@dataclass
class MemberRenders:
    """What copier rendered for the member being updated (read by apply_release)."""

    old: Path | None = None  # the pristine old release copier diffed against
    new: Path | None = None  # the pristine new release
    failed: str = ""  # "old" or "new" when that render raised
    render_seconds: float = 0.0  # time spent in copier renders (all three)
    reused: int = 0  # pristine renders served from the run's cache


_context: _RunContext | None = None
_member = MemberRenders()
_installed = False


def configure(cache_root: Path, run_id: str) -> None:
    """Point the caches at this run (called before each member; cheap)."""
    global _context  # noqa: PLW0603 - one run context per worker process
    _context = _RunContext(cache_root, run_id) if run_id else None


@contextmanager
def capture() -> Iterator[MemberRenders]:
    """Record the renders of one member's `copier.run_update`."""
    global _member  # noqa: PLW0603 - the member a worker process updates now
    _member = MemberRenders()
    yield _member


def prune(cache_root: Path) -> None:
    """Remove the previous runs' checkouts and pristine renders (run start)."""
    for name in ("checkouts", "pristine"):
        shutil.rmtree(cache_root / name, ignore_errors=True)


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


@contextmanager
def _built_once(context: _RunContext, kind: str, key: str) -> Iterator[tuple[Path, bool]]:
    """(folder, ready): build into `folder` when not ready; shared across processes."""
    folder = context.cache_root / kind / key
    with file_lock(context.cache_root / "locks" / f"{kind}-{key}"):
        done = folder.with_name(f"{key}.done")  # beside, never inside, the template tree
        yield folder, done.is_file()
        if folder.is_dir():
            done.touch()


# ------------------------------------------------------------------ 1. checkouts
def _cached_clone(original: Callable[..., str]) -> Callable[..., str]:
    def clone(url: str, ref: str = "HEAD", location: str | None = None) -> str:
        if _context is None or not ref or ref == "HEAD":  # HEAD may carry dirty changes
            return original(url, ref, location)
        key = _key(url, ref, _context.run_id)
        with _built_once(_context, "checkouts", key) as (folder, ready):
            if not ready:  # made in place: a remote template's checkout is a git worktree
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
                try:
                    made = Path(original(url, ref, str(folder)))
                except BaseException:
                    shutil.rmtree(folder, ignore_errors=True)
                    raise
                if made.resolve() != folder.resolve():  # copier chose another place:
                    shutil.rmtree(folder, ignore_errors=True)  # use it, cache nothing
                    return str(made)
        return str(folder)  # copier removes its own (empty) `location` afterwards

    clone._slipway_cached = True  # type: ignore[attr-defined]
    return clone


# ------------------------------------------------------------- 2. pristine renders
def _pristine_kind(dst: Path) -> str:
    for folder in (dst, *dst.parents):
        if folder.name.startswith("copier.") and _OLD_COPY in folder.name:
            return "old"
        if folder.name.startswith("copier.") and _NEW_COPY in folder.name:
            return "new"
    return ""


def _render_key(worker: Any, context: _RunContext) -> str:
    options = {
        f.name: getattr(worker, f.name)
        for f in dataclasses.fields(worker)
        if f.init and f.name not in {"dst_path", "vcs_ref", "src_path"}
    }
    return _key(str(worker.src_path), str(worker.vcs_ref), options, context.run_id)


def _cached_run_copy(original: Callable[[Any], None]) -> Callable[[Any], None]:
    def run_copy(self: Any) -> None:
        kind = _pristine_kind(Path(self.dst_path))
        start = time.perf_counter()
        try:
            if not kind or _context is None:
                return original(self)
            try:
                key = _render_key(self, _context)
                with _built_once(_context, "pristine", key) as (folder, ready):
                    if ready:
                        _member.reused += 1
                    else:
                        shutil.rmtree(folder, ignore_errors=True)
                        with dataclasses.replace(self, dst_path=folder) as worker:
                            original(worker)
            except BaseException:
                _member.failed = kind
                raise
            shutil.copytree(folder, self.dst_path, symlinks=True, dirs_exist_ok=True)
            setattr(_member, kind, folder)
            return None
        finally:
            _member.render_seconds += time.perf_counter() - start

    run_copy._slipway_cached = True  # type: ignore[attr-defined]
    return run_copy


# ------------------------------------------------------- 4. git's core.fileMode
_FILE_MODE: dict[str, str] = {}


def _file_mode(root: Path) -> str:
    """`git config --get core.fileMode` in `root` ("" outside a repository or unset)."""
    if (key := str(root)) not in _FILE_MODE:
        if len(_FILE_MODE) > 10_000:
            _FILE_MODE.clear()
        _FILE_MODE[key] = git(
            "config", "--type=bool", "--get", "core.fileMode", cwd=root, check=False
        ).strip()
    return _FILE_MODE[key]


def _memoised_exec_bit(original: Callable[..., None]) -> Callable[..., None]:
    def sync(self: Any, dst_relpath: Path, src_mode: int) -> None:
        root = Path(self.subproject.local_abspath)
        if root.is_dir() and _file_mode(root) == "false":  # copier's only case with work
            original(self, dst_relpath, src_mode)

    sync._slipway_cached = True  # type: ignore[attr-defined]
    return sync


# ------------------------------------------------------------ 5. copier.yml parses
def _memoised_config(original: Callable[..., Any]) -> Callable[..., Any]:
    parsed: dict[tuple[str, bytes, bool], Any] = {}

    def load_template_config(conf_path: Path, quiet: bool = False) -> Any:
        text = Path(conf_path).read_bytes()
        if b"!include" in text:  # other files take part: parse every time
            return original(conf_path, quiet)
        key = (str(conf_path), text, quiet)
        if key not in parsed:
            if len(parsed) > 1000:
                parsed.clear()
            parsed[key] = original(conf_path, quiet)
        return copy.deepcopy(parsed[key])  # copier's callers may change what they get

    load_template_config._slipway_cached = True  # type: ignore[attr-defined]
    return load_template_config


# ------------------------------------------------------------------ 3. Jinja code
def _environment_signature(env: Any) -> tuple[Any, ...]:
    """Everything of `env` the generated code depends on (lexer, options, filters)."""
    from jinja2.utils import _PassArg  # noqa: PLC0415 - jinja2 comes with copier

    sizes = (len(env.filters), len(env.tests))
    cached = env.__dict__.get("_slipway_signature")
    if cached is None or cached[:2] != sizes:
        callables = tuple(
            sorted(
                (kind, name, str(_PassArg.from_obj(func)))
                for kind, table in (("f", env.filters), ("t", env.tests))
                for name, func in table.items()
            )
        )
        finalize = None if env.finalize is None else str(_PassArg.from_obj(env.finalize))
        autoescape = "callable" if callable(env.autoescape) else bool(env.autoescape)
        options = (
            type(env),
            env.code_generator_class,
            env.optimized,
            env.is_async,
            finalize,
            autoescape,
            tuple(sorted(env.extensions)),
            env.block_start_string,
            env.block_end_string,
            env.variable_start_string,
            env.variable_end_string,
            env.comment_start_string,
            env.comment_end_string,
            env.line_statement_prefix,
            env.line_comment_prefix,
            env.trim_blocks,
            env.lstrip_blocks,
            env.newline_sequence,
            env.keep_trailing_newline,
        )
        cached = (*sizes, (options, callables))
        env.__dict__["_slipway_signature"] = cached  # lives and dies with the environment
    signature: tuple[Any, ...] = cached[2]
    return signature


def _memoised_compile(original: Callable[..., Any]) -> Callable[..., Any]:
    compiled: dict[tuple[Any, ...], Any] = {}

    def compile(  # noqa: PLR0917 - the signature of the method it wraps
        self: Any,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if not isinstance(source, str) or callable(self.autoescape):
            return original(self, source, name, filename, raw, defer_init)
        key = (_environment_signature(self), source, name, filename, raw, defer_init)
        code = compiled.get(key)
        if code is None:
            code = original(self, source, name, filename, raw, defer_init)
            if len(compiled) >= _MAX_COMPILED:
                compiled.clear()
            compiled[key] = code
        return code

    compile._slipway_cached = True  # type: ignore[attr-defined]
    return compile


def install() -> None:
    """Install the five wrappers in this process (idempotent; workers only)."""
    global _installed  # noqa: PLW0603
    if _installed:
        return
    import copier._template as copier_template  # noqa: PLC0415 - only workers need copier
    from copier._main import Worker  # noqa: PLC0415
    from jinja2 import Environment  # noqa: PLC0415

    missing = [
        what
        for what, ok in (
            ("copier._template.clone", callable(getattr(copier_template, "clone", None))),
            (
                "copier._template.load_template_config",
                callable(getattr(copier_template, "load_template_config", None)),
            ),
            ("copier Worker.run_copy", callable(getattr(Worker, "run_copy", None))),
            ("copier Worker.dst_path", "dst_path" in {f.name for f in dataclasses.fields(Worker)}),
            ("jinja2 Environment.compile", callable(getattr(Environment, "compile", None))),
            (
                "copier Worker._sync_git_index_executable_bit",
                callable(getattr(Worker, _EXEC_BIT, None)),
            ),
        )
        if not ok
    ]
    if missing:
        raise RuntimeError(
            f"copier/jinja2 internals changed ({', '.join(missing)}): "
            "slipway_fleet.copier_reuse needs updating"
        )
    clone = copier_template.clone  # type: ignore[attr-defined]
    if not getattr(clone, "_slipway_cached", False):
        copier_template.clone = _cached_clone(clone)  # type: ignore[attr-defined]
    if not getattr(Worker.run_copy, "_slipway_cached", False):
        Worker.run_copy = _cached_run_copy(Worker.run_copy)  # type: ignore[method-assign,assignment]
    load_config = copier_template.load_template_config
    if not getattr(load_config, "_slipway_cached", False):
        copier_template.load_template_config = _memoised_config(load_config)
    if not getattr(getattr(Worker, _EXEC_BIT), "_slipway_cached", False):
        setattr(Worker, _EXEC_BIT, _memoised_exec_bit(getattr(Worker, _EXEC_BIT)))
    if not getattr(Environment.compile, "_slipway_cached", False):
        Environment.compile = _memoised_compile(Environment.compile)  # type: ignore[method-assign]
    _installed = True
