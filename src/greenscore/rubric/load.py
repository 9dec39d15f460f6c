"""Load a rubric from YAML: structure via pydantic, then cross-references; every problem located."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from greenscore.errors import InputFileError, RubricError, RubricProblem
from greenscore.methods import method_of
from greenscore.methods.base import fmt
from greenscore.rubric import models as m
from greenscore.rubric import salvage
from greenscore.rubric.consequences import consequence_problems
from greenscore.rubric.formula import Formula, FormulaError, parse_formula
from greenscore.rubric.graph import base_inputs
from greenscore.rubric.messages import data_path
from greenscore.rubric.messages import hint as _did_you_mean
from greenscore.rubric.messages import message as _worded
from greenscore.rubric.places import pool_problems, tier_problems, unbounded_worst_problems
from greenscore.rubric.safe_yaml import LocatedDocument, load_located, read_located
from greenscore.rubric.track import track_problems
from greenscore.rubric.yaml_syntax import dump_yaml
from greenscore.rubric.yaml_values import format_path

DEFAULT_RUBRIC = "jiangxi-parks.yaml"
PathKey = tuple[str | int, ...]


RubricLike = str | bytes | os.PathLike[str] | m.Rubric | None


class _Collector:
    """Gathers problems with their locations in the document; with names_only, only problems of
    names (undeclared references, duplicate ids, formulas), the ones a salvaged document can
    tell (see rubric/salvage.py)."""

    def __init__(self, document: LocatedDocument, *, names_only: bool = False) -> None:
        self.document = document
        self.names_only = names_only
        self.problems: list[RubricProblem] = []

    def add(self, path: Sequence[str | int], message: str, *, naming: bool = False) -> None:
        if self.names_only and not naming:
            return
        location = self.document.locate(path)
        problem = RubricProblem(format_path(path), message, location)
        if problem not in self.problems:
            self.problems.append(problem)


StructureError = tuple[PathKey, str, str]


def _validate(data: Any) -> tuple[m.Rubric | None, list[StructureError]]:
    """The rubric, or its structure errors as (path, message, pydantic error type)."""
    try:
        return m.Rubric.model_validate(data, strict=True), []
    except ValidationError as exc:
        errors: list[StructureError] = []
        for error in exc.errors():
            path = data_path(data, error["loc"])
            if error["type"] == "missing" and path:
                message = f"required key {path[-1]!r} is missing"
                errors.append((path[:-1], message, "missing"))
            else:
                errors.append((path, _worded(error, path), error["type"]))
        return None, errors


def _structure(document: LocatedDocument) -> tuple[m.Rubric | None, list[RubricProblem]]:
    """The rubric and no problems; or its structure problems and, where removing the offending
    single-value keys leaves a valid document, the problems of names found on that."""
    rubric, errors = _validate(document.data)
    if rubric is not None:
        return rubric, []
    collector = _Collector(document)
    for path, message, _ in errors:
        collector.add(path, message)
    data, pruned = document.data, list[PathKey]()
    for _ in range(salvage.ROUNDS):
        cut = [(path, kind) for path, _, kind in errors if salvage.prunable(data, path, kind)]
        if not cut:
            break
        pruned += [path for path, kind in cut if kind != "extra_forbidden"]
        data = salvage.without_keys(data, (path for path, _ in cut))
        rubric, errors = _validate(data)
        for path, message, kind in errors:
            if not salvage.caused_by_pruning(path, kind, pruned):
                collector.add(path, message)
        if rubric is not None:
            names = _Collector(document, names_only=True)
            _references(names, rubric)
            for problem in names.problems:
                if problem not in collector.problems:
                    collector.problems.append(problem)
            break
    return None, collector.problems


def _parse(collector: _Collector, path: PathKey, text: str, known: set[str]) -> Formula | None:
    try:
        formula = parse_formula(text)
    except FormulaError as exc:
        collector.add(
            path,
            f"unsafe or invalid formula {text!r}: {exc.message} (column {exc.column})",
            naming=True,
        )
        return None
    for name in sorted(formula.names - known):
        collector.add(
            path,
            f"formula refers to undeclared input {name!r}{_did_you_mean(name, known)}",
            naming=True,
        )
    return formula


def _off_scale(what: str, points: float, scale: m.Scale) -> str:
    low, high = fmt(scale.min), fmt(scale.max)
    return (
        f"{what} scores {fmt(points)}, outside the scale {low}–{high}: band and category "
        f"points are scores on the scale, so write a number from {low} to {high}"
    )


def _duplicates(collector: _Collector, items: Iterable[tuple[PathKey, str]], what: str) -> None:
    first: dict[str, PathKey] = {}
    for path, name in items:
        if name in first:
            collector.add(
                path,
                f"duplicate {what} id {name!r} (first at {format_path(first[name])})",
                naming=True,
            )
        else:
            first[name] = path


def _derived_cycles(collector: _Collector, rubric: m.Rubric, formulas: dict[str, Formula]) -> None:
    graph = {name: formula.names & formulas.keys() for name, formula in formulas.items()}
    state: dict[str, int] = {}
    index = {d.id: i for i, d in enumerate(rubric.derived)}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for dep in sorted(graph[name]):
            if state.get(dep) == 1:
                cycle = [*trail[trail.index(dep) :], dep] if dep in trail else [name, dep]
                collector.add(
                    ("derived", index[dep], "formula"),
                    f"derived inputs form a cycle: {' -> '.join(cycle)}",
                    naming=True,
                )
            elif dep not in state:
                visit(dep, [*trail, dep])
        state[name] = 2

    for name in graph:
        if name not in state:
            visit(name, [name])


def _history_over_derived(
    collector: _Collector,
    rubric: m.Rubric,
    formulas: Mapping[str, Formula],
    over_derived: Iterable[tuple[int, str]],
) -> None:
    """A history statistic of a derived input recomputes its formula in each earlier period from
    the declared inputs of that period, so the formula may not read a statistic over periods."""
    statistics = {d.id for d in rubric.derived if d.history is not None}
    reads = {name: formula.names for name, formula in formulas.items()}
    for i, name in over_derived:
        behind = sorted(base_inputs([name], reads) & statistics)
        if behind:
            via = "is" if behind == [name] else f"reads {', '.join(map(repr, behind))},"
            collector.add(
                ("derived", i, "history", "input"),
                f"{name!r} {via} a statistic over periods, which earlier periods do not have; "
                "take the history of an input or of a formula over inputs",
                naming=True,
            )


def _references(collector: _Collector, rubric: m.Rubric) -> None:
    inputs = {spec.id: spec for spec in rubric.inputs}
    reserved = {rubric.entity, rubric.period, *rubric.attributes, *rubric.pools}
    _duplicates(
        collector,
        [(("inputs", i, "id"), s.id) for i, s in enumerate(rubric.inputs)]
        + [(("derived", i, "id"), d.id) for i, d in enumerate(rubric.derived)],
        "input",
    )
    for i, spec in enumerate(rubric.inputs):
        if spec.id in reserved:
            collector.add(
                ("inputs", i, "id"), f"{spec.id!r} is the entity, period, an attribute or a pool"
            )

    known = set(inputs)
    formulas: dict[str, Formula] = {}
    derived_ids = {d.id for d in rubric.derived}
    over_derived: list[tuple[int, str]] = []
    for i, derived in enumerate(rubric.derived):
        if derived.history is not None:
            name = derived.history.input
            if name in derived_ids:
                over_derived.append((i, name))
            elif name not in inputs:
                collector.add(
                    ("derived", i, "history", "input"),
                    f"undeclared input {name!r}{_did_you_mean(name, [*inputs, *derived_ids])}",
                    naming=True,
                )
            elif inputs[name].type not in ("number", "integer"):
                collector.add(("derived", i, "history", "input"), f"{name!r} is not numeric")
            continue
        assert derived.formula is not None
        formula = _parse(collector, ("derived", i, "formula"), derived.formula, known | derived_ids)
        if formula is not None:
            formulas[derived.id] = formula
    _derived_cycles(collector, rubric, formulas)
    _history_over_derived(collector, rubric, formulas, over_derived)
    known |= derived_ids

    dims = rubric.located_dimensions()
    nodes: list[tuple[PathKey, str]] = [((*p, "id"), d.id) for p, d in dims]
    indicator_paths: list[tuple[PathKey, m.Indicator]] = [
        ((*p, "indicators", j), ind) for p, d in dims for j, ind in enumerate(d.indicators)
    ]
    nodes += [((*p, "id"), ind.id) for p, ind in indicator_paths]
    _duplicates(collector, nodes, "dimension or indicator")

    for path, ind in indicator_paths:
        if ind.onto is not None and (
            ind.onto[0] < rubric.scale.min or ind.onto[1] > rubric.scale.max
        ):
            collector.add((*path, "onto"), f"onto {list(ind.onto)} leaves the scale")
        method = method_of(ind)
        for where, message in method.check_inputs(ind, inputs, known, _did_you_mean):
            collector.add((*path, *where), message, naming=message.startswith("undeclared "))
        for where, what, points in method.points(ind):
            if not rubric.scale.min <= points <= rubric.scale.max:
                collector.add((*path, *where), _off_scale(what, points, rubric.scale))

    indicator_ids = {ind.id for _, ind in indicator_paths}
    dimension_ids = {d.id for _, d in dims}
    tier_ids = [t.id for t in rubric.tiers]
    veto_ids = {v.id for v in rubric.vetoes if v.kind != "bonus"}
    bonus_ids = {v.id for v in rubric.vetoes if v.kind == "bonus"}
    for key, kind in (("bonus_cap", "bonus"), ("deduction_cap", "deduct")):
        if getattr(rubric.total, key) is not None and not any(
            v.kind == kind for v in rubric.vetoes
        ):
            collector.add(("total", key), f"{key} is set but the rubric has no {kind} item")
    _duplicates(
        collector, [(("vetoes", i, "id"), v.id) for i, v in enumerate(rubric.vetoes)], "veto"
    )
    _duplicates(collector, [(("tiers", i, "id"), t.id) for i, t in enumerate(rubric.tiers)], "tier")

    formula_reads = {name: formula.valued for name, formula in formulas.items()}
    for i, veto in enumerate(rubric.vetoes):
        path = ("vetoes", i)
        used: set[str] = set()
        if veto.when is not None:
            formula = _parse(collector, (*path, "when"), veto.when, known)
            used |= formula.valued if formula else set()
        if isinstance(veto.points, str):
            formula = _parse(collector, (*path, "points"), veto.points, known)
            used |= formula.valued if formula else set()
        if veto.tier is not None and veto.tier not in tier_ids:
            collector.add(
                (*path, "tier"),
                f"undeclared tier {veto.tier!r}{_did_you_mean(veto.tier, tier_ids)}",
                naming=True,
            )
        if veto.kind == "bonus":
            continue
        for name in sorted(used):
            for base in sorted(base_inputs([name], formula_reads)):
                base_spec = inputs.get(base)
                if base_spec is not None and not base_spec.required:
                    collector.add(
                        (*path, "when" if veto.when else "points"),
                        f"veto reads optional input {base!r}: a park could escape the veto by "
                        "leaving it blank; declare it required",
                    )

    for path, message in [
        *pool_problems(rubric),
        *tier_problems(rubric),
        *unbounded_worst_problems(rubric),
    ]:
        collector.add(path, message)
    for i, tier in enumerate(rubric.tiers):
        for k, cond in enumerate(tier.conditions):
            cpath = ("tiers", i, "conditions", k)
            if isinstance(cond, m.DimensionMin):
                for dim_id in cond.dimensions or []:
                    if dim_id not in dimension_ids:
                        collector.add(
                            (*cpath, "dimensions"),
                            f"undeclared dimension {dim_id!r}{_did_you_mean(dim_id, dimension_ids)}",
                            naming=True,
                        )
            elif isinstance(cond, m.IndicatorMin):
                if cond.indicator not in indicator_ids:
                    collector.add(
                        (*cpath, "indicator"),
                        f"undeclared indicator {cond.indicator!r}"
                        f"{_did_you_mean(cond.indicator, indicator_ids)}",
                        naming=True,
                    )
            else:
                for veto_id in cond.vetoes or []:
                    if veto_id in bonus_ids:
                        collector.add(
                            (*cpath, "vetoes"),
                            f"{veto_id!r} is a bonus item, not a veto: no_veto cannot name it",
                        )
                    elif veto_id not in veto_ids:
                        collector.add(
                            (*cpath, "vetoes"),
                            f"undeclared veto {veto_id!r}{_did_you_mean(veto_id, veto_ids)}",
                            naming=True,
                        )
    for path, message in consequence_problems(rubric):
        collector.add(path, message)
    if rubric.track is not None:
        for path, message in track_problems(
            rubric.track,
            tiers=[t.id for t in rubric.tiers],
            vetoes=[v.id for v in rubric.vetoes],
            dimensions=[d.id for _, d in rubric.iter_dimensions()],
            values=[v.id for v in rubric.consequence_values],
        ):
            collector.add(path, message)


def _by_line(problems: list[RubricProblem]) -> list[RubricProblem]:
    """Problems in the order of the file, so a user fixes them top down."""
    return sorted(
        problems, key=lambda p: (p.location.line, p.location.column) if p.location else (0, 0)
    )


def validate_document(document: LocatedDocument) -> m.Rubric:
    """Turn a located YAML document into a Rubric, or raise one RubricError listing every problem."""
    data = document.data
    if isinstance(data, dict) and set(data) == {"rubric"} and isinstance(data["rubric"], dict):
        raise RubricError(
            [
                RubricProblem(
                    "rubric", "put the rubric's keys at the top level", document.locate(())
                )
            ],
            document.file,
        )
    rubric, problems = _structure(document)
    if rubric is None:
        raise RubricError(_by_line(problems), document.file)
    collector = _Collector(document)
    _references(collector, rubric)
    if collector.problems:
        raise RubricError(_by_line(collector.problems), document.file)
    rubric.attach_source(document)
    return rubric


def is_yaml_text(source: str) -> bool:
    """The rule for a str rubric: YAML text if it has a line break or starts with '{' (a flow
    mapping, as JSON is); any other str is a file path, whatever it ends in."""
    return "\n" in source or "\r" in source or source.lstrip("\ufeff \t").startswith("{")


_ACCEPTED = (
    "a file path (str or os.PathLike), YAML text (str with a line break or starting with '{', "
    "or UTF-8 bytes), a loaded greenscore Rubric, or None for the bundled rubric"
)


def _unsupported(source: object) -> RubricError:
    shown = repr(source)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    hint = ""
    if isinstance(source, Mapping):
        hint = "; write a mapping out as YAML text (yaml.safe_dump) or to a file first"
    message = f"cannot load a rubric from {type(source).__name__} {shown}: pass {_ACCEPTED}{hint}"
    return RubricError([RubricProblem("", message)])


def _read_path(source: str | os.PathLike[str] | os.PathLike[bytes]) -> LocatedDocument:
    name = os.fsdecode(source)
    if not name.strip():
        raise InputFileError("rubric file name is empty (pass None for the bundled rubric)")
    try:
        return read_located(Path(name))
    except InputFileError as exc:
        if isinstance(source, str) and ": " in source and not os.path.lexists(name):
            raise InputFileError(
                f"{exc} (a str without a line break is read as a file path; YAML text must "
                "span lines or start with '{')"
            ) from exc
        raise


FILE_CACHE_SIZE = 32
_FileKey = tuple[str, str]
_FileStamp = tuple[int, int, int, int, int]
_files: OrderedDict[_FileKey, tuple[_FileStamp, m.Rubric]] = OrderedDict()
_files_lock = threading.Lock()


def _load_file(source: str | os.PathLike[str]) -> m.Rubric:
    """A rubric file, read and validated once while it stays unchanged: cached by the name given,
    its resolved path and its stat (device, inode, size, mtime_ns, ctime_ns), so that scoring
    many profiles against ``rubric="x.yaml"`` does not re-read it and a rewritten file is re-read."""
    name = os.fsdecode(source)
    try:
        key = (name, os.path.realpath(name))
        st = os.stat(name)
    except (OSError, ValueError):
        return validate_document(_read_path(source))
    stamp = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    with _files_lock:
        cached = _files.get(key)
        if cached is not None and cached[0] == stamp:
            _files.move_to_end(key)
            return cached[1]
    rubric = validate_document(_read_path(source))
    with _files_lock:
        _files[key] = (stamp, rubric)
        _files.move_to_end(key)
        while len(_files) > FILE_CACHE_SIZE:
            _files.popitem(last=False)
    return rubric


def load_rubric(source: RubricLike = None) -> m.Rubric:
    """Load a rubric from a path, YAML text (see is_yaml_text), an already loaded Rubric, or None
    for the bundled one; anything else is a RubricError naming what is accepted. A file is read
    once and the same Rubric returned until the file changes (see _load_file)."""
    if source is None:
        return default_rubric()
    if isinstance(source, m.Rubric):
        return source
    if isinstance(source, bytes) or (isinstance(source, str) and is_yaml_text(source)):
        return validate_document(load_located(source))
    if isinstance(source, str | os.PathLike):
        return _load_file(source)
    raise _unsupported(source)


@lru_cache(maxsize=4)
def bundled_rubric(name: str) -> m.Rubric:
    """A rubric shipped with greenscore, by file name (``development-zones.yaml``)."""
    resource = resources.files("greenscore") / "_rubrics" / name
    text = resource.read_text(encoding="utf-8")
    return validate_document(load_located(text, file=f"greenscore/_rubrics/{name}"))


def default_rubric() -> m.Rubric:
    """The bundled Jiangxi industrial-park green-development rubric."""
    return bundled_rubric(DEFAULT_RUBRIC)


def rubric_dict(rubric: m.Rubric, *, complete: bool = False) -> dict[str, Any]:
    """The rubric as plain data; complete=True keeps defaults (the canonical form)."""
    return rubric.model_dump(
        mode="json", by_alias=True, exclude_none=not complete, exclude_defaults=not complete
    )


def rubric_sha256(rubric: m.Rubric) -> str:
    """sha256 of the canonical form: the same rubric hashes the same whatever its YAML layout."""
    canonical = json.dumps(
        rubric_dict(rubric, complete=True), sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def rubric_yaml(rubric: m.Rubric) -> str:
    """The rubric written back as YAML (defaults left out); loading it gives the same rubric."""
    data = rubric_dict(rubric)
    for key in ("scale",):
        data.setdefault(key, rubric_dict(rubric, complete=True)[key])
    return dump_yaml(data)
