"""Source profiles: how one CRM's or survey tool's export maps onto the canonical tables (SPEC §2.7).

A profile is data: a .toml (or .yaml) file in config/profiles/ or anywhere the
user keeps one. It names, per canonical table, the export's file name patterns,
how the file is written (encoding, delimiter, sheet, header row, number and
date formats) and where each canonical column comes from (a column, the first
non-empty of several, a template, a constant, or a column of a second file
joined on a key), with value maps for labels such as stages. It is validated
once, on load; every problem is reported as `<file>: <field path>: <message>`.

The canonical profile is the identity: every table is read from the file named
after it, exactly as SPEC §2 describes.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from scorecards.config import ConfigError
from scorecards.schemas.tables import TABLES

CANONICAL = "canonical"
PROFILE_SUFFIXES = (".toml", ".yaml", ".yml")
#: The date format that means "an Excel serial day number" (days since 1899-12-30).
EXCEL_SERIAL = "excel"


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _number_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _column_shorthand(value: Any) -> Any:
    if isinstance(value, str | list):
        return {"from": value}
    if not isinstance(value, dict):
        raise ValueError("a column is a header name, a list of header names, or a table with from, template or value")
    return value


Text = Annotated[str, Field(min_length=1)]
Constant = Annotated[str, BeforeValidator(_number_as_text)]
#: canonical value → the source labels that mean it, e.g. {"won": ["Closed Won", "赢单"]}.
Labels = dict[Text, Annotated[list[Text], BeforeValidator(_as_list)]]
Alias = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$")]

_YEAR, _MONTH, _DAY = ("%Y", "%y", "%F", "%D"), ("%m", "%b", "%B", "%h", "%F", "%D"), ("%d", "%e", "%F", "%D")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Formats(_Model):
    """How a file is written; a key left out is inherited (join → table → profile → built-in default)."""

    encoding: str | None = None
    delimiter: str | None = None
    header_row: Annotated[int, Field(ge=1)] | None = None
    sheet: Text | None = None
    decimal: Literal[".", ","] | None = None
    thousands: Literal["", ",", ".", " ", "'", "\u00a0", "\u202f"] | None = None
    currency: list[Text] | None = None
    date_formats: list[Text] | None = None
    #: The data ends at its first blank row: what follows (a report's totals and notices) is skipped and counted.
    ends_at_blank_row: bool | None = None

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding {value!r} (e.g. utf-8, gbk, gb18030, utf-16)") from None
        return value

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        if value is not None and (len(value) != 1 or value in '"\r\n'):
            raise ValueError(f"must be one character other than a quote or a line break, not {value!r}")
        return value

    @field_validator("date_formats")
    @classmethod
    def _date_formats(cls, value: list[str] | None) -> list[str] | None:
        for fmt in value or []:
            if fmt != EXCEL_SERIAL and not all(any(d in fmt for d in part) for part in (_YEAR, _MONTH, _DAY)):
                raise ValueError(f"{fmt!r} is not a date format: it needs a year, a month and a day (or is 'excel')")
        return value


class Column(_Model):
    """Where one canonical column comes from, and how its labels map onto canonical values."""

    source: Annotated[list[Text] | None, BeforeValidator(_as_list), Field(alias="from", min_length=1)] = None
    template: Text | None = None
    value: Constant | None = None
    default: Annotated[Constant, Field(min_length=1)] | None = None
    values: Labels = {}
    #: The cells are percentages: `50.00%` reads as the share 0.5 (a number without `%` is already a fraction).
    percent: bool = False
    #: The export may lack these headers (a column only some setups export): those present are read,
    #: and with none of them the canonical column is absent.
    optional: bool = False

    @model_validator(mode="after")
    def _one_origin(self) -> Column:
        given = {"from": self.source, "template": self.template, "value": self.value}
        origins = [key for key, value in given.items() if value is not None]
        if len(origins) != 1:
            raise ValueError(f"give exactly one of from, template, value (got {', '.join(origins) or 'none'})")
        if self.value is not None and (self.default is not None or self.values):
            raise ValueError("a constant value takes no default and no values")
        if self.template is not None and not _PLACEHOLDER.search(self.template):
            raise ValueError("a template names at least one column in braces, e.g. '{First Name} {Last Name}'")
        if self.optional and self.source is None:
            raise ValueError("optional applies to a column read from headers (from), not to a template or a value")
        return self

    @property
    def references(self) -> list[str]:
        """The source columns this column reads."""
        if self.template is not None:
            return _PLACEHOLDER.findall(self.template)
        return list(self.source or [])


ColumnField = Annotated[Column, BeforeValidator(_column_shorthand)]


class Join(Formats):
    """A second file whose columns this table may use, matched row by row on a key (a left join)."""

    files: Annotated[list[Text], BeforeValidator(_as_list), Field(min_length=1)]
    column: Text
    key: Text
    values: Labels = {}
    #: What to do when no file matches (said after the error), e.g. where a template of the file is.
    hint: str = ""


class Keep(_Model):
    """Which rows of an export are the table's: those whose column holds one of the values.

    The other rows are skipped, not lost: each file's report counts them.
    """

    column: Text
    values: Annotated[list[Text], BeforeValidator(_as_list), Field(min_length=1)]

    @property
    def reason(self) -> str:
        """Why a row was skipped, as the report says it: `skipped by the profile (Split Type not Revenue)`."""
        values = ", ".join(self.values)
        wanted = f"not {values}" if len(self.values) == 1 else f"not one of {values}"
        return f"skipped by the profile ({self.column} {wanted})"


class TableSource(Formats):
    """One canonical table in an export: its files, its columns, the files joined to it and the rows it keeps."""

    files: Annotated[list[Text], BeforeValidator(_as_list), Field(min_length=1)]
    columns: dict[str, ColumnField] = {}
    joins: dict[Alias, Join] = {}
    keep: Keep | None = None


@dataclass(frozen=True)
class FileFormat:
    """A file's formats with every inherited key resolved."""

    profile: str = CANONICAL
    encoding: str = "utf-8"
    delimiter: str = ","
    header_row: int = 1
    sheet: str | None = None
    decimal: str = "."
    thousands: str = ""
    currency: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ()
    ends_at_blank_row: bool = False
    #: The header names of the columns that hold a month (a `period`): there an Excel date shown as a month
    #: reads as that month, YYYY-MM; elsewhere as its date.
    month_columns: tuple[str, ...] = ()


