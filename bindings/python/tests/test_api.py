"""Every public name of the package is documented and annotated (help() is useful)."""

import enum
import inspect

import pytest

import caremetrics as cm
from caremetrics import _accumulator, _handle, backlog, calendar, common, contact, errors, frames, kpi, qa, queue, sketch, sla, spc, table, topk

MODULES = [cm, backlog, calendar, common, contact, errors, frames, kpi, qa, queue, sketch, sla, spc, table, topk]
# Base classes whose methods every accumulator / calendar / policy inherits.
BASES = [_accumulator.Accumulator, _handle.Handle]


def public_objects():
    seen = set()
    for base in BASES:
        yield from members(base)
        seen.add(id(base))
    for mod in MODULES:
        assert mod.__doc__ and mod.__doc__.strip(), f"{mod.__name__} has no docstring"
        for name, obj in vars(mod).items():
            if name.startswith("_") or not getattr(obj, "__module__", "").startswith("caremetrics"):
                continue
            if not (inspect.isclass(obj) or inspect.isfunction(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            if obj.__module__.startswith("caremetrics._") and inspect.isfunction(obj):
                continue  # a helper imported from a private module
            yield f"{obj.__module__}.{obj.__qualname__}", obj
            if inspect.isclass(obj) and not issubclass(obj, enum.Enum):
                yield from members(obj)


def members(cls):
    for attr, member in vars(cls).items():
        if attr.startswith("_") and attr not in ("__init__",):
            continue
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        if inspect.isfunction(member) or isinstance(member, property):
            yield f"{cls.__module__}.{cls.__qualname__}.{attr}", member


def check_annotations(name, fn):
    sig = inspect.signature(fn)
    for p in sig.parameters.values():
        if p.name in ("self", "cls") or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        assert p.annotation is not p.empty, f"{name}: parameter {p.name} has no annotation"
    assert sig.return_annotation is not sig.empty, f"{name}: no return annotation"


def test_public_names_have_docstrings_and_annotations():
    problems = []
    for name, obj in public_objects():
        doc = obj.fget.__doc__ if isinstance(obj, property) else obj.__doc__
        if name.endswith(".__init__"):
            doc = "constructors are documented by their class"
        if not (doc and doc.strip()):
            problems.append(f"{name}: no docstring")
        fn = obj.fget if isinstance(obj, property) else obj
        if inspect.isfunction(fn):
            try:
                check_annotations(name, fn)
            except AssertionError as e:
                problems.append(str(e))
    assert not problems, "\n".join(problems)


def test_help_is_useful():
    text = inspect.getdoc(cm.Calendar)
    assert "tz America/New_York" in text and "ParseError" in text
    assert "datetime64" in inspect.getdoc(cm.Calendar.elapsed_many)
