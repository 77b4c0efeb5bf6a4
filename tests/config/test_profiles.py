"""Source profiles as data: loaded, validated with one line per problem, listed (SPEC §2.7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorecards.config import ConfigError
from scorecards.config.profiles import (
    CANONICAL_PROFILE,
    FileFormat,
    config_and_profile_hash,
    list_profiles,
    load_profile,
    profile_hash,
    shipped_profiles_folder,
)

SHIPPED = ["cn-crm", "hubspot", "maven-crm", "salesforce"]


def _profile(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_profiles_are_listed_with_a_description() -> None:
    listed = list_profiles()
    assert [name for name, _ in listed] == ["canonical", *SHIPPED]
    assert all(description and "\n" not in description for _, description in listed)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_profile_loads_and_names_reps_and_opportunities(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name
    assert "opportunities" in profile.tables
    assert "reps" in profile.tables or "reps" not in profile.not_provided


def test_the_canonical_profile_is_the_identity() -> None:
    assert load_profile("canonical") is CANONICAL_PROFILE
    assert CANONICAL_PROFILE.tables == {} and CANONICAL_PROFILE.not_provided == []
    assert CANONICAL_PROFILE.file_format("reps") == FileFormat()


def test_formats_are_inherited_from_join_to_table_to_profile(tmp_path: Path) -> None:
    path = _profile(
        tmp_path,
        """
encoding = "gb18030"
thousands = ","
date_formats = ["%Y/%m/%d"]
[tables.reps]
files = ["staff*.csv"]
delimiter = ";"
[tables.reps.joins.boss]
files = ["people.csv"]
column = "Boss"
key = "Name"
encoding = "utf-8"
""",
    )
    profile = load_profile(str(path))
    assert profile.name == "mine"
    assert profile.file_format("reps") == FileFormat(
        profile="mine", encoding="gb18030", delimiter=";", thousands=",", date_formats=("%Y/%m/%d",)
    )
    assert profile.file_format("reps", "boss").encoding == "utf-8"
    assert profile.file_format("reps", "boss").delimiter == ";"
    assert profile.file_format("opportunities") == FileFormat()  # not mapped: a canonical file


def test_a_yaml_profile_equals_its_toml_twin_and_keeps_yes_no_on_as_text(tmp_path: Path) -> None:
    toml = _profile(
        tmp_path,
        """
description = "twin"
[tables.leads]
files = ["leads*.csv"]
[tables.leads.columns.status]
from = "Converted?"
values = { converted = ["Yes"], disqualified = ["No"], open = ["on hold"] }
""",
        "twin.toml",
    )
    yaml = _profile(
        tmp_path,
        """
description: twin
tables:
  leads:
    files: leads*.csv
    columns:
      status:
        from: Converted?
        values: {converted: Yes, disqualified: [No], open: on hold}
