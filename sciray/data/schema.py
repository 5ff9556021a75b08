"""One Arrow schema derived from the pydantic records, and lossless row conversion both ways.

Mapping: str -> string, int -> int64, float -> float64, bool -> bool, bytes -> binary,
Literal -> string (int64 or bool when every value is one), ``X | None`` -> a nullable field (any
other field is not null), list[X] and tuple[X, ...] -> list<X>, nested record -> struct,
dict[str, X] -> list<struct<name: string, value: X>> (never an Arrow map: Hugging Face
``datasets`` cannot load maps; ``ArrowPairs`` renames the two fields), and free-form values
(``Any``, ``dict[str, Any]``, ``list[Any]``) -> a JSON string, so any metadata survives Parquet.
Anything else (a union of several types, a set, a dict with non-string keys, another class) is
refused with ``SchemaError`` naming the field.

A top-level ``ImageRef`` field is declared a Hugging Face ``Image`` in the schema's metadata, so
``datasets.load_dataset("parquet", ...)`` decodes it without a ``cast_column``.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, Union

import pyarrow as pa
from pydantic import BaseModel

from sciray.errors import InternalError
from sciray.types import ArrowPairs, ImageRef

_SCALARS: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    bytes: pa.binary(),
}


class SchemaError(InternalError):
    """A record field whose Python type has no Arrow mapping."""


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class _Codec:
    """How one annotation is stored: its Arrow type, and the conversions to and from the Python
    values that ``model_dump`` gives and ``Table.to_pylist`` returns."""

    type: pa.DataType
    nullable: bool = False
    encode: Callable[[Any], Any] = _same
    decode: Callable[[Any], Any] = _same
    free_form: bool = False


_JSON = _Codec(
    pa.string(),
    nullable=True,
    encode=lambda v: json.dumps(v, ensure_ascii=False, default=str),
    decode=json.loads,
    free_form=True,
)


def _unless_none(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda v: None if v is None else fn(v)


def _codec(annotation: Any, where: str, pairs: ArrowPairs | None = None) -> _Codec:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        pairs = next((m for m in annotation.__metadata__ if isinstance(m, ArrowPairs)), pairs)
        return _codec(args[0], where, pairs)
    if origin in (Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            raise SchemaError(
                f"{where}: no Arrow type for the union {annotation!r}; use one type (or X | None)"
            )
        inner = _codec(rest[0], where, pairs)
        return inner if inner.free_form else _Codec(inner.type, True, inner.encode, inner.decode)
    if annotation is Any:
        return _JSON
    if annotation in _SCALARS:
        return _Codec(_SCALARS[annotation])
    if origin is Literal:
        kinds = {type(a) for a in args}
        if len(kinds) == 1 and kinds <= {str, int, bool}:
            return _Codec(_SCALARS[kinds.pop()])
        raise SchemaError(f"{where}: no Arrow type for {annotation!r}; mix no types in a Literal")
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _struct_codec(annotation)
    if annotation in (list, tuple, dict):
        return _JSON  # unparameterised: free-form
    if origin is list or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        item = _codec(args[0], f"{where}[]")
        if item.free_form:
            return _JSON
        encode, decode = _unless_none(item.encode), _unless_none(item.decode)
        return _Codec(
            pa.list_(item.type),
            encode=lambda v: [encode(x) for x in v],
            decode=lambda v: [decode(x) for x in v],
        )
    if origin is dict:
        key, value = args
        if key is not str:
            raise SchemaError(f"{where}: no Arrow type for {annotation!r}; dict keys must be str")
        return _pairs_codec(_codec(value, f"{where}{{}}"), pairs or ArrowPairs())
    raise SchemaError(
        f"{where}: no Arrow type for {annotation!r}; supported: str, int, float, bool, bytes, "
        "Literal, X | None, list[X], tuple[X, ...], dict[str, X], Any and pydantic models"
    )


def _pairs_codec(value: _Codec, pairs: ArrowPairs) -> _Codec:
    if value.free_form:
        return _JSON
    encode, decode = _unless_none(value.encode), _unless_none(value.decode)
    item = pa.struct(
        [pa.field(pairs.key, pa.string(), nullable=False), pa.field(pairs.value, value.type)]
    )

    def read(rows: list) -> dict:
        if rows and isinstance(rows[0], tuple):  # an Arrow map, as older files have
            return {k: decode(v) for k, v in rows}
        return {r[pairs.key]: decode(r[pairs.value]) for r in rows}

    return _Codec(
        pa.list_(item),
        encode=lambda d: [{pairs.key: k, pairs.value: encode(v)} for k, v in d.items()],
        decode=read,
    )


_IN_PROGRESS: set[type] = set()


@cache
def _struct_codec(model: type[BaseModel]) -> _Codec:
    if model in _IN_PROGRESS:
        raise SchemaError(f"{model.__name__} contains itself; Arrow has no recursive types")
    _IN_PROGRESS.add(model)
    try:
        codecs = {}
        for name, field in model.model_fields.items():
            pairs = next((m for m in field.metadata if isinstance(m, ArrowPairs)), None)
            codecs[name] = _codec(field.annotation, f"{model.__name__}.{name}", pairs)
    finally:
        _IN_PROGRESS.discard(model)
    fields = [pa.field(n, c.type, nullable=c.nullable) for n, c in codecs.items()]

    def encode(data: dict) -> dict:
        return {n: _unless_none(c.encode)(data.get(n)) for n, c in codecs.items()}

    def decode(row: dict) -> dict:
        # fields missing from the row are left to the model's defaults
        return {n: _unless_none(c.decode)(row[n]) for n, c in codecs.items() if n in row}

    return _Codec(pa.struct(fields), encode=encode, decode=decode)


def arrow_type(annotation: Any) -> pa.DataType:
    """The Arrow type of one Python annotation; ``SchemaError`` when there is none."""
    return _codec(annotation, repr(annotation)).type


@cache
def arrow_struct(model: type[BaseModel]) -> pa.StructType:
    return _struct_codec(model).type


@cache
def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    """The Arrow schema of ``model``'s fields, in declaration order."""
    struct = arrow_struct(model)
    fields = [struct.field(i) for i in range(struct.num_fields)]
    images = {
        name: {"_type": "Image"}
        for name, field in model.model_fields.items()
        if _without_none(field.annotation) is ImageRef
    }
    if not images:
        return pa.schema(fields)
    # Hugging Face datasets reads column features from this key (the rest it infers)
    meta = {"huggingface": json.dumps({"info": {"features": images}})}
    return pa.schema(fields, metadata=meta)


def _without_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation


def to_arrow_row(record: BaseModel) -> dict[str, Any]:
    """``record`` as a dict that ``pa.Table.from_pylist(rows, schema=arrow_schema(type))`` takes."""
    return _struct_codec(type(record)).encode(record.model_dump(mode="python", by_alias=False))


def from_arrow_row(model: type[BaseModel], row: dict[str, Any]):
    """Rebuild a record from a row (or struct value) read back with ``Table.to_pylist()``."""
    return model.model_validate(_struct_codec(model).decode(row))


def to_table(records: list[BaseModel], model: type[BaseModel] | None = None) -> pa.Table:
    """Records of one type as an Arrow table with the derived schema."""
    if model is None:
        if not records:
            raise InternalError("to_table needs a model when there are no records")
        model = type(records[0])
    return pa.Table.from_pylist([to_arrow_row(r) for r in records], schema=arrow_schema(model))
