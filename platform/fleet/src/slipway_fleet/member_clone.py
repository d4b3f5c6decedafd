"""The member's scratch clone: every git operation an update makes, in one class.

The clone is where the update branch is built; the member's own repository (its
"home", `origin` here) is only read and, at the end, receives one branch ref.
"""

from __future__ import annotations

from pathlib import Path

from slipway_fleet.fleet import Member
from slipway_fleet.gitcmd import GitError, git
from slipway_fleet.member_repo import MemberError


class MemberClone:
    """A scratch clone of one member's repository (`repo`) and its subproject (`sub`)."""

    def __init__(self, member: Member, repo: Path) -> None:
        self.member = member
        self.repo = repo
        self.sub = repo / member.subdir if member.subdir else repo
        self._scope = member.subdir or "."

    @classmethod
    def create(cls, member: Member, dest: Path) -> MemberClone:
        """Clone the member into `dest`; a local one shares its objects (no copy)."""
        source = str(member.path) if member.is_local else member.location
        shared = ["--shared"] if member.is_local else []
        try:
            git("clone", "--quiet", *shared, source, str(dest), timeout=600)
        except GitError as exc:
            raise MemberError(
                "unreachable", f"cannot clone {member.location}: {exc.stderr}"
            ) from exc
        clone = cls(member, dest)
        if not clone.has_ref("HEAD"):
            raise MemberError("not-a-member", clone._no_checkout_cause())
        return clone

    def _git(self, *args: str, check: bool = True, timeout: float = 300) -> str:
        return git(*args, cwd=self.repo, check=check, timeout=timeout)

    def _no_checkout_cause(self) -> str:
        """Why nothing is checked out: an empty repository or a HEAD naming no branch."""
        refs = self._git("for-each-ref", "--format=%(refname:short)", "refs/remotes/origin")
        names = sorted(b.removeprefix("origin/") for b in refs.split() if b != "origin/HEAD")
        where = self.member.location
        if not names:
            return f"{where} is an empty repository (no commits, no branches)"
        # the clone's HEAD is the remote's default branch, checked out or not
        wanted = self._git("symbolic-ref", "--quiet", "HEAD", check=False).strip()
        return (
            f"{where}: its HEAD names branch {wanted.removeprefix('refs/heads/')!r}, "
            f"which does not exist (branches: {', '.join(names)}); set the default branch"
        )

    # ---------------------------------------------------------------- refs and reading
    def has_ref(self, ref: str) -> bool:
        return bool(self._git("rev-parse", "--verify", "--quiet", ref, check=False).strip())

    def head(self) -> str:
        return self._git("rev-parse", "HEAD").strip()

    def tip_message(self) -> str:
        return self._git("log", "-1", "--format=%B")

    def show(self, ref: str, path: str) -> str:
        return self._git("show", f"{ref}:{path}")

    def default_branch(self) -> str:
        """The home's default branch (`origin/HEAD`), e.g. `main`."""
        ref = self._git(
            "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD", check=False
        )
        return ref.strip().removeprefix("origin/")

    def changed_on_branch(self) -> list[str]:
        """Subproject-relative paths the checked-out branch changed since the default branch."""
        merge_base = self._git("merge-base", "HEAD", "origin/HEAD", check=False).strip()
        return git(
            "diff", "--name-only", "--relative", merge_base or "HEAD", "HEAD", cwd=self.sub
        ).split()

    # ---------------------------------------------------------------- branch and commit
    def start_branch(self, branch: str, from_ref: str = "") -> None:
        self._git("checkout", "--quiet", "-b", branch, *([from_ref] if from_ref else []))

    def stage(self) -> None:
        """Stage the subproject as it is (copier marks conflicted paths unmerged)."""
        self._git("add", "--all", "--", self._scope)
        ignored = self._git(
            "ls-files", "--others", "--ignored", "--exclude-standard", "--", self._scope
        )
        for rej in ignored.split():
            if rej.endswith(".rej"):
                self._git("add", "--force", "--", rej)

    def staged_changes(self) -> list[tuple[str, str]]:
        """(A|M|D..., subproject-relative path) of what is staged."""
        prefix = f"{self.member.subdir}/" if self.member.subdir else ""
        out = self._git("diff", "--cached", "--name-status", "--no-renames", "--", self._scope)
        pairs = (line.partition("\t") for line in out.splitlines())
        return [(kind[:1], path.removeprefix(prefix)) for kind, _, path in pairs]

    def staged_patch(self) -> str:
        return self._git("diff", "--cached", "--binary", "--", self._scope)

    def commit(self, message: str) -> str:
        self._git("commit", "--quiet", "--no-verify", "-m", message)
        return self.head()

    # ---------------------------------------------------------------- remotes
    def add_remote(self, name: str, url: str) -> None:
        self._git("remote", "add", name, url)

    def ls_remote(self, remote: str, *patterns: str) -> str:
        return self._git("ls-remote", "--symref", remote, *patterns, timeout=60)

    def fetch(self, remote: str, *refspecs: str) -> None:
        self._git("fetch", "--quiet", remote, *refspecs, timeout=600)

    def push_branch(self, remote: str, branch: str) -> None:
        """Push `branch` to the same name on `remote` (fast-forward only, never forced)."""
        self._git(
            "push", "--quiet", remote, f"refs/heads/{branch}:refs/heads/{branch}", timeout=600
        )
