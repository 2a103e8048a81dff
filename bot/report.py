"""What happened in a run, as one value: the source of outputs, summary and replies."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.spend import LayerSpend


class Conclusion(enum.Enum):
    PR_OPENED = "pr_opened"
    PR_UPDATED = "pr_updated"
    PUSHED = "pushed"
    NO_CHANGES = "no_changes"
    PLANNED = "planned"  # a plan was posted; nothing was committed
    REVIEWED = "reviewed"  # a pull-request review was posted; nothing was committed
    SKIPPED = "skipped"
    UNAUTHORIZED = "unauthorized"
    FAILED = "failed"


@dataclass(frozen=True)
class Report:
    conclusion: Conclusion
    summary: str
    prompt: str = ""
    requester: str | None = None
    branch: str = ""
    pr_url: str = ""
    pr_number: int | None = None
    files: tuple[str, ...] = ()
    run_url: str | None = None
    # Stopped by the deadline or a cancellation; what existed was kept as a draft.
    partial: bool = False
    # Where the change went when it is not where the request was made (messages.redirect_note).
    note: str = ""
    tokens: int = 0
    # What the model cost (None: a model had no price); per layer for the job summary.
    cost_usd: float | None = None
    layers: tuple[tuple[str, LayerSpend], ...] = ()
    duration_seconds: float = 0.0
    # Changed by earlier steps of the job before the agent started: not part of the change.
    left_out: tuple[str, ...] = ()
    # A planning run's plan, as the reply shows it (with its markers).
    plan: str = ""
    # Why the final reply could not be posted (a read-only token, …); "" when it was.
    unposted: str = ""
    # Pushed, but GitHub would not let the token open the pull request into this base;
    # the page that opens it by hand.
    unopened: str = ""
    compare_url: str = ""
    # The commit pushed, and its page.
    commit: str = ""
    commit_url: str = ""
    # Whether the forge made (and signed) the commit pushed; why not, when that was asked.
    signed: bool = False
    unsigned: str = ""
    # A review run's review: where it is, and how many comments it put on the diff.
    review_url: str = ""
    review_comments: int = 0

    @property
    def exit_code(self) -> int:
        return 1 if self.conclusion is Conclusion.FAILED or self.partial or self.unopened else 0

    def outputs(self) -> dict[str, str]:
        """The step outputs declared in action.yml."""
        return {
            "conclusion": self.conclusion.value,
            "pr_url": self.pr_url,
            "pr_number": str(self.pr_number or ""),
            "branch": self.branch,
            "summary": self.summary,
            "files_changed": str(len(self.files)),
            "tokens": str(self.tokens),
            "cost_usd": "" if self.cost_usd is None else f"{self.cost_usd:.4f}",
            "duration_seconds": f"{self.duration_seconds:.1f}",
            "review_url": self.review_url,
            "review_comments": str(self.review_comments) if self.review_url else "",
            "signed": ("true" if self.signed else "false") if self.commit else "",
        }


def combine(reports: list[Report]) -> Report:
    """One report for several tasks: the most telling conclusion, every link, every line."""
    order = [
        Conclusion.FAILED,
        Conclusion.PR_OPENED,
        Conclusion.PR_UPDATED,
        Conclusion.PUSHED,
        Conclusion.NO_CHANGES,
        Conclusion.PLANNED,
        Conclusion.REVIEWED,
        Conclusion.SKIPPED,
    ]
    conclusion = next(c for c in order if c in {r.conclusion for r in reports})
    return Report(
        conclusion=conclusion,
        summary="\n".join(f"{r.branch}: {r.summary}" for r in reports),
        prompt="\n\n".join(r.prompt for r in reports),
        branch="\n".join(r.branch for r in reports if r.pr_url or r.files),
        pr_url="\n".join(r.pr_url for r in reports if r.pr_url),
        pr_number=next((r.pr_number for r in reports if r.pr_number), None),
        files=tuple(path for r in reports for path in r.files),
        left_out=tuple(dict.fromkeys(path for r in reports for path in r.left_out)),
        run_url=reports[0].run_url,
        partial=any(r.partial for r in reports),
        tokens=sum(r.tokens for r in reports),
        cost_usd=None
        if any(r.cost_usd is None for r in reports)
        else sum(r.cost_usd or 0.0 for r in reports),
        layers=_sum_layers(reports),
        duration_seconds=max(r.duration_seconds for r in reports),
        commit=next((r.commit for r in reversed(reports) if r.commit), ""),
        signed=all(r.signed for r in reports if r.commit),
        unsigned="; ".join(r.unsigned for r in reports if r.unsigned),
    )


def _sum_layers(reports: list[Report]) -> tuple[tuple[str, LayerSpend], ...]:
    total: dict[str, LayerSpend] = {}
    for report in reports:
        for name, spend in report.layers:
            total[name] = total.get(name, LayerSpend()) + spend
    return tuple(total.items())