""",
        "twin.yaml",
    )
    assert load_profile(str(yaml)) == load_profile(str(toml))
    assert profile_hash(load_profile(str(yaml))) == profile_hash(load_profile(str(toml)))


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ('encoding = "klingon"', ["encoding: unknown encoding 'klingon'"]),
        ('delimiter = ";;"', ["delimiter: must be one character"]),
        (
            'decimal = ","\nthousands = ","\n[tables.reps]\nfiles = ["r.csv"]',
            ["tables.reps: decimal and thousands separators are both ','"],
        ),
        ('date_formats = ["%Y/%m"]', ["date_formats: '%Y/%m' is not a date format"]),
        ('colour = "red"', ["colour: unknown key"]),
        ('name = "x"', ["name: a profile is named after its file"]),
        (
            'not_provided = ["reps", "orders"]',
            ["not_provided: 'reps' is required", "not_provided: 'orders' is not a canonical table"],
        ),
        ('[tables.orders]\nfiles = ["o.csv"]', ["tables.orders: not a canonical table"]),
        ("[tables.reps]\ncolumns = {}", ["tables.reps.files: Field required"]),
        (
            '[tables.reps]\nfiles = ["r.csv"]\ncolumns = { repid = "Name" }',
            ["tables.reps.columns.repid: not a column of reps"],
        ),
        (
            '[tables.reps]\nfiles = ["r.csv"]\ncolumns = { rep_id = 7 }',
            ["tables.reps.columns.rep_id: a column is a header name"],
        ),
        (
            '[tables.reps]\nfiles = ["r.csv"]\ncolumns = { rep_id = { from = "A", value = "B" } }',
            ["tables.reps.columns.rep_id: give exactly one of from, template, value (got from, value)"],
        ),
        (
            '[tables.reps]\nfiles = ["r.csv"]\ncolumns = { team = { template = "East" } }',
            ["tables.reps.columns.team: a template names at least one column"],
        ),
        (
            '[tables.opportunities]\nfiles = ["o.csv"]\ncolumns = { stage = { from = "S", values = { wun = ["Won"] } } }',
            ["tables.opportunities.columns.stage.values.wun: not one of open, won, lost"],
        ),
        (
            '[tables.opportunities]\nfiles = ["o.csv"]\ncolumns = { stage = { from = "S", values = { won = ["Won"], lost = ["won "] } } }',
            ["tables.opportunities.columns.stage.values: label 'won ' is listed under both 'won' and 'lost'"],
        ),
        (
            '[tables.opportunities]\nfiles = ["o.csv"]\ncolumns = { created_date = { from = "C", default = "1/1/2026" } }',
            [
                "tables.opportunities.columns.created_date.default: '1/1/2026' breaks the rule of created_date: not a date (YYYY-MM-DD)"
            ],
        ),
        (
            '[tables.surveys]\nfiles = ["s.csv"]\ncolumns = { scale_max = { value = "five" } }',
            ["tables.surveys.columns.scale_max.value: 'five' breaks the rule of scale_max: not a number"],
        ),
        (
            '[tables.reps]\nfiles = ["r.csv"]\n[tables.reps.joins."a.b"]\nfiles = ["d.csv"]\ncolumn = "x"\nkey = "y"',
            ["tables.reps.joins.a.b: a join's name is letters, digits"],
        ),
        (
            '[tables.opportunities]\nfiles = ["o.csv"]\ncolumns = { amount = { from = "A", percent = true } }',
            ["tables.opportunities.columns.amount.percent: a percentage reads as a share; amount is money"],
        ),
        (
            '[tables.opportunities]\nfiles = ["o.csv"]\ncolumns = { amount = { from = "A", optional = true } }',
            ["tables.opportunities.columns.amount.optional: amount is a column every opportunities file must have"],
        ),
        (
            '[tables.reps]\nfiles = ["r.csv"]\ncolumns = { team = { template = "{A}", optional = true } }',
            ["tables.reps.columns.team: optional applies to a column read from headers"],
        ),
        (
            '[tables.opportunity_splits]\nfiles = ["s.csv"]\nkeep = { column = "Split Type", values = [] }',
            ["tables.opportunity_splits.keep.values: Value should have at least 1 item"],
        ),
        (
            '[tables.opportunity_splits]\nfiles = ["s.csv"]\nkeep = { column = "Split Type", value = "Revenue" }',
            [
                "tables.opportunity_splits.keep.values: Field required",
                "tables.opportunity_splits.keep.value: unknown key",
            ],
        ),
        ("this is = not toml", ["cannot read profile"]),
    ],
)
def test_a_broken_profile_names_file_field_and_rule(tmp_path: Path, text: str, messages: list[str]) -> None:
    path = _profile(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_profile(str(path))
    lines = str(caught.value).splitlines()
    assert len(lines) == len(messages)
    for line, message in zip(lines, messages, strict=True):
        assert line.startswith(f"{path}: {message}")


def test_a_constant_may_be_written_as_a_number(tmp_path: Path) -> None:
    path = _profile(tmp_path, '[tables.surveys]\nfiles = ["s.csv"]\ncolumns = { scale_max = { value = 10 } }')
    assert load_profile(str(path)).tables["surveys"].columns["scale_max"].value == "10"


def test_an_unknown_profile_name_lists_the_shipped_ones() -> None:
    with pytest.raises(
        ConfigError, match=r"^sugarcrm: no such profile \(shipped: canonical, cn-crm, hubspot, maven-crm, salesforce;"
    ):
        load_profile("sugarcrm")


def test_the_maven_directory_example_ships_beside_the_profiles() -> None:
    example = shipped_profiles_folder() / "maven-crm-directory.example.csv"
    assert example.read_text(encoding="utf-8").splitlines()[0] == "name,email"


def test_a_run_hash_changes_with_the_profile_and_stays_the_config_hash_for_canonical(tmp_path: Path) -> None:
    config = "ab" * 32
    assert config_and_profile_hash(config, CANONICAL_PROFILE) == config
    salesforce = config_and_profile_hash(config, load_profile("salesforce"))
    assert salesforce not in (config, config_and_profile_hash(config, load_profile("hubspot")))
    edited = (
        (shipped_profiles_folder() / "salesforce.toml").read_text(encoding="utf-8").replace('"Closed Won"', '"Won"')
    )
    assert (
        config_and_profile_hash(config, load_profile(str(_profile(tmp_path, edited, "salesforce.toml")))) != salesforce
    )


def test_a_profile_that_does_not_use_a_later_key_keeps_its_published_hash() -> None:
    # The hubspot profile's hash as manifests published before `ends_at_blank_row` existed record it: a backfill
    # compares it to decide whether a month is up to date. (A new key left out of _LATER_KEYS changed it.)
    assert profile_hash(load_profile("hubspot")) == "9a6287c227ff686da11bd445aa3c8de1e66e16b1895d4270297059514c4ec655"


def test_a_tables_month_columns_are_named_as_its_file_names_them(tmp_path: Path) -> None:
    # The workbook reader reads a date shown as a month as the month only in these columns.
    assert CANONICAL_PROFILE.file_format("targets").month_columns == ("period",)
    assert CANONICAL_PROFILE.file_format("opportunities").month_columns == ()
    mapped = _profile(
        tmp_path,
        'description = "x"\n[tables.targets]\nfiles = ["quota*.xlsx"]\n'
        '[tables.targets.columns]\nrep_id = "Owner"\nperiod = "Month"\ntarget_amount = "Quota"\n',
        "quota.toml",
    )
    assert load_profile(str(mapped)).file_format("targets").month_columns == ("Month",)
    assert load_profile(str(mapped)).file_format("skill_ratings").month_columns == ("period",)  # read as canonical
