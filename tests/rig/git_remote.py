"""A git remote over smart HTTP, like GitHub's: ``git http-backend`` behind token auth
(git_http.py), its objects also written through the Git Data API's rules (``objects``).

Clients authenticate as ``x-access-token:<token>`` with HTTP basic auth (what the
bot sends); anything else gets 401 and is recorded.

Like a ruleset's "Require signed commits", ``require_signatures(branch)`` makes it refuse a
push to that branch of a commit GitHub did not sign (only commits made by the API without a
committer are), with GitHub's GH013 message, by a pre-receive hook.

Like GitHub, it has ``refs/pull/<N>/head`` for pull requests: the GitHub fake tells it which
branch a same-repository pull request follows (``track_pull``) and the ref follows that
branch's pushes; a test makes a fork's by pushing there, ``git push <url> <sha>:refs/pull/N/head``
(GitHub would refuse that push: it alone writes refs/pull/*).

Standalone (Docker smoke test): python tests/rig/git_remote.py --root DIR
--full-name owner/repo --token T [--port N] seeds ``DIR/owner/repo.git`` unless it
exists, serves it until SIGTERM/SIGINT and prints "READY <clone url>".
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

if not __package__:  # run as a script: import the sibling modules as package "tests.rig"
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "tests.rig"

from .git_diff import DiffFile, parse_diff
from .git_http import GitHttpServer
from .git_objects import REQUIRED_FILE, SIGNATURE_RULE, SIGNED_FILE, GitObjects


def git(*argv: str, cwd: Path | None = None, check: bool = True) -> str:
    """git's output; with ``check=False`` a failure is no error, just (usually) no output."""
    done = subprocess.run(["git", *argv], cwd=cwd, capture_output=True, text=True, check=check)
    return done.stdout


def committed(work: Path, message: str) -> str:
    """Everything in the working tree `work` committed by a test's author; its sha."""
    git("add", "-A", cwd=work)
    who = ["-c", "user.name=A Test", "-c", "user.email=test@example.com"]
    git(*who, "commit", "--quiet", "--message", message, cwd=work)
    return git("rev-parse", "HEAD", cwd=work).strip()


# What GitHub's diffs look like whatever the local git config says: 3 lines of context,
# hunks not merged across unchanged lines, renames found, no colour or external tools.
_DIFF = (
    "diff",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "-U3",
    "--inter-hunk-context=0",
    "--diff-algorithm=myers",
    "-M",
)

# GitHub's answer to a push of commits it did not sign to a branch whose ruleset requires
# signed commits (GH013); the commits the push brings to the branch are the ones checked.
_PRE_RECEIVE = f"""#!/bin/sh
required={REQUIRED_FILE} signed={SIGNED_FILE} refused=0
[ -f "$required" ] || exit 0
[ -f "$signed" ] || signed=/dev/null
while read -r old new ref; do
  grep -qxF "$ref" "$required" || continue
  [ "$new" = 0000000000000000000000000000000000000000 ] && continue
  if [ "$old" = 0000000000000000000000000000000000000000 ]; then since=--all; else since=$old; fi
  unsigned=$(git rev-list "$new" --not "$since" | grep -vxF -f "$signed")
  [ -n "$unsigned" ] || continue
  count=$(echo "$unsigned" | wc -l | tr -d ' ')
  if [ "$count" = 1 ]; then found="1 violation"; else found="$count violations"; fi
  {{
    echo "error: GH013: Repository rule violations found for $ref."
    echo "Review all repository rules at WEB/rules?ref=$(echo "$ref" | sed 's|/|%2F|g')"
    echo ""
    echo "- {SIGNATURE_RULE}"
    echo "  Found $found:"
    echo ""
    echo "$unsigned" | sed 's/^/  /'
    echo ""
  }} >&2
  refused=1
done
exit $refused
"""


