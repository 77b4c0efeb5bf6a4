"""One wording of a change for restated cards and corrections: labels, values and words as the cards show them."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from scorecards.flows.shared.changes import evidence_change, number_change, number_line, total_change
from scorecards.flows.shared.columns import EVIDENCE_COLUMNS, EVIDENCE_ROW_NAMES, GRADE_COLUMNS, SCORECARD_LABELS
from scorecards.schemas.tables import TABLES, InputTables, empty_frame
from scorecards.transforms.evidence import evidence_tables
from scorecards.transforms.period import Period
from scorecards.transforms.restatement import DERIVED_COLUMNS, EVIDENCE_KEYS, FAIRNESS_KEPT
from scorecards.transforms.trend import TREND_COLUMNS


def test_a_number_is_named_by_its_card_label_and_shown_as_the_card_shows_it() -> None:
    assert number_change("won_amount", "3000.30", "3250.3", "en", "CNY") == ("Won amount", "CN¥3,000.30", "CN¥3,250.30")
    assert number_change("rank_in_team", "1", "2", "en", "CNY") == ("Rank in team", "1", "2")
    assert number_change("attainment", "0.8125", None, "en", "CNY") == ("Sales-target attainment", "81.3%", "N/A")
    assert number_change("won_amount", "3000.30", "3250.30", "zh-CN", "CNY") == ("赢单金额", "¥3,000.30", "¥3,250.30")


def test_a_change_the_rounding_would_hide_shows_its_exact_values() -> None:
    assert number_change("attainment", "1.000000", "1.000400", "en", "CNY") == (
        "Sales-target attainment",
        "100.0% (1.000000)",
        "100.0% (1.000400)",
    )


def test_a_team_total_reads_as_the_rollup_shows_it_with_exact_values_where_rounding_hides_the_change() -> None:
    # A team summary's values are numbers, not text; they read as the reps' changes do (found by a review: the
    # team's lines said "100.0% → 100.0%").
    won = total_change("Won amount", "money", Decimal("3000.30"), Decimal("3250.30"), "en", "CNY")
    assert won == ("Won amount", "CN¥3,000.30", "CN¥3,250.30")
    hidden = total_change("Sales-target attainment", "percent", Decimal("1.000000"), Decimal("1.000100"), "en", "CNY")
    assert hidden == ("Sales-target attainment", "100.0% (1.000000)", "100.0% (1.000100)")
    assert total_change("Reps", "count", 3, None, "zh-CN", "CNY") == ("销售人员", "3", "不适用")


def test_a_text_change_hidden_by_the_one_line_rule_is_not_given_exact_values() -> None:
    assert number_change("rep_name", "Ann\nLee", "Ann Lee", "en", "CNY") == ("Rep", "Ann Lee", "Ann Lee")


def test_a_number_line_uses_the_locale_s_punctuation() -> None:
    assert number_line(("Rank in team", "1", "2"), "en") == "Rank in team: 1 → 2"
    assert number_line(number_change("rank_in_team", "1", "2", "zh-CN", "CNY"), "zh-CN") == "团队排名：1 → 2"


def test_every_evidence_column_a_change_can_name_has_a_label() -> None:
    tables = InputTables(**{name: empty_frame(name) for name in TABLES})
    sections = evidence_tables(tables, Period(2026, 10), "CNY")
    # What a version keeps of earlier months: a trend month's columns are the scorecards' (named as number_change
    # names them), fairness.csv's are the fairness page's.
    sections |= {
        "trend": pl.DataFrame(schema=["rep_id", "period", *TREND_COLUMNS]),
        "fairness": pl.DataFrame(schema=FAIRNESS_KEPT),
    }
    assert EVIDENCE_KEYS.keys() <= sections.keys()
    for section, key in EVIDENCE_KEYS.items():
        told = set(sections[section].columns) - {"rep_id", key} - DERIVED_COLUMNS
        if section == "trend":
            assert sorted(c for c in told if c not in SCORECARD_LABELS and c not in GRADE_COLUMNS) == []
        else:
            assert sorted(c for c in told if (section, c) not in EVIDENCE_COLUMNS) == [], section
        assert section in EVIDENCE_ROW_NAMES


def test_a_grade_is_named_by_its_dimension() -> None:
    assert number_change("satisfaction_grade", "D", "C", "en", "CNY") == ("Customer satisfaction grade", "D", "C")
    label, _old, _new = number_change("satisfaction_grade", "D", "C", "zh-CN", "CNY")
    assert label.startswith("客户满意度") and label.endswith("等级")


def test_a_column_the_cards_do_not_name_keeps_its_own_name_and_text_stays_on_one_line() -> None:
    assert number_change("manager_email", "a@x.cn", "b@x.cn", "en", "CNY") == ("Manager's e-mail", "a@x.cn", "b@x.cn")
    assert number_change("N/A", "x\ny", "z", "zh-CN", "CNY") == ("N/A", "x y", "z")  # a name is never looked up


@pytest.mark.parametrize(
    ("row", "locale", "line"),
    [
        (
            ("deals", "O1", "changed", "amount", "1000.10", "1200.10", None, None),
            "en",
            "Opportunity O1: Amount CN¥1,000.10 → CN¥1,200.10",
        ),
        (("deals", "O5", "changed", "stage", "open", "won", None, None), "en", "Opportunity O5: Stage Open → Won"),
        (("deals", "O5", "changed", "stage", "open", "won", None, None), "zh-CN", "商机 O5：阶段 进行中 → 赢单"),
        (
            ("closed_leads", "L1", "changed", "status", "converted", "disqualified", None, None),
            "zh-CN",
            "已关闭线索 L1：状态 已转化 → 已排除",
        ),
        (
            ("new_leads", "L2", "changed", "contacted_within_1d", "false", "true", None, None),
            "en",
            "New lead L2: Within 1 day No → Yes",
        ),
        (("deals", "O2", "appeared", None, None, None, None, None), "en", "Opportunity O2: appeared"),
        # What a card's trend and the fairness page show of earlier months, in the card's wording.
        (
            ("trend", "2026-08", "changed", "attainment", None, "0.010000", None, None),
            "en",
            "Trend month August 2026: Sales-target attainment N/A → 1.0%",
        ),
        (
            ("trend", "2026-08", "changed", "new_customers_grade", "D", "C", None, None),
            "zh-CN",
            "趋势月份 2026年8月：新客户开发等级 D → C",
        ),
        (
            ("fairness", "2026-10", "changed", "run_rate", "0.00", "300.00", None, None),
            "en",
            "Fairness figures of October 2026: Run rate CN¥0.00 → CN¥300.00",
        ),
        (
            ("fairness", "2026-10", "changed", "target_ratio", None, "10.001000", None, None),
            "en",
            "Fairness figures of October 2026: Target ÷ run rate — → 10.00",
        ),
        (
            ("fairness", "2026-10", "changed", "target_flag", None, "high", None, None),
            "zh-CN",
            "公平性数据 2026年10月：标记 — → 高于上限",
        ),
        (("deals", "O2", "disappeared", None, None, None, None, None), "zh-CN", "商机 O2：已移除"),
        (("deals", "O3", "changed", "currency", "CNY", "USD", None, None), "zh-CN", "商机 O3：币种 CNY → USD"),
        (
            ("survey_answers", "S2", "changed", "account_id", "A1", "A2", None, None),
            "en",
            "Survey answer S2: Account ID A1 → A2",
        ),
        (
            ("skill_ratings", "plan", "changed", "rating", "3", "4", None, None),
            "en",
            "Skill rating Sales planning: Rating 3.00 → 4.00",
        ),
        (
            ("survey_answers", "S1", "changed", "comment", None, "fine", None, None),
            "en",
            "Survey answer S1: Comment — → fine",  # an empty evidence value is absent, not N/A
        ),
        # An account named like a word is data, shown as spelt; a key or value with a line break stays on one line.
        (
            ("deals", "O\n3", "changed", "account_name", "plan", "A\nB", None, None),
            "en",
            "Opportunity O 3: Account plan → A B",
        ),
        (
            ("deals", "O4", "changed", "share", "0.5", "0.25", None, None),
            "en",
            "Opportunity O4: Your share 50.00% → 25.00%",
        ),
        # An amount is in its deal's currency on each side; a date and a score read as on the card.
        (
            ("deals", "O6", "changed", "amount", "100.00", "110.00", "CNY", "USD"),
            "en",
            "Opportunity O6: Amount CN¥100.00 → $110.00",
        ),
        (
            ("deals", "O6", "changed", "amount", "100.00", "110.00", "USD", "USD"),
            "zh-CN",
            "商机 O6：金额 US$100.00 → US$110.00",
        ),
        (
            ("deals", "O7", "changed", "close_date", None, "2026-10-05", None, None),
            "zh-CN",
            "商机 O7：结单日期 — → 2026年10月5日",
        ),
        (
            ("survey_answers", "S3", "changed", "score", "4.555", "4.556", None, None),
            "en",
            "Survey answer S3: Score 4.56 (4.555) → 4.56 (4.556)",
        ),
    ],
)
def test_an_evidence_row_reads_as_the_card_names_it(row: tuple, locale: str, line: str) -> None:
    assert evidence_change(*row, locale, "CNY") == line
