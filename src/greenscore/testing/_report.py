"""check_rubric(): run lint and the properties under hypothesis, and report with shrunk examples."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from greenscore.rubric import models as m
from greenscore.rubric.load import RubricLike, load_rubric
from greenscore.testing._context import context_for
from greenscore.testing._lint import LINT_CODES, Finding, lint
from greenscore.testing._properties import PROPERTIES, Setup, Violation
from greenscore.testing._setup import private_storage, search_settings

DEFAULT_MAX_EXAMPLES = 100
_ALLOW = re.compile(
    r"^\s*#\s*greenscore-check:\s*allow\s+(?P<names>[\w\-]+(?:\s*,\s*[\w\-]+)*)"
    r"\s*(?:(?:--|—)\s*(?P<reason>.*?))?\s*$"
)


@dataclass(frozen=True)
class Check:
    """The outcome of one property: passed, or failed with a shrunk counterexample and why."""

    name: str
    passed: bool
    counterexample: dict[str, Any] | None
    explanation: str
    description: str = ""
    allowed: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Passed, or failed in a way the rubric's author has knowingly allowed."""
        return self.passed or self.allowed is not None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ConsistencyReport:
    """Lint findings and property checks for one rubric; `ok` only when everything holds."""

    rubric: str
    version: str
    source: str | None
    checks: tuple[Check, ...]
    findings: tuple[Finding, ...] = ()
    allowed: Mapping[str, str] = field(default_factory=dict)
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks) and not self.blocking_findings

    @property
    def failed(self) -> tuple[Check, ...]:
        """Checks that failed and are not allowed."""
        return tuple(c for c in self.checks if not c.ok)

    @property
    def blocking_findings(self) -> tuple[Finding, ...]:
        """Findings that fail the check: errors and warnings not allowed (notes never do)."""
        return tuple(
            f for f in self.findings if f.code not in self.allowed and f.severity != "note"
        )

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rubric": self.rubric,
            "version": self.version,
            "source": self.source,
            "ok": self.ok,
            "max_examples": self.max_examples,
            "seed": self.seed,
            "seconds": round(self.seconds, 3),
            "allowed": dict(self.allowed),
            "findings": [f.to_dict() for f in self.findings],
            "checks": [c.to_dict() for c in self.checks],
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    def __str__(self) -> str:
        lines = [
            f"greenscore check: {self.rubric} {self.version}"
            + (f" ({self.source})" if self.source else "")
        ]
        if self.findings:
            lines.append(f"lint: {len(self.findings)} finding(s)")
            for f in self.findings:
                mark = "allowed" if f.code in self.allowed else f.severity
                lines.append(f"  {mark.upper():8} {f}")
        else:
            lines.append("lint: no findings")
        lines.append(f"properties ({self.max_examples} examples each):")
        width = max((len(c.name) for c in self.checks), default=0)
        for c in self.checks:
            status = "PASS" if c.passed else "ALLOWED" if c.allowed is not None else "FAIL"
            text = c.description if c.passed else c.explanation
            lines.append(f"  {status:8} {c.name:{width}}  {text}")
            if not c.passed and c.allowed:
                lines.append(f"  {'':8} {'':{width}}  allowed: {c.allowed}")
            if c.counterexample is not None:
                shown = json.dumps(c.counterexample, ensure_ascii=False, sort_keys=False)
                lines.append(f"  {'':8} {'':{width}}  counterexample: {shown}")
            for note in c.notes:
                if note:
                    lines.append(f"  {'':8} {'':{width}}  note: {note}")
        held = sum(c.passed for c in self.checks)
        allowed = sum(not c.passed and c.allowed is not None for c in self.checks)
        blocking = len(self.blocking_findings)
        verdict = "OK" if self.ok else "FAILED"
        lines.append(
            f"{verdict}: {held}/{len(self.checks)} properties hold"
            + (
                f" ({allowed} known violation{'s' if allowed != 1 else ''} allowed)"
                if allowed
                else ""
            )
            + f", {blocking} blocking lint finding(s), {self.seconds:.1f} s"
        )
        return "\n".join(lines)


class _Failed(Exception):
    """Raised inside a hypothesis test body when a property is violated."""


