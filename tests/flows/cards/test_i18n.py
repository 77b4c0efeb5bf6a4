"""Every label and message comes from a catalogue; zh-CN is complete; a missing translation falls back to English."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.numbers import format_currency

from scorecards.config import Settings, load_settings
from scorecards.flows.shared.display import (
    excel_format,
    format_change,
    format_month,
    format_months_in_a_row,
    format_value,
    rounded_change,
)
from scorecards.flows.shared.i18n import (
    catalogue_path,
    colon,
    in_points,
    listed,
    remark,
    translations,
)
from scorecards.schemas.fields import LOCALES


def message_ids(settings: Settings) -> set[str]:
    """Every message the cards can show: gettext calls in code and templates, plus the config's feedback texts.

    A plural message (ngettext) is named by its singular.
    """
    code = [Path(str(resources.files(package))) for package in ("scorecards.config", "scorecards.flows")]
    templates = Path(str(resources.files("scorecards.templates")))
    found = {
        message if isinstance(message, str) else message[0]  # a plural message (ngettext) by its singular
        for folder, method in (*((root, "python") for root in code), (templates, "jinja2.ext:babel_extract"))
        for _file, _line, message, _comments, _context in extract_from_dir(
            folder, method_map=[("**.py" if method == "python" else "**.j2", method)], options_map={"**.j2": {}}
        )
        if isinstance(message, (str, tuple))
    }
    feedback = {text for rule in settings.feedback.rules for text in (rule.message, rule.topic) if text}
    return found | feedback


def test_every_message_has_a_zh_cn_translation() -> None:
    with catalogue_path("zh-CN").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {  # a plural message by its singular, translated when every plural form is
        message.id[0] if isinstance(message.id, tuple) else message.id: (
            all(message.string) if isinstance(message.string, tuple) else message.string
        )
        for message in catalogue
        if message.id
    }
    needed = message_ids(load_settings())
    assert len(needed) > 100
    assert sorted(needed - set(translated)) == []
    assert sorted(m for m in needed if not translated[m]) == []
    assert sorted(set(translated) - needed) == []  # and no entry for a message nothing shows any more


def test_messages_are_found_in_code_templates_and_config() -> None:
    needed = message_ids(load_settings())
    assert "Sales-target attainment" in needed  # marked in config/dimensions.py
    assert "Won amount" in needed  # marked in flows/cards/rollup_view.py
    assert "and %(rows)d more in the Excel card" in needed  # a plural message (ngettext), by its singular
    assert any(m.startswith("Computed from the CRM") for m in needed)  # a template's own text
    assert "Lead response within one day" in needed  # a config training topic


def test_translations_and_english_fallback() -> None:
    zh = translations("zh-CN")
    assert zh.gettext("Sales-target attainment") == "销售目标达成率"
    assert zh.gettext("A message nobody translated") == "A message nobody translated"
    assert translations("en").gettext("Sales-target attainment") == "Sales-target attainment"
    assert LOCALES == ("en", "zh-CN")


def test_a_row_of_months_names_the_year_with_the_first_month_and_each_january() -> None:
    starts = [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert format_months_in_a_row(starts, "en") == ["Nov 2025", "Dec", "Jan 2026", "Feb"]
    assert format_months_in_a_row(starts, "zh-CN") == ["2025年11月", "12月", "2026年1月", "2月"]


def test_punctuation_between_words_follows_the_locale() -> None:
    assert (colon("en"), remark("CNY", "en"), listed(["East", "North"], "en")) == (": ", " (CNY)", "East, North")
    assert (colon("zh-CN"), remark("CNY", "zh-CN"), listed(["华东", "华南"], "zh-CN")) == (
        "：",
        "（CNY）",
        "华东、华南",
    )


def test_a_change_of_a_percentage_reads_in_percentage_points() -> None:
    assert (in_points("+3.5", "en"), in_points("+3.5", "zh-CN")) == ("+3.5 pp", "+3.5 个百分点")
    assert excel_format("points", "zh-CN", signed=True, unit=in_points("", "zh-CN")) == (
        '+#,##0.0" 个百分点";-#,##0.0" 个百分点";#,##0.0" 个百分点"'
    )
    assert format_change(Decimal("-3.45"), "points", "en", "N/A") == "-3.5"  # half up, as the workbook rounds
    assert rounded_change(Decimal("0.04"), "points") == 0  # too small to show: no sign either


def test_numbers_money_percent_and_months_follow_the_locale() -> None:
    assert format_value(Decimal("1234567.5"), "money", "en", "N/A", "CNY") == "CN¥1,234,567.50"
    assert format_value(Decimal("1234567.5"), "money", "zh-CN", "N/A", "CNY") == "¥1,234,567.50"
    assert format_value(Decimal("0.805"), "percent", "zh-CN", "N/A") == "80.5%"
    assert format_value(None, "percent", "zh-CN", "不适用") == "不适用"
    assert format_change(Decimal("-0.0123"), "percent", "en", "N/A") == "-1.2%"
    assert format_change(Decimal("0.25"), "score", "en", "N/A") == "+0.25"
    assert format_month(date(2026, 10, 1), "zh-CN") == "2026年10月"
    assert format_month(date(2026, 10, 1), "en") == "October 2026"


@pytest.mark.parametrize("locale", ["en", "zh-CN", "de", "fr", "ar", "es", "en-IN", "hi"])
@pytest.mark.parametrize("currency", ["CNY", "EUR", "USD", "JPY"])
def test_money_is_written_as_babel_writes_it(locale: str, currency: str) -> None:
    # Amounts of two decimals take a faster path than Babel's pattern engine: it must give Babel's very text,
    # signs, symbol, separators and all (en-IN and hi group by two, JPY has no decimals: Babel writes those).
    amounts = [Decimal(f"{sign}{10**digits + 7 * digits}.{digits:02}") for sign in ("", "-") for digits in range(14)]
    amounts += [Decimal("0.00"), Decimal("0.01"), Decimal("-0.01"), Decimal("1000.00"), Decimal("12.5"), Decimal("3")]
    for amount in amounts:
        # JPY has no cents, but an amount that has some keeps them (Babel's `currency_digits=False`: the
        # locale's two places), so that a deal's original amount is the one the data gave.
        cents = amount != amount.to_integral_value()
        written = format_currency(amount, currency, locale=locale.replace("-", "_"), currency_digits=not cents)
        assert format_value(amount, "money", locale, "N/A", currency) == written, amount


@pytest.mark.parametrize(("locale", "written"), [("en", "¥1,234.56"), ("zh-CN", "JP¥1,234.56")])
def test_an_amount_with_cents_in_a_currency_without_them_keeps_its_cents(locale: str, written: str) -> None:
    assert format_value(Decimal("1234.56"), "money", locale, "N/A", "JPY") == written
    assert format_value(Decimal("0.50"), "money", locale, "N/A", "JPY").endswith("0.50")
    assert format_value(Decimal("1234.00"), "money", locale, "N/A", "JPY").endswith("1,234")  # no cents to keep


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_shown_numbers_are_rounded_half_up_as_the_workbook_shows_them(locale: str) -> None:
    # Babel alone rounds half to even (2.125 → 2.12), while the workbook's number format shows 2.13.
    assert format_value(Decimal("2.125"), "score", locale, "N/A") == "2.13"
    assert format_value(Decimal("0.485"), "score", locale, "N/A") == "0.49"
    assert format_value(Decimal("0.3125"), "percent", locale, "N/A") == "31.3%"
    assert format_value(Decimal("0.0625"), "percent", locale, "N/A") == "6.3%"
    assert format_value(Decimal("0.33335"), "share", locale, "N/A") == "33.34%"
    assert format_value(Decimal("12.25"), "days", locale, "N/A") == "12.3"
    # A target over a run rate: 2.265672 and 0 read as the others of the fairness page, to the hundredth.
    assert format_value(Decimal("2.265672"), "ratio", locale, "N/A") == "2.27"
    assert format_value(Decimal("0.000000"), "ratio", locale, "N/A") == "0.00"
    assert format_change(Decimal("0.125"), "score", locale, "N/A") == "+0.13"
    assert format_change(Decimal("-0.0125"), "percent", locale, "N/A") == "-1.3%"
    # A change too small for the places shown reads as none, without a sign: 3.50 → 3.499999 is not "-0.00".
    assert format_change(Decimal("-0.000001"), "score", locale, "N/A") == "0.00"
    assert format_change(Decimal("0"), "percent", locale, "N/A") == "0.0%"
    assert format_change(Decimal("0.005"), "score", locale, "N/A") == "+0.01"


def test_only_the_columns_of_words_are_translated() -> None:
    # An account or a team called "plan", "true" or "converted" keeps its name; a lead's status is a word.
    import polars as pl

    from scorecards.flows.cards.page_parts import Wording

    t = Wording("zh-CN", "CNY")
    assert t.cell("plan", None).text == "plan"
    assert t.cell("plan", None, column="skill").text == "销售计划" == t.gettext("Sales planning")
    assert t.cell(True, None, column="contacted_within_1d").text == t.gettext("Yes") != "true"
    frame = pl.DataFrame({"account_name": ["true", "converted", None], "status": ["converted", "disqualified", None]})
    stored = t.stored(frame, [("account_name", "Account", None), ("status", "Status", None)])
    assert stored.frame["account_name"].to_list() == [
        "true",
        "converted",
        "—",
    ]  # left empty by the data: absent, not N/A
    assert stored.frame["status"].to_list() == [t.gettext("Converted"), t.gettext("Disqualified"), "—"]


def test_too_few_survey_answers_reads_in_the_singular_and_the_plural() -> None:
    from scorecards.flows.cards.card_view import _na_reason
    from scorecards.flows.cards.page_parts import Wording

    settings = load_settings()
    en, zh = Wording("en", "CNY"), Wording("zh-CN", "CNY")
    assert _na_reason("too_few_responses", {"survey_responses": 1}, settings, en) == "only 1 survey answer, 3 needed"
    assert _na_reason("too_few_responses", {"survey_responses": 2}, settings, en) == "only 2 survey answers, 3 needed"
    assert _na_reason("too_few_responses", {"survey_responses": 1}, settings, zh) == "仅有 1 份调查答卷，至少需要 3 份"


def test_a_change_is_stored_as_shown_so_the_workbook_s_sign_agrees_with_the_page() -> None:
    assert excel_format("score", "en", signed=True) == "+0.00;-0.00;0.00"  # Excel drops the minus in section 2
    for change, kind in ((Decimal("0.001"), "score"), (Decimal("-0.004"), "score"), (Decimal("0.0004"), "percent")):
        stored = rounded_change(change, kind)
        assert stored == 0 and not stored.is_signed()  # Excel's zero section: no sign, as format_change shows
        assert format_change(change, kind, "en", "N/A") in {"0.00", "0.0%"}
    assert rounded_change(Decimal("0.125"), "score") == Decimal("0.13") and rounded_change(3, "count") == 3
    assert rounded_change(Decimal("-0.0125"), "percent") == Decimal("-0.013")


def test_money_is_never_formatted_without_its_currency() -> None:
    # A forgotten currency would show an amount in some other currency; it is a programming error, said at once.
    with pytest.raises(ValueError, match="without its currency"):
        format_value(Decimal("12.50"), "money", "en", "N/A")
    with pytest.raises(ValueError, match="without its currency"):
        excel_format("money", "zh-CN")
    assert format_value(Decimal("12.50"), "score", "en", "N/A") == "12.50"  # other kinds need none
