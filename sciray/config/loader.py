"""Layered config loading: ``--set a.b=c`` > ``SCIRAY_A__B`` env vars > YAML file > defaults.

All layers are merged into one dict first and validated once, so every problem is reported at
once, each with where its value came from (file:line, env var or --set).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import fsspec
import yaml
from pydantic import BaseModel, ValidationError

from sciray.config import safe_yaml
from sciray.config.models import SciRayConfig
from sciray.errors import UserError, did_you_mean

ENV_PREFIX = "SCIRAY_"
ENV_NESTING = "__"
_SECRET_WORDS = ("api_key", "apikey", "token", "password", "secret")


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with the configuration."""

    key: str
    message: str
    source: str = "defaults"

    def __str__(self) -> str:
        return f"{self.source}: {self.key}: {self.message}"


class ConfigError(UserError):
    """The configuration is invalid; ``problems`` lists everything wrong."""

    def __init__(self, problems: list[ConfigProblem], hint: str = ""):
        self.problems = problems
        first = str(problems[0])
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"invalid config: {first}{more}{hint}")


def parse_scalar(text: str) -> Any:
    """A --set or env value as YAML ('4' -> 4, 'true' -> True, '[a, b]' -> list), else the text
    (also when it is over the YAML limits: the field's validation then says what is wrong)."""
    try:
        return safe_yaml.safe_load(text) if text.strip() else text
    except yaml.YAMLError:
        return text


def _set_path(data: dict, path: list[str], value: Any) -> None:
    node = data
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[path[-1]] = value


