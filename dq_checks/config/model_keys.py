"""The keys a definition model accepts at a place in its YAML, for "did you mean" on an unknown key.

Pydantic's `extra_forbidden` error says which key it refused, not which it would have taken; this
walks the model's field annotations along the error's location to find them. A tagged union's
member is the one the location's tag names (pydantic puts the `type:` value in the location).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence

from pydantic import BaseModel

Candidate = tuple[object, str | None]
"""A type the location may be at, and the discriminator of the tagged union it is one of, if any."""


def accepted_keys(model: type[BaseModel], location: Sequence[str | int]) -> frozenset[str]:
    """The keys the mapping at `location` may hold (empty when the walk loses its way)."""
    candidates: list[Candidate] = [(model, None)]
    for part in location:
        candidates = _step(_expanded(candidates), part)
    return frozenset(
        key for model_type, _ in _expanded(candidates) if _is_model(model_type) for key in _keys(model_type)
    )


def _step(candidates: list[Candidate], part: str | int) -> list[Candidate]:
    after: list[Candidate] = []
    for candidate, discriminator in candidates:
        if _is_model(candidate):
            field = _field_named(candidate, str(part))
            if field is not None:
                after.append(field)
            elif discriminator is not None and _tagged(candidate, discriminator, part):
                after.append((candidate, None))  # the tag names this member; the location goes on inside it
            continue
        origin = typing.get_origin(candidate)
        arguments = typing.get_args(candidate)
        if origin in (dict, Mapping) and len(arguments) == 2:
            after.append((arguments[1], None))
        elif origin in (list, tuple, Sequence, frozenset, set) and arguments and isinstance(part, int):
            after.append((arguments[0], None))
    return after


def _expanded(candidates: list[Candidate]) -> list[Candidate]:
    """Annotated and union wrappers opened, down to the types that hold values."""
    out: list[Candidate] = []
    pending = list(candidates)
    while pending:
        candidate, discriminator = pending.pop(0)
        origin = typing.get_origin(candidate)
        if origin is typing.Annotated:
            inner, *metadata = typing.get_args(candidate)
            tags = [m.discriminator for m in metadata if isinstance(getattr(m, "discriminator", None), str)]
            pending.insert(0, (inner, tags[0] if tags else discriminator))
        elif origin is typing.Union or origin is types.UnionType:
            pending[:0] = [(member, discriminator) for member in typing.get_args(candidate)]
        else:
            out.append((candidate, discriminator))
    return out


def _is_model(candidate: object) -> typing.TypeGuard[type[BaseModel]]:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)


def _keys(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def _field_named(model: type[BaseModel], key: str) -> Candidate | None:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field.annotation, field.discriminator if isinstance(field.discriminator, str) else None
    return None


def _tagged(model: type[BaseModel], discriminator: str, tag: str | int) -> bool:
    """Whether the model's discriminator field takes `tag`: the member a tagged union chose."""
    field = model.model_fields.get(discriminator)
    return field is not None and tag in typing.get_args(field.annotation)