class GitRemote:
    """A bare repository ``<owner>/<repo>.git`` served over HTTP on 127.0.0.1."""

    def __init__(self, root: Path, *, full_name: str, token: str, default_branch: str = "main"):
        self.root = root
        self.full_name = full_name
        self.token = token
        self.default_branch = default_branch
        self.bare = root / f"{full_name}.git"
        self.auth_headers: list[str] = []
        self.rejected = 0
        self._server: GitHttpServer | None = None
        self._pull_branches: dict[int, str] = {}  # same-repository pull request -> its head
        self._lock = threading.Lock()
        # The Git Data API's view of the bare repository; refs/pull/N/head follow its updates.
        self.objects = GitObjects(self.bare, ("GitHub", "noreply@github.com"))
        self.objects.ref_listeners.append(lambda ref, sha: self.sync_pull_heads())

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/{self.full_name}.git"

    def seed(self, files: dict[str, str]) -> None:
        """Create the bare repository with one commit holding ``files``."""
        work = self.root / "seed"
        work.mkdir(parents=True)
        git("init", "-q", "-b", self.default_branch, cwd=work)
        for name, text in files.items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            (work / name).write_text(text)
        git("add", "-A", cwd=work)
        git(
            "-c",
            "user.name=Maintainer",
            "-c",
            "user.email=m@example.com",
            "commit",
            "-qm",
            "Initial commit",
            cwd=work,
        )
        self.bare.parent.mkdir(parents=True, exist_ok=True)
        git("clone", "-q", "--bare", str(work), str(self.bare))
        git("config", "http.receivepack", "true", cwd=self.bare)
        shutil.rmtree(work)
        self._install_hook()

    def clone(self, dest: Path) -> Path:
        """A checkout like actions/checkout leaves: origin points at the HTTP remote."""
        git("clone", "-q", str(self.bare), str(dest))
        git("remote", "set-url", "origin", self.url, cwd=dest)
        return dest

    def branch_sha(self, branch: str) -> str | None:
        return self.objects.ref(f"heads/{branch}")  # exactly: "codex" is not "codex/issue-1"

    def require_signatures(self, branch: str) -> None:
        """From now on refuse a push or an API update of ``branch`` to commits GitHub did not
        sign, as a ruleset's "Require signed commits" does. (The GitHub fake's
        ``require_signatures`` also reports the rule on ``GET /rules/branches/{branch}``.)"""
        self.objects.require_signatures(branch)
        self._install_hook()

    def _install_hook(self) -> None:
        if self._server is not None and self.bare.exists():
            hook = self.bare / "hooks" / "pre-receive"
            hook.parent.mkdir(exist_ok=True)
            hook.write_text(_PRE_RECEIVE.replace("WEB", self.url.removesuffix(".git")))
            hook.chmod(0o755)

    def commits_between(self, base: str, head: str) -> int:
        return int(git("rev-list", "--count", f"{base}..{head}", cwd=self.bare).strip())

    def pull_head(self, number: int) -> str | None:
        """The commit of ``refs/pull/<number>/head``, None without that ref."""
        out = git(
            "for-each-ref", "--format=%(objectname)", f"refs/pull/{number}/head", cwd=self.bare
        )
        return out.strip() or None

    def track_pull(self, number: int, branch: str) -> None:
        """Keep ``refs/pull/<number>/head`` at ``branch``'s tip from now on, as GitHub does for
        a pull request from a branch of this repository."""
        with self._lock:
            self._pull_branches[number] = branch
        self.sync_pull_heads()

    def sync_pull_heads(self) -> None:
        """Move each tracked ``refs/pull/N/head`` to its branch; a deleted branch leaves the
        ref where it was (GitHub keeps a merged pull request's head)."""
        with self._lock:
            for number, branch in self._pull_branches.items():
                sha = self.branch_sha(branch)
                if sha is not None and sha != self.pull_head(number):
                    git("update-ref", f"refs/pull/{number}/head", sha, cwd=self.bare)

    def diff_files(self, base_branch: str, head_sha: str) -> list[DiffFile]:
        """A pull request's files as GitHub lists them: ``head_sha`` against its merge base
        with ``base_branch``; none when either is unknown."""
        base = git("merge-base", f"refs/heads/{base_branch}", head_sha, cwd=self.bare, check=False)
        if not base.strip():
            return []
        commits = (base.strip(), head_sha)
        raw = git(*_DIFF, "--raw", "-z", "--no-abbrev", *commits, cwd=self.bare)
        return parse_diff(raw, git(*_DIFF, "-p", *commits, cwd=self.bare))

    def show(self, branch: str, path: str) -> str:
        return git("show", f"{branch}:{path}", cwd=self.bare)

    def log(self, branch: str, fmt: str = "%an <%ae>%n%B") -> str:
        return git("log", "-1", f"--format={fmt}", branch, cwd=self.bare)

    def start(self, port: int = 0) -> None:
        server = GitHttpServer(("127.0.0.1", port), self)
        self._server = server
        self._install_hook()  # inert until require_signatures names a branch
        # A short poll: stopping the server waits for one, and every test stops one.
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> GitRemote:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a git remote over smart HTTP.")
    parser.add_argument("--root", type=Path, required=True, help="where the bare repo lives")
    parser.add_argument("--full-name", required=True, help="owner/repo")
    parser.add_argument("--token", required=True, help="the x-access-token password")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--default-branch", default="main")
    parser.add_argument(
        "--file",
        action="append",
        default=[],
        metavar="PATH=TEXT",
        help="a file of the first commit (repeatable; default: a README.md)",
    )
    args = parser.parse_args(argv)
    remote = GitRemote(
        args.root.resolve(),
        full_name=args.full_name,
        token=args.token,
        default_branch=args.default_branch,
    )
    if not remote.bare.exists():
        files = dict(spec.split("=", 1) for spec in args.file)
        remote.seed(files or {"README.md": f"# {args.full_name}\n"})
    # Block the signals before the server thread starts so that only sigwait sees them.
    signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    remote.start(args.port)
    try:
        print(f"READY {remote.url}", flush=True)
        signal.sigwait(signals)
    finally:
        remote.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