def _yaml_lines(root: yaml.Node | None) -> dict[tuple[str, ...], int]:
    """Dotted key path -> 1-based line of that key in a composed YAML document."""
    lines: dict[tuple[str, ...], int] = {}

    def walk(node: Any, prefix: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                path = (*prefix, str(key_node.value))
                lines[path] = key_node.start_mark.line + 1
                walk(value_node, path)

    if root is not None:
        walk(root, ())  # bounded: safe_yaml capped the depth and the expanded size
    return lines


def _flatten_sources(data: Any, prefix: tuple[str, ...], source: Any, out: dict) -> None:
    if isinstance(data, dict) and data:
        for k, v in data.items():
            _flatten_sources(v, (*prefix, str(k)), source, out)
    else:
        out[prefix] = source(prefix) if callable(source) else source


def _merge(base: dict, layer: dict) -> dict:
    out = dict(base)
    for k, v in layer.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def read_yaml(path: str) -> tuple[dict, dict[tuple[str, ...], int]]:
    """The mapping in a YAML config file and the line of each key; UserError when unreadable."""
    try:
        with fsspec.open(path, "rb") as f:
            raw = f.read(safe_yaml.MAX_BYTES + 1)
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise UserError(
            f"config file {path!r} does not exist; check the path given to --config"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read config file {path!r}: {exc}") from None
    if len(raw) > safe_yaml.MAX_BYTES:
        raise ConfigError(
            [
                ConfigProblem(
                    "(file)",
                    f"the file is over {safe_yaml.MAX_BYTES // 1024} KiB; a SciRay "
                    "config is a few KiB of settings, check the path given to --config",
                    path,
                )
            ]
        )
    try:
        root = safe_yaml.compose(text)
        data = safe_yaml.construct(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else path
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        what = "refused YAML" if isinstance(exc, safe_yaml.YAMLLimitError) else "not valid YAML"
        raise ConfigError([ConfigProblem("(file)", f"{what}: {problem}", where)]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            [ConfigProblem("(file)", "the top level must be a mapping of sections", path)]
        )
    return data, _yaml_lines(root)


def env_layer(env: Mapping[str, str]) -> dict[tuple[str, ...], Any]:
    """Config values from ``SCIRAY_SECTION__FIELD`` variables (others, e.g. SCIRAY_DEBUG, are not
    config)."""
    values = {}
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX) or ENV_NESTING not in name[len(ENV_PREFIX) :]:
            continue
        path = tuple(p.lower() for p in name[len(ENV_PREFIX) :].split(ENV_NESTING))
        values[path] = (name, parse_scalar(raw))
    return values


def parse_overrides(
    overrides: Iterable[str],
) -> tuple[dict[tuple[str, ...], Any], list[ConfigProblem]]:
    values, problems = {}, []
    for item in overrides:
        key, eq, raw = item.partition("=")
        key = key.strip()
        if not eq or not key or any(not p for p in key.split(".")):
            problems.append(
                ConfigProblem(
                    item, "expected --set section.key=value, e.g. --set ray.num_cpus=8", "--set"
                )
            )
            continue
        values[tuple(key.split("."))] = parse_scalar(raw)
    return values, problems


def _fields_at(model: type[BaseModel], path: tuple[str, ...]) -> list[str]:
    for part in path:
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def _explain(model: type[BaseModel], err: dict) -> str:
    loc = tuple(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        name = loc[-1]
        hint = did_you_mean(name, _fields_at(model, loc[:-1]))
        if any(w in name.lower() for w in _SECRET_WORDS):
            hint += (
                "; secrets never go in config files: put the secret in an environment variable "
                "and name that variable in the matching *_env key"
            )
        return f"unknown key{hint}"
    msg = err["msg"].removeprefix("Value error, ")
    if "input" in err and not isinstance(err["input"], (dict, list)):
        value = err["input"]
        # repr of a huge int raises (int_max_str_digits), and a long value must not swamp the line
        got = (
            f"an integer of {value.bit_length()} bits"
            if isinstance(value, int) and value.bit_length() > 256
            else repr(value)
        )
        msg += f" (got {got[:80] + '...' if len(got) > 80 else got})"
    return msg


def _with_factory_defaults(model: type[BaseModel], data: dict) -> dict:
    """``data`` where a section given only in part keeps what its parent's default set in it:
    ``validator`` defaults to the OCR proxy (``mode: ocr``), so ``--set validator.temperature=0.1``
    must not turn it into a vision validator by validating the section from its class defaults."""
    out = dict(data)
    for name, field in model.model_fields.items():
        given = out.get(name)
        kind = field.annotation
        if not isinstance(given, dict) or not (
            isinstance(kind, type) and issubclass(kind, BaseModel)
        ):
            continue
        if field.default_factory is not None:
            default = field.default_factory()
            if isinstance(default, BaseModel):
                given = _merge(default.model_dump(exclude_unset=True), given)
        out[name] = _with_factory_defaults(kind, given)
    return out


def collect(
    path: str | None = None,
    overrides: Iterable[str] = (),
    env: Mapping[str, str] | None = None,
    model: type[BaseModel] = SciRayConfig,
) -> tuple[BaseModel | None, list[ConfigProblem]]:
    """Merge every layer and validate once; returns the config or every problem found."""
    data: dict = {}
    sources: dict[tuple[str, ...], str] = {}
    if path:
        file_data, lines = read_yaml(path)
        data = _merge(data, file_data)
        _flatten_sources(file_data, (), lambda p: f"{path}:{lines.get(p, '?')}", sources)
    for key, (var, value) in env_layer(os.environ if env is None else env).items():
        _set_path(data, list(key), value)
        sources[key] = f"env {var}"
    set_values, problems = parse_overrides(overrides)
    for key, value in set_values.items():
        _set_path(data, list(key), value)
        sources[key] = f"--set {'.'.join(key)}"
    try:
        config = model.model_validate(_with_factory_defaults(model, data))
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(str(p) for p in err["loc"])
            source = next(
                (sources[loc[:i]] for i in range(len(loc), 0, -1) if loc[:i] in sources), "defaults"
            )
            problems.append(ConfigProblem(".".join(loc), _explain(model, err), source))
        return None, problems
    return (config, []) if not problems else (None, problems)


def load_config(
    path: str | None = None,
    overrides: Iterable[str] = (),
    env: Mapping[str, str] | None = None,
) -> SciRayConfig:
    """The effective configuration; raises ConfigError listing every problem."""
    config, problems = collect(path, overrides, env)
    if problems:
        hint = (
            f"; run 'sciray config validate {path}' to see all"
            if path and len(problems) > 1
            else ""
        )
        raise ConfigError(problems, hint)
    return config  # type: ignore[return-value]