class Profile(Formats):
    """A source profile: the canonical tables it maps, the ones it does not provide, and shared formats.

    A table the profile neither maps nor lists as not provided is read as a
    canonical file (named after the table, UTF-8, comma, ISO dates).
    """

    name: Text
    description: str = ""
    tables: dict[str, TableSource] = {}
    not_provided: list[str] = []

    def file_format(self, table: str | None = None, join: str | None = None) -> FileFormat:
        """The formats of a table's file (or of one of its joined files); canonical for an unmapped table."""
        source = self.tables.get(table) if table else None
        if table is not None and source is None:
            return FileFormat(month_columns=_month_columns(table, None))
        layers: list[Formats] = [source.joins[join]] if source is not None and join is not None else []
        layers += [source, self] if source is not None else [self]
        resolved: dict[str, Any] = {"profile": self.name}
        for key in Formats.model_fields:
            given = next((getattr(layer, key) for layer in layers if getattr(layer, key) is not None), None)
            if given is not None:
                resolved[key] = tuple(given) if isinstance(given, list) else given
        if table is not None and join is None:
            resolved["month_columns"] = _month_columns(table, source)
        return FileFormat(**resolved)


def _month_columns(table: str, source: TableSource | None) -> tuple[str, ...]:
    """The header names a table's month columns have in its file: a column the source maps, by the headers it
    is read from; any other by its canonical name."""
    headers: list[str] = []
    for field in TABLES[table].fields if table in TABLES else ():
        if field.kind != "period":
            continue
        column = source.columns.get(field.name) if source is not None else None
        if column is None:
            headers.append(field.name)
        else:
            headers += column.source or []
    return tuple(headers)


