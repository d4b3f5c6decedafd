"""Publishing an update branch: push it to the member's remote, open a PR/MR.

Two writes leave the scratch clone: `push_home` (the branch into the member's own
repository) and `publish_branch` (to its remote, plus the PR). Pluggable:
`PublishConfig.provider` picks the pull-request API (`github`, `gitlab`)
or none (push only). A PR is opened only when the token variable is set; otherwise
the branch is pushed and the report says no PR was opened. Every error is the
member's own (category `publish`), never the run's.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

import httpx

from slipway_fleet.gitcmd import GitError, git, is_local
from slipway_fleet.member_clone import MemberClone
from slipway_fleet.member_repo import MemberError
from slipway_fleet.outcome import Outcome, Result

NEEDS_HUMAN_LABEL = "needs-human"
_TIMEOUT = httpx.Timeout(20.0)


class PublishError(RuntimeError):
    """Pushing or opening the pull request failed for this member."""


@dataclass(frozen=True)
class PublishConfig:
    """How to publish: which remote, which PR API, which token variable."""

    remote: str = "origin"
    provider: str = "none"  # none | github | gitlab
    api_url: str = ""  # default: the public API of the provider
    token_env: str = ""  # default: GITHUB_TOKEN / GITLAB_TOKEN
    base_branch: str = ""  # default: the member's current branch

    def token(self) -> str | None:
        name = self.token_env or {"github": "GITHUB_TOKEN", "gitlab": "GITLAB_TOKEN"}.get(
            self.provider, ""
        )
        return os.environ.get(name) if name else None


@dataclass(frozen=True)
class PullRequest:
    title: str
    body: str
    head: str
    base: str
    draft: bool
    labels: tuple[str, ...]


class PullRequestAPI(Protocol):
    def open(self, project: str, pr: PullRequest) -> str:
        """Open (or find the already open) PR for `pr.head`; return its URL."""
        ...


def project_from_url(url: str) -> str:
    """`owner/name` from a GitHub/GitLab remote URL ('' if it does not look like one)."""
    if is_local(url):
        return ""
    match = re.search(r"[:/]([^/:]+/[^/]+?)(?:\.git)?/?$", url)
    return match.group(1) if match else ""


class GitHubAPI:
    """GitHub REST v3: POST /repos/{owner}/{repo}/pulls (draft), labels via issues."""

    def __init__(self, api_url: str, token: str) -> None:
        self._client = httpx.Client(
            base_url=api_url or "https://api.github.com",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"},
            timeout=_TIMEOUT,
        )

    def open(self, project: str, pr: PullRequest) -> str:
        owner = project.split("/", 1)[0]
        existing = self._client.get(
            f"/repos/{project}/pulls", params={"head": f"{owner}:{pr.head}", "state": "open"}
        )
        existing.raise_for_status()
        if found := existing.json():
            number, url = found[0]["number"], found[0]["html_url"]
        else:
            created = self._client.post(
                f"/repos/{project}/pulls",
                json={
                    "title": pr.title,
                    "body": pr.body,
                    "head": pr.head,
                    "base": pr.base,
                    "draft": pr.draft,
                },
            )
            created.raise_for_status()
            number, url = created.json()["number"], created.json()["html_url"]
        if pr.labels:
            labelled = self._client.post(
                f"/repos/{project}/issues/{number}/labels", json={"labels": list(pr.labels)}
            )
            labelled.raise_for_status()
        return str(url)


class GitLabAPI:
    """GitLab REST v4: merge requests; drafts are titled `Draft: ...`."""

    def __init__(self, api_url: str, token: str) -> None:
        self._client = httpx.Client(
            base_url=api_url or "https://gitlab.com/api/v4",
            headers={"PRIVATE-TOKEN": token},
            timeout=_TIMEOUT,
        )

    def open(self, project: str, pr: PullRequest) -> str:
        path = f"/projects/{quote(project, safe='')}/merge_requests"
        existing = self._client.get(path, params={"source_branch": pr.head, "state": "opened"})
        existing.raise_for_status()
        if found := existing.json():
            return str(found[0]["web_url"])
        created = self._client.post(
            path,
            json={
                "source_branch": pr.head,
                "target_branch": pr.base,
                "title": f"Draft: {pr.title}" if pr.draft else pr.title,
                "description": pr.body,
                "labels": ",".join(pr.labels),
            },
        )
        created.raise_for_status()
        return str(created.json()["web_url"])


def api_for(config: PublishConfig) -> PullRequestAPI | None:
    """The PR API client for the config, or None (push only / no token)."""
    token = config.token()
    if config.provider == "none" or not token:
        return None
    if config.provider == "github":
        return GitHubAPI(config.api_url, token)
    if config.provider == "gitlab":
        return GitLabAPI(config.api_url, token)
    raise PublishError(f"publish provider {config.provider!r}: use none, github or gitlab")


def open_pull_request(config: PublishConfig, project: str, pr: PullRequest) -> str:
    """Open the PR through the configured API; '' when no API/token is configured."""
    api = api_for(config)
    if api is None:
        return ""
    if not project:
        raise PublishError(
            "cannot tell the PR project: set `project: owner/name` for this member"
            " in the fleet file"
        )
    try:
        return api.open(project, pr)
    except httpx.HTTPStatusError as exc:
        raise PublishError(
            f"{config.provider} API answered {exc.response.status_code} for {exc.request.url}: "
            f"{exc.response.text[:200]}"
        ) from exc
    except httpx.HTTPError as exc:
        raise PublishError(f"{config.provider} API unreachable: {exc}") from exc


def push_home(clone: MemberClone, branch: str) -> None:
    """Write the branch back into the member's repository (fast-forward only)."""
    try:
        clone.push_branch("origin", branch)
    except GitError as exc:
        raise MemberError(
            "push", f"cannot write branch {branch} to the member: {exc.stderr}"
        ) from exc


def publish_branch(config: PublishConfig, clone: MemberClone, out: Outcome) -> None:
    """Push the update branch to the member's remote and open (or find) its PR/MR."""
    member = clone.member
    try:
        if member.is_local:
            remote_url = git(
                "remote", "get-url", config.remote, cwd=member.path, check=False
            ).strip()
            if not remote_url:
                raise PublishError(f"the member has no remote {config.remote!r} to publish to")
            clone.push_branch(remote_url, out.branch)
        else:
            remote_url = member.location  # the branch was already pushed there
        conflicted = out.result is Result.CONFLICTED
        pr = PullRequest(
            title=f"Update template from {out.from_version} to {out.to_version}",
            body=clone.tip_message(),
            head=out.branch,
            base=config.base_branch or clone.default_branch(),
            draft=conflicted,
            labels=(NEEDS_HUMAN_LABEL,) if conflicted else (),
        )
        out.pull_request = open_pull_request(
            config, member.project or project_from_url(remote_url), pr
        )
    except GitError as exc:
        raise MemberError("publish", f"push to remote failed: {exc.stderr}") from exc
    except PublishError as exc:
        raise MemberError("publish", str(exc)) from exc