def _hunt(
    strategy: Any,
    body: Callable[[Any], Violation | None],
    present: Callable[[Any], dict[str, Any]],
    max_examples: int,
    seed: int | None,
) -> Violation | None:
    """Search for an example the body rejects; the last one recorded is hypothesis's shrunk one."""
    from hypothesis import given
    from hypothesis import seed as seeded
    from hypothesis.errors import Unsatisfiable

    record: list[Violation] = []

    def test(example: Any) -> None:
        try:
            problem = body(example)
        except Exception as exc:
            problem = Violation(f"scoring raised {type(exc).__name__}: {exc}")
        if problem is not None:
            record.append(Violation(problem.explanation, present(example)))
            raise _Failed

    apply = search_settings(max_examples, seed)
    wrapped: Callable[[], None] = apply(given(strategy)(test))  # type: ignore[no-untyped-call]
    if seed is not None:
        wrapped = seeded(seed)(wrapped)
    try:
        wrapped()
    except _Failed:
        return record[-1]
    except Unsatisfiable:
        return None
    return None


def run_setup(setup: Setup, max_examples: int, seed: int | None) -> Violation | None:
    """Run a prepared property under hypothesis: its severe form first, then the full one."""
    if setup.failure is not None:
        return setup.failure
    strategy = setup.strategy
    bodies = [b for b in (setup.severe, setup.body) if b is not None]
    for body in bodies if strategy is not None else []:
        problem = _hunt(strategy, body, setup.present, max_examples, seed)
        if problem is not None:
            return problem
    if setup.finish is not None:
        return setup.finish()
    return None


def allowances(text: str) -> dict[str, str]:
    """Known violations a rubric accepts, from lines `# greenscore-check: allow NAME -- reason`."""
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = _ALLOW.match(line)
        if match:
            reason = (match.group("reason") or "").strip() or "no reason given"
            for name in re.split(r"\s*,\s*", match.group("names")):
                found[name] = f"{reason} (rubric line {number})"
    return found


def _source_text(rubric: m.Rubric) -> str | None:
    source = rubric.source_file
    if source is None:
        return None
    path = Path(source)
    if path.is_file():
        return path.read_text(encoding="utf-8")
    prefix = "greenscore/_rubrics/"
    if source.startswith(prefix):
        resource = resources.files("greenscore") / "_rubrics" / source.removeprefix(prefix)
        if resource.is_file():
            return resource.read_text(encoding="utf-8")
    return None


def check_rubric(
    rubric: RubricLike = None,
    *,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int | None = None,
    allow: Iterable[str] = (),
    properties: Iterable[str] | None = None,
    run_lint: bool = True,
) -> ConsistencyReport:
    """Lint a rubric and run the consistency properties on it; deterministic unless seeded.

    `allow` names properties or lint codes whose violations are known and accepted; the rubric
    can also say so itself in a comment line ``# greenscore-check: allow NAME -- reason``.
    """
    started = time.perf_counter()
    loaded = load_rubric(rubric)
    text = _source_text(loaded)
    allowed = allowances(text) if text is not None else {}
    for name in allow:
        allowed.setdefault(name, "allowed on the command line")
    known = set(PROPERTIES) | set(LINT_CODES)
    unknown = sorted(set(allowed) - known)
    if unknown:
        raise ValueError(f"cannot allow unknown checks {unknown}; known: {sorted(known)}")
    names = list(PROPERTIES) if properties is None else list(properties)
    for name in names:
        if name not in PROPERTIES:
            raise ValueError(f"unknown property {name!r}; known: {list(PROPERTIES)}")
    ctx = context_for(loaded)
    checks = []
    with private_storage():
        for name in names:
            prop = PROPERTIES[name]
            try:
                setup = prop.prepare(ctx, max_examples)
                problem = run_setup(setup, max_examples, seed)
            except Exception as exc:
                setup = Setup(prop.description)
                problem = Violation(f"the check itself raised {type(exc).__name__}: {exc}")
            checks.append(
                Check(
                    name=name,
                    passed=problem is None,
                    counterexample=None if problem is None else problem.counterexample,
                    explanation="" if problem is None else problem.explanation,
                    description=setup.summary,
                    allowed=allowed.get(name) if problem is not None else None,
                    notes=tuple(setup.notes),
                )
            )
    findings = tuple(lint(loaded)) if run_lint else ()
    return ConsistencyReport(
        rubric=loaded.name,
        version=loaded.version,
        source=loaded.source_file,
        checks=tuple(checks),
        findings=findings,
        allowed=allowed,
        max_examples=max_examples,
        seed=seed,
        seconds=time.perf_counter() - started,
    )


def assert_consistent(
    rubric: RubricLike = None,
    *,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int | None = None,
    allow: Iterable[str] = (),
) -> ConsistencyReport:
    """Fail (AssertionError with the readable report) unless the rubric passes lint and every check."""
    report = check_rubric(rubric, max_examples=max_examples, seed=seed, allow=allow)
    if not report.ok:
        raise AssertionError(str(report))
    return report