CANONICAL_PROFILE = Profile(
    name=CANONICAL, description="the canonical tables (SPEC §2): one file per table, named after it"
)


def load_profile(name_or_path: str) -> Profile:
    """A shipped profile by name, or the profile in a .toml/.yaml file; ConfigError when it breaks a rule."""
    if name_or_path == CANONICAL:
        return CANONICAL_PROFILE
    shipped = _shipped()
    if name_or_path in shipped:
        return _load(shipped[name_or_path])
    path = Path(name_or_path)
    if not path.is_file():
        names = ", ".join([CANONICAL, *sorted(shipped)])
        raise ConfigError(f"{name_or_path}: no such profile (shipped: {names}; or give a .toml or .yaml file)")
    return _load(path)


def list_profiles() -> list[tuple[str, str]]:
    """(name, one-line description) of the canonical profile and every shipped one."""
    shipped = [(name, _load(path).description.strip().splitlines()[0]) for name, path in sorted(_shipped().items())]
    return [(CANONICAL, CANONICAL_PROFILE.description), *shipped]


def profile_hash(profile: Profile) -> str:
    """sha256 of the profile's canonical JSON: equal for equal mappings, whatever the file's layout."""
    dumped = _without_later_defaults(profile.model_dump(by_alias=True))
    canonical = json.dumps(dumped, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


#: Keys added to profiles after their hashes were first published in manifests, with their defaults.
_LATER_KEYS: dict[str, Any] = {"percent": False, "optional": False, "keep": None, "ends_at_blank_row": None}


def _without_later_defaults(dumped: Any) -> Any:
    """The dump without the later keys where they hold their default.

    A profile that does not use them keeps the hash, and so the manifests, it had.
    """
    if isinstance(dumped, dict):
        return {
            key: _without_later_defaults(value)
            for key, value in dumped.items()
            if not (key in _LATER_KEYS and value == _LATER_KEYS[key])
        }
    if isinstance(dumped, list):
        return [_without_later_defaults(value) for value in dumped]
    return dumped


def config_and_profile_hash(config_sha256: str, profile: Profile) -> str:
    """The hash of everything a run's outputs depend on besides its input files: the config and the profile.

    Under the canonical profile it is the config's own hash, so that canonical
    runs keep the manifests they had.
    """
    if profile.name == CANONICAL and profile == CANONICAL_PROFILE:
        return config_sha256
    return hashlib.sha256(f"{config_sha256}:{profile.name}:{profile_hash(profile)}".encode()).hexdigest()


def shipped_profiles_folder() -> Path:
    """The folder of the profiles shipped with the package."""
    return Path(str(resources.files("scorecards.config").joinpath("profiles")))


def _shipped() -> dict[str, Path]:
    folder = shipped_profiles_folder()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix in PROFILE_SUFFIXES and p.is_file()}


def _load(path: Path) -> Profile:
    raw = _parse(path)
    if "name" in raw:
        raise ConfigError(f"{path}: name: a profile is named after its file; remove this key")
    try:
        profile = Profile.model_validate({**raw, "name": path.stem})
    except ValidationError as exc:
        raise ConfigError("\n".join(f"{path}: {_where(err['loc'])}: {_message(err)}" for err in exc.errors())) from None
    problems = _problems(profile)
    if problems:
        raise ConfigError("\n".join(f"{path}: {where}: {message}" for where, message in problems))
    return profile


def _parse(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text) if path.suffix == ".toml" else _yaml(text)
    except Exception as exc:  # a file that is no profile at all: unreadable, not TOML, not YAML
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{path}: cannot read profile: {first}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: (top level): a profile is a table of keys, not {type(raw).__name__}")
    return raw


