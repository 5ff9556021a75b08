"""One Arrow schema derived from the pydantic records, and lossless row conversion both ways.

Mapping: str/Literal -> string, int -> int64, float -> float64, bool -> bool, bytes -> binary,
list[X] -> list<X>, dict[str, scalar] -> map<string, X>, nested record -> struct, and free-form
values (``Any``, ``dict[str, Any]``) -> a JSON string, so any metadata survives Parquet.
"""

from __future__ import annotations

import json
import types
import typing
from functools import cache
from typing import Any, Literal, Union

import pyarrow as pa
from pydantic import BaseModel

from sciray.errors import InternalError

_SCALARS: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    bytes: pa.binary(),
}

_JSON = "json"  # marker: this field is stored as a JSON string


def _strip_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _is_json(annotation: Any) -> bool:
    annotation = _strip_optional(annotation)
    if annotation is Any:
        return True
    if typing.get_origin(annotation) is dict:
        _, value = typing.get_args(annotation)
        return _arrow_type_or_json(value) is _JSON
    return False


def _arrow_type_or_json(annotation: Any) -> pa.DataType | str:
    annotation = _strip_optional(annotation)
    if annotation is Any:
        return _JSON
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return pa.string()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return arrow_struct(annotation)
    if origin in (list, tuple):
        (item, *_) = typing.get_args(annotation)
        inner = _arrow_type_or_json(item)
        return _JSON if inner is _JSON else pa.list_(inner)
    if origin is dict:
        key, value = typing.get_args(annotation)
        inner = _arrow_type_or_json(value)
        if key is not str or inner is _JSON:
            return _JSON
        return pa.map_(pa.string(), inner)
    raise InternalError(f"no Arrow type for annotation {annotation!r}")


def _arrow_type(annotation: Any) -> pa.DataType:
    t = _arrow_type_or_json(annotation)
    return pa.string() if t is _JSON else t


@cache
def arrow_struct(model: type[BaseModel]) -> pa.StructType:
    return pa.struct(arrow_schema(model))


@cache
def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    """The Arrow schema of ``model``'s fields, in declaration order."""
    fields = []
    for name, field in model.model_fields.items():
        fields.append(pa.field(name, _arrow_type(field.annotation), nullable=True))
    return pa.schema(fields)


def to_arrow_row(record: BaseModel) -> dict[str, Any]:
    """``record`` as a dict that ``pa.Table.from_pylist(rows, schema=arrow_schema(type))`` takes."""
    return _encode(type(record), record.model_dump(mode="python", by_alias=False))


def _encode(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, field in model.model_fields.items():
        value = data.get(name)
        out[name] = _encode_value(field.annotation, value)
    return out


def _encode_value(annotation: Any, value: Any) -> Any:
    if value is None:
        return None
    if _is_json(annotation) or _arrow_type_or_json(annotation) is _JSON:
        return json.dumps(value, ensure_ascii=False, default=str)
    annotation = _strip_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _encode(annotation, value)
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        (item, *_) = typing.get_args(annotation)
        return [_encode_value(item, v) for v in value]
    if origin is dict:
        _, inner = typing.get_args(annotation)
        return [(k, _encode_value(inner, v)) for k, v in value.items()]
    return value


def from_arrow_row(model: type[BaseModel], row: dict[str, Any]):
    """Rebuild a record from a row read back with ``Table.to_pylist()``."""
    return model.model_validate(_decode(model, row))


def _decode(model: type[BaseModel], row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, field in model.model_fields.items():
        if name in row:
            out[name] = _decode_value(field.annotation, row[name])
    return out


def _decode_value(annotation: Any, value: Any) -> Any:
    if value is None:
        return None
    if _is_json(annotation) or _arrow_type_or_json(annotation) is _JSON:
        return json.loads(value)
    annotation = _strip_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _decode(annotation, value)
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        (item, *_) = typing.get_args(annotation)
        return [_decode_value(item, v) for v in value]
    if origin is dict:
        _, inner = typing.get_args(annotation)
        return {k: _decode_value(inner, v) for k, v in value}
    return value


def to_table(records: list[BaseModel], model: type[BaseModel] | None = None) -> pa.Table:
    """Records of one type as an Arrow table with the derived schema."""
    if model is None:
        if not records:
            raise InternalError("to_table needs a model when there are no records")
        model = type(records[0])
    return pa.Table.from_pylist([to_arrow_row(r) for r in records], schema=arrow_schema(model))