def _yaml(text: str) -> Any:
    """YAML without YAML 1.1's booleans: a label or key such as `on`, `yes` or `No` stays text."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass


def _where(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in loc if p != "[key]") or "(top level)"


def _message(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["loc"] and err["loc"][-1] == "[key]":
        return "a join's name is letters, digits, '_' and '-' (it is used as name.column)"
    return str(err["msg"]).removeprefix("Value error, ")


def _problems(profile: Profile) -> list[tuple[str, str]]:
    """Rules a profile must keep against the canonical tables: names, columns, labels, constants."""
    problems: list[tuple[str, str]] = []
    known = ", ".join(TABLES)
    for name in profile.not_provided:
        if name not in TABLES:
            problems.append(("not_provided", f"{name!r} is not a canonical table ({known})"))
        elif TABLES[name].required:
            problems.append(("not_provided", f"{name!r} is required (SPEC §2); map it or leave it to a canonical file"))
        elif name in profile.tables:
            problems.append(("not_provided", f"{name!r} is also mapped under tables.{name}"))
    for name, source in profile.tables.items():
        if name not in TABLES:
            problems.append((f"tables.{name}", f"not a canonical table ({known})"))
            continue
        problems += _table_problems(profile, name, source)
    return problems


def _table_problems(profile: Profile, name: str, source: TableSource) -> list[tuple[str, str]]:
    spec = TABLES[name]
    fields = {f.name: f for f in spec.fields}
    problems: list[tuple[str, str]] = []
    for where, fmt in [(f"tables.{name}", profile.file_format(name))] + [
        (f"tables.{name}.joins.{alias}", profile.file_format(name, alias)) for alias in source.joins
    ]:
        if fmt.thousands == fmt.decimal:
            problems.append((where, f"decimal and thousands separators are both {fmt.decimal!r}"))
    for alias, join in source.joins.items():
        problems += _label_problems(f"tables.{name}.joins.{alias}.values", join.values, None)
    for column_name, column in source.columns.items():
        where = f"tables.{name}.columns.{column_name}"
        if column_name not in fields:
            problems.append((where, f"not a column of {name} ({', '.join(fields)})"))
            continue
        field = fields[column_name]
        if column.percent and field.kind != "share":
            problems.append((f"{where}.percent", f"a percentage reads as a share; {column_name} is {field.kind}"))
        if column.optional and not field.optional_column:
            problems.append((f"{where}.optional", f"{column_name} is a column every {name} file must have"))
        problems += _label_problems(f"{where}.values", column.values, field.choices if field.kind == "choice" else None)
        for key, constant in (("value", column.value), ("default", column.default)):
            rule = _broken_rule(field, constant) if constant is not None else None
            if rule:
                problems.append((f"{where}.{key}", f"{constant!r} breaks the rule of {column_name}: {rule}"))
    return problems


def _label_problems(where: str, labels: Labels, choices: tuple[str, ...] | None) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for target, sources in labels.items():
        if choices is not None and target not in choices:
            problems.append((f"{where}.{target}", f"not one of {', '.join(choices)}"))
        for label in sources:
            key = label.strip().casefold()
            if seen.get(key, target) != target:
                problems.append((where, f"label {label!r} is listed under both {seen[key]!r} and {target!r}"))
            seen[key] = target
    return problems


def _broken_rule(field: Any, constant: str) -> str | None:
    """The rule a constant breaks as that canonical column's value (the validate stage's own rules)."""
    text = pl.lit(constant, dtype=pl.String)
    rules = field.problems(text, field.parse(text))
    broken = pl.select([expr.alias(str(i)) for i, (_, expr) in enumerate(rules)]).row(0)
    return next((rule.split(": ", 1)[1] for (rule, _), hit in zip(rules, broken, strict=True) if hit), None)
