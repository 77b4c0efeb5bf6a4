"""Seeded, realistic demo inputs for the scorecards pipeline.

`generate_demo_inputs` writes the canonical input tables (reps,
opportunities, targets, leads, surveys, manager_notes, skill_ratings, and
SPEC §8's opportunity_splits and fx_rates) as CSV files covering the 18
months that end with a given period. Everything comes
from one `random.Random(seed)`, so the same seed and period give byte-identical
files. All cells are written as text (amounts with exactly two decimals, ISO
dates, empty cells for missing values) so that the files look like a CRM
export rather than a dataframe dump.

A few rows break the input rules on purpose, so that a demo run shows the
quarantine at work. They sit at fixed row positions, which makes their ids the
same for every seed and period:

- opportunities: O001501 (amount -50.00), O004501 (amount 12.345),
  O007501 (stage pending), O010501 (rep R075, not in reps),
  O013501 (won without close_date), O016501 twice (duplicate id);
- leads: L003001 (status lost), L020001 (closed_date before created_date);
- surveys: S001201 (score 12 on a 10-point scale);
- opportunity_splits: the split of the first shared deal whose shares sum to 0.9000.

Shared deals and other currencies (SPEC §8) come from a second generator
seeded from the same seed, so adding them changed no other row: about 3 % of
the international teams' deals are in USD or EUR (daily rates in fx_rates),
and about 2 % of all deals are split between their owner and one or two
teammates.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from itertools import accumulate
from pathlib import Path
from statistics import NormalDist

import polars as pl

WINDOW_MONTHS = 18
PRE_WINDOW_MONTHS = 2
AS_OF_LAG_DAYS = 3
ACCOUNTS_PER_TEAM = 100
SKILLS = ("plan", "prospecting", "presentation", "negotiation", "closing")

COLUMNS: dict[str, tuple[str, ...]] = {
    "reps": ("rep_id", "rep_name", "email", "team") + ("manager_name", "manager_email", "hire_date", "locale"),
    "opportunities": ("opportunity_id", "rep_id", "account_id", "account_name")
    + ("stage", "amount", "created_date", "close_date", "currency"),
    "targets": ("rep_id", "period", "target_amount"),
    "leads": ("lead_id", "rep_id", "created_date", "status", "closed_date", "first_contact_date"),
    "surveys": ("response_id", "rep_id", "account_id", "submitted_date") + ("score", "scale_max", "comment"),
    "manager_notes": ("rep_id", "period", "note"),
    "skill_ratings": ("rep_id", "period", "skill", "rating"),
    "opportunity_splits": ("opportunity_id", "rep_id", "share"),
    "fx_rates": ("currency", "rate_date", "rate"),
}
#: The demo's other currencies: code, its rate in CNY around the window, daily drift.
FOREIGN_CURRENCIES: tuple[tuple[str, float, float], ...] = (("USD", 7.10, 0.004), ("EUR", 7.75, 0.005))

# Deliberately bad rows: 0-based row positions after sorting by creation date.
BAD_OPPORTUNITY_ROWS = {
    "negative_amount": 1500,
    "three_decimals": 4500,
    "unknown_stage": 7500,
    "unknown_rep": 10500,
    "won_without_close_date": 13500,
    "duplicate_id": 16500,  # and the row after it, which repeats this id
}
BAD_LEAD_ROWS = {"unknown_status": 3000, "closed_before_created": 20000}
BAD_SURVEY_ROWS = {"score_above_scale": 1200}
COMMA_SURVEY_ROW = 150
QUOTE_SURVEY_ROW = 700
UNKNOWN_REP_ID = "R075"

# name, manager, manager email, size, China-based, median deal size
_TEAMS: tuple[tuple[str, str, str, int, bool, int], ...] = (
    ("Enterprise East", "Sarah Mitchell", "sarah.mitchell@example.com", 11, False, 42000),
    ("Enterprise West", "David Okafor", "david.okafor@example.com", 11, False, 38000),
    ("Mid-Market", "Laura Bennett", "laura.bennett@example.com", 11, False, 16000),
    ("SMB", "Laura Bennett", "laura.bennett@example.com", 11, False, 6000),
    ("华东", "陈静", "chen.jing@example.com", 8, True, 15000),
    ("华南", "刘洋", "liu.yang@example.com", 8, True, 12000),
)


def _words(text: str) -> tuple[str, ...]:
    """Split a comma-separated word list (entries may contain spaces)."""
    return tuple(word.strip() for word in text.split(","))


_EN_FIRST = _words(
    "James, Emily, Michael, Sarah, Daniel, Olivia, Ryan, Grace, Ethan, Chloe, Noah, Hannah, Lucas,"
    " Megan, Owen, Priya, Marcus, Elena, Tyler, Aisha, Connor, Sofia, Jordan, Natalie, Samuel,"
    " Rachel, Kevin, Julia, Diego, Fatima, Adam, Zoe, Brian, Nina, Victor, Maya"
)
_EN_LAST = _words(
    "Smith, Johnson, Brown, Taylor, Anderson, Thomas, Moore, Martin, Clark, Lewis, Walker, Hall,"
    " Young, King, Wright, Lopez, Hill, Scott, Green, Baker, Nelson, Carter, Perez, Roberts,"
    " Turner, Phillips, Campbell, Parker, Evans, Edwards, Collins, Stewart, Morris, Murphy, Cook,"
    " Patel, Nguyen, Kim"
)
_CN_SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗")
_CN_GIVEN = _words(
    "芳, 伟, 敏, 静, 丽, 强, 磊, 军, 洋, 勇, 艳, 杰, 娟, 涛, 明, 超, 秀英, 华, 平, 刚, 桂英, 建华,"
    " 晓东, 婷, 雪, 浩, 宇, 鹏, 欣, 悦"
)
_EN_ACCOUNT_WORDS = _words(
    "Acme, Northwind, Blue Harbor, Summit, Redwood, Silverline, Ironbridge, Bright Path, Cedar,"
    " Granite, Harborview, Keystone, Lakeside, Meridian, Oakridge, Pinnacle, Riverbend, Sterling,"
    " Trailhead, Vantage, Westfield, Apex, Beacon, Crescent, Evergreen, Falcon, Highland, Horizon,"
    " Juniper, Maple, Nova, Orion, Pioneer, Quantum, Sapphire, Tidewater, Union, Vertex, Willow,"
    " Copperleaf"
)
_EN_ACCOUNT_INDUSTRIES = _words(
    "Logistics, Systems, Health, Foods, Energy, Analytics, Manufacturing, Retail, Software,"
    " Robotics, Pharma, Media, Capital, Labs, Networks, Construction, Outfitters, Biotech,"
    " Insurance, Motors"
)
_EN_ACCOUNT_SUFFIXES = ("Inc", "LLC", "Ltd", "Group", "Co", "Corp", "")
_CN_CITIES = {
    "华东": _words("上海, 杭州, 南京, 苏州, 宁波, 合肥, 无锡"),
    "华南": _words("深圳, 广州, 厦门, 东莞, 佛山, 珠海, 福州"),
}
_CN_BRANDS = _words("星辰, 华信, 远航, 金桥, 博源, 恒通, 瑞丰, 天合, 鼎盛, 海纳, 新元, 中科, 长青, 云帆, 嘉禾, 明德")
_CN_INDUSTRIES = _words("科技, 物流, 医疗, 制造, 电子, 贸易, 软件, 食品, 能源, 材料")

_EN_COMMENTS = {
    "good": (
        "Great support",
        "Very responsive",
        "Clear proposal and pricing",
        "Helpful demo",
        "Knows our business well",
        "Smooth onboarding",
        "Excellent follow-up",
    ),
    "mid": ("OK overall", "Follow-up was a bit slow", "Average experience", "Fine but pushy"),
    "bad": ("Slow to respond", "Pricing was unclear", "Missed our call twice", "Not prepared"),
}
_CN_COMMENTS = {
    "good": ("服务很好", "响应及时", "方案清晰，报价透明", "非常专业", "跟进很到位"),
    "mid": ("还可以", "跟进稍慢", "整体一般"),
    "bad": ("回复太慢", "报价不清楚", "沟通不顺畅"),
}
_COMMA_COMMENT = "Quick, friendly and well prepared"
_QUOTE_COMMENT = 'Called our rollout "painless" - thank you'

_EN_NOTES = (
    "Strong close to the month; ready to mentor the new hires.",
    "Needs to tighten forecast discipline - two slipped deals.",
    "Focus on prospecting in the new territory next month.",
    "Great customer feedback, keep it up.",
)
_CN_NOTES = (
    "本月签约表现突出，继续保持。",
    "需要加强客户跟进，下月重点辅导谈判技巧。",
)


@dataclass
class _Rep:
    """A rep and the hidden traits that drive the generated activity."""

    rep_id: str
    name: str
    team: str
    locale: str | None
    hire: date | None
    skill: float
    china: bool
    owned: list[int] = field(default_factory=list)
    won_by_month: dict[str, int] = field(default_factory=dict)


@dataclass
class _Account:
    """A customer account with its team, its arrival month and its size."""

    account_id: str
    name: str
    team: str
    arrival: int
    weight: float


def _month(last_period: str, offset: int) -> tuple[int, int]:
    """(year, month) of the month `offset` months after `last_period` (negative: before)."""
    year, month = (int(part) for part in last_period.split("-"))
    index = year * 12 + month - 1 + offset
    return index // 12, index % 12 + 1


def _month_start(ym: tuple[int, int]) -> date:
    return date(ym[0], ym[1], 1)


def _month_end(ym: tuple[int, int]) -> date:
    return date(ym[0], ym[1], calendar.monthrange(ym[0], ym[1])[1])


def _period(ym: tuple[int, int]) -> str:
    return f"{ym[0]:04d}-{ym[1]:02d}"


def _money(cents: int) -> str:
    """Cents as a decimal string with two places, e.g. 1250000 -> '12500.00'."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _half_step(value: float, low: float, high: float) -> str:
    """Round to a multiple of 0.5 within [low, high]; '4' or '3.5'."""
    stepped = float(min(high, max(low, round(value * 2) / 2)))
    return str(int(stepped)) if stepped.is_integer() else f"{stepped:.1f}"


def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@cache
def _iso_day(ordinal: int) -> str:
    """ISO text of a day given as a proleptic ordinal (the hot loops work on ordinals)."""
    return date.fromordinal(ordinal).isoformat()


def _day_span(ym: tuple[int, int], earliest: date | None) -> tuple[int, int]:
    """Ordinal of the month's first day not before `earliest`, and how many days remain."""
    first = _month_start(ym)
    if earliest is not None and earliest > first:
        first = earliest
    return first.toordinal(), (_month_end(ym) - first).days + 1


def _make_reps(rng: random.Random, last_end: date) -> list[_Rep]:
    """60 reps in six teams; ids follow hire order, the newest hired after `last_end`."""
    en_names = [f"{first} {last}" for first in _EN_FIRST for last in _EN_LAST]
    cn_names = [s + g for s in _CN_SURNAMES for g in _CN_GIVEN if s + g not in ("陈静", "刘洋")]
    slots = [(team, china) for team, _, _, size, china, _ in _TEAMS for _ in range(size)]
    rng.shuffle(slots)
    n = len(slots)
    picked_en = iter(rng.sample(en_names, n))
    picked_cn = iter(rng.sample(cn_names, n))
    skills = [NormalDist().inv_cdf((i + 0.5) / n) for i in range(n)]
    rng.shuffle(skills)
    # hire dates: long-tenured (three unknown), three recent hires, one after the period
    hires: list[date | None] = [None, None, None]
    hires += [last_end - timedelta(days=rng.randint(365, 9 * 365)) for _ in range(n - 7)]
    hires.sort(key=lambda d: (d is not None, d))
    hires += sorted(last_end - timedelta(days=rng.randint(20, 175)) for _ in range(3))
    hires.append(last_end + timedelta(days=rng.randint(1, 3)))
    no_locale = set(rng.sample([i for i, (_, china) in enumerate(slots) if not china], 5))
    reps = []
    for i, ((team, china), hire, skill) in enumerate(zip(slots, hires, skills, strict=True)):
        locale = "zh-CN" if china else (None if i in no_locale else "en")
        name = next(picked_cn) if china else next(picked_en)
        reps.append(_Rep(f"R{i + 1:03d}", name, team, locale, hire, skill, china))
    return reps


def _make_accounts(rng: random.Random, months: int) -> list[_Account]:
    """ACCOUNTS_PER_TEAM accounts per team; a third exist from the start, the rest arrive later."""
    en_bases = [f"{word} {kind}" for word in _EN_ACCOUNT_WORDS for kind in _EN_ACCOUNT_INDUSTRIES]
    en_pool = iter(rng.sample(en_bases, ACCOUNTS_PER_TEAM * 4))
    accounts = []
    for team, _, _, _, china, _ in _TEAMS:
        if china:
            cn_names = [
                city + brand + industry + "有限公司"
                for city in _CN_CITIES[team]
                for brand in _CN_BRANDS
                for industry in _CN_INDUSTRIES
            ]
            team_names = rng.sample(cn_names, ACCOUNTS_PER_TEAM)
        else:
            team_names = [
                f"{next(en_pool)} {rng.choice(_EN_ACCOUNT_SUFFIXES)}".strip() for _ in range(ACCOUNTS_PER_TEAM)
            ]
        for name in team_names:
            arrival = 0 if rng.random() < 0.35 else rng.randint(1, months - 1)
            weight = rng.lognormvariate(0.0, 0.8)
            accounts.append(_Account("", name, team, arrival, weight))
    rng.shuffle(accounts)
    for i, account in enumerate(accounts):
        account.account_id = f"A{i + 1:04d}"
    return accounts


def _active(rep: _Rep, ym: tuple[int, int]) -> bool:
    return rep.hire is None or rep.hire <= _month_end(ym)


def _ramp(rep: _Rep, ym: tuple[int, int]) -> float:
    """Share of a full month's activity: new hires ramp up over their first two months."""
    if rep.hire is None:
        return 1.0
    months_in = (ym[0] - rep.hire.year) * 12 + ym[1] - rep.hire.month
    return {0: 0.4, 1: 0.7}.get(months_in, 1.0)


def _amount_cents(rng: random.Random, median: int, rep: _Rep, account: _Account) -> int:
    """A lognormal-ish B2B deal size in cents, 1k-200k, priced like real quotes."""
    value = median * (account.weight**0.3) * (1.12**rep.skill) * rng.lognormvariate(0.0, 0.5)
    value = _clip(value, 1000.0, 200000.0)
    style = rng.random()
    if style < 0.6:
        cents = round(value / 500) * 50000
    elif style < 0.9:
        cents = round(value / 10) * 1000
    else:
        cents = round(value / 100) * 10000 - 1
    return int(_clip(cents, 100000, 20000000))


def _assign_arrivals(
    rng: random.Random, accounts: list[_Account], reps: list[_Rep], months: list[tuple[int, int]]
) -> dict[tuple[str, int], list[_Account]]:
    """Give each account an owner when it arrives; return the new accounts per (rep, month)."""
    arrivals: dict[tuple[str, int], list[_Account]] = {}
    for account in sorted(accounts, key=lambda a: a.account_id):
        arrival = months[account.arrival]
        team_reps = [r for r in reps if r.team == account.team and _active(r, arrival)]
        if not team_reps:  # a team with nobody yet: the account waits for a later month
            continue
        weights = [1.6**r.skill for r in team_reps]
        owner = rng.choices(team_reps, weights=weights)[0]
        owner.owned.append(int(account.account_id[1:]) - 1)
        arrivals.setdefault((owner.rep_id, account.arrival), []).append(account)
    return arrivals


def _make_opportunities(
    rng: random.Random,
    reps: list[_Rep],
    accounts: list[_Account],
    months: list[tuple[int, int]],
    as_of: date,
) -> list[dict[str, str | None]]:
    """Opportunities for every active rep and month, sorted by creation, ids O000001..."""
    medians = {team: median for team, _, _, _, _, median in _TEAMS}
    arrivals = _assign_arrivals(rng, accounts, reps, months)
    last_day = as_of.toordinal()
    rows: list[tuple[int, str, int, dict[str, str | None]]] = []
    serial = 0
    for k, ym in enumerate(months):
        pools = {}
        for team, *_ in _TEAMS:
            pool = [a for a in accounts if a.team == team and a.arrival <= k]
            pools[team] = (pool, list(accumulate(a.weight for a in pool)))
        for rep in reps:
            if not _active(rep, ym):
                continue
            owned = [accounts[i] for i in rep.owned if accounts[i].arrival <= k]
            owned_cum = list(accumulate(a.weight for a in owned))
            team_pool, team_cum = pools[rep.team]
            fresh = list(arrivals.get((rep.rep_id, k), []))
            first, span = _day_span(ym, rep.hire)
            count = max(1, round(rng.randint(15, 25) * _ramp(rep, ym)))
            win_p = _clip(0.30 + 0.08 * rep.skill, 0.12, 0.50)
            for _ in range(max(count, len(fresh))):
                existing_customer = k == 0 and bool(fresh)
                if fresh:
                    account = fresh.pop()
                elif len(owned) >= 3 and rng.random() < 0.85:
                    account = rng.choices(owned, cum_weights=owned_cum)[0]
                else:
                    account = rng.choices(team_pool, cum_weights=team_cum)[0]
                created = first + int(rng.random() * span)
                cents = _amount_cents(rng, medians[rep.team], rep, account)
                closes = created + int(rng.triangular(5, 121, 30))
                won = rng.random() < win_p
                if existing_customer:  # already a customer: won before the window starts
                    closes, won = created + 5 + int(rng.random() * 21), True
                if closes > last_day or (rng.random() < 0.03 and not existing_customer):
                    stage = "open"
                    slipped = last_day + 5 + int(rng.random() * 56)
                    expected = closes if closes > last_day else slipped
                    close = _iso_day(expected) if rng.random() < 0.15 else None
                else:
                    stage, close = ("won" if won else "lost"), _iso_day(closes)
                    if won:
                        month = close[:7]
                        rep.won_by_month[month] = rep.won_by_month.get(month, 0) + cents
                row = {
                    "rep_id": rep.rep_id,
                    "account_id": account.account_id,
                    "account_name": account.name,
                    "stage": stage,
                    "amount": _money(cents),
                    "created_date": _iso_day(created),
                    "close_date": close,
                }
                rows.append((created, rep.rep_id, serial, row))
                serial += 1
    rows.sort(key=lambda item: item[:3])
    result = []
    for i, (_, _, _, row) in enumerate(rows):
        result.append({"opportunity_id": f"O{i + 1:06d}", **row})
    return result


def _make_targets(rng: random.Random, reps: list[_Rep], window: list[tuple[int, int]]) -> list[dict[str, str | None]]:
    """Monthly targets sized so attainment spreads around 60 %-130 %, the strong reps above.

    A rep's plan is their usual monthly won amount over their attainment level; the
    target of a month leans part-way towards that month's own level (seasonality),
    which keeps month-to-month noise from swamping the rep's level. New hires get
    their team's typical plan, ramped over their first months.
    """
    levels: dict[str, float] = {}
    plans: dict[str, float] = {}
    for rep in reps:
        levels[rep.rep_id] = _clip(0.95 + 0.17 * rep.skill + rng.gauss(0.0, 0.05), 0.6, 1.3)
        full = [_period(ym) for ym in window if _active(rep, ym) and _ramp(rep, ym) == 1.0]
        if len(full) >= 3:
            won = sum(rep.won_by_month.get(month, 0) for month in full) / len(full)
            plans[rep.rep_id] = won / levels[rep.rep_id]
    for rep in reps:
        if rep.rep_id not in plans:
            team = sorted(plans[r.rep_id] for r in reps if r.team == rep.team and r.rep_id in plans)
            plans[rep.rep_id] = team[len(team) // 2]
    tenured = [r for r in reps if r.hire is None or r.hire < _month_start(window[0])]
    skipped = rng.sample(tenured, 4)
    no_target = {r.rep_id for r in skipped[:3]}
    zero_target = skipped[3].rep_id
    last = window[-1]
    rows = []
    for rep in reps:
        plan = plans[rep.rep_id]
        for ym in window:
            if not _active(rep, ym) or (ym == last and rep.rep_id in no_target):
                continue
            ramp = _ramp(rep, ym)
            if ramp < 1.0:
                amount = plan * ramp
            else:
                month_level = rep.won_by_month.get(_period(ym), 0) / levels[rep.rep_id]
                amount = 0.4 * plan + 0.6 * month_level
            cents = max(100000, round(amount / 100000) * 100000)
            if ym == last and rep.rep_id == zero_target:
                cents = 0
            rows.append({"rep_id": rep.rep_id, "period": _period(ym), "target_amount": _money(cents)})
    return rows


def _make_leads(
    rng: random.Random, reps: list[_Rep], window: list[tuple[int, int]], as_of: date
) -> list[dict[str, str | None]]:
    """20-40 leads per rep and month; conversion among closed leads spreads 10 %-50 %."""
    last_day = as_of.toordinal()
    rows: list[tuple[int, str, int, dict[str, str | None]]] = []
    serial = 0
    for ym in window:
        for rep in reps:
            if not _active(rep, ym):
                continue
            convert_p = _clip(0.28 + 0.09 * rep.skill + rng.gauss(0.0, 0.02), 0.12, 0.48)
            fast_p = _clip(0.65 + 0.10 * rep.skill, 0.3, 0.95)
            first, span = _day_span(ym, rep.hire)
            for _ in range(max(1, round(rng.randint(20, 40) * _ramp(rep, ym)))):
                created = first + int(rng.random() * span)
                draw = rng.random()
                if draw < fast_p:
                    contact: int | None = created + int(rng.random() * 2)
                elif draw < fast_p + (1 - fast_p) * 0.6:
                    contact = created + 2 + int(rng.random() * 4)
                else:
                    contact = None
                if contact is not None and contact > last_day:
                    contact = None
                closed: int | None = created + int(rng.triangular(0, 46, 7))
                if contact is not None and closed < contact:
                    closed = contact
                status = "converted" if rng.random() < convert_p else "disqualified"
                if closed > last_day or rng.random() < 0.05:
                    status, closed = "open", None
                row = {
                    "rep_id": rep.rep_id,
                    "created_date": _iso_day(created),
                    "status": status,
                    "closed_date": None if closed is None else _iso_day(closed),
                    "first_contact_date": None if contact is None else _iso_day(contact),
                }
                rows.append((created, rep.rep_id, serial, row))
                serial += 1
    rows.sort(key=lambda item: item[:3])
    return [{"lead_id": f"L{i + 1:06d}", **row} for i, (_, _, _, row) in enumerate(rows)]


def _survey_score(rng: random.Random, quality: float, scale: str | None) -> str:
    """A score on the given scale (empty scale = 100) for a satisfaction level in [0, 1]."""
    if scale == "5":
        return _half_step(5 * quality if rng.random() < 0.3 else round(5 * quality), 1, 5)
    if scale == "10":
        return str(int(_clip(round(10 * quality), 0, 10)))
    return str(int(_clip(round(100 * quality), 0, 100)))


def _make_surveys(
    rng: random.Random, reps: list[_Rep], accounts: list[_Account], window: list[tuple[int, int]]
) -> list[dict[str, str | None]]:
    """0-8 survey answers per rep and month on 5-, 10- and 100-point scales."""
    rows: list[tuple[int, str, int, dict[str, str | None]]] = []
    serial = 0
    rates = {rep.rep_id: rng.uniform(0.12, 0.7) for rep in reps}
    for k, ym in enumerate(window, start=PRE_WINDOW_MONTHS):
        for rep in reps:
            if not _active(rep, ym):
                continue
            mean = _clip(0.80 + 0.08 * rep.skill, 0.55, 0.97)
            first, span = _day_span(ym, rep.hire)
            pool = [accounts[i] for i in rep.owned if accounts[i].arrival <= k] or [
                a for a in accounts if a.team == rep.team and a.arrival <= k
            ]
            for _ in range(sum(rng.random() < rates[rep.rep_id] for _ in range(8))):
                quality = _clip(rng.gauss(mean, 0.09), 0.0, 1.0)
                scale = rng.choices(["5", "10", "100", None], weights=[4, 3, 2, 1])[0]
                mood = "good" if quality >= 0.8 else "mid" if quality >= 0.6 else "bad"
                comments = _CN_COMMENTS if rep.china and rng.random() < 0.85 else _EN_COMMENTS
                comment = rng.choice(comments[mood]) if rng.random() < 0.6 else None
                submitted = first + int(rng.random() * span)
                row = {
                    "rep_id": rep.rep_id,
                    "account_id": rng.choice(pool).account_id,
                    "submitted_date": _iso_day(submitted),
                    "score": _survey_score(rng, quality, scale),
                    "scale_max": scale,
                    "comment": comment,
                }
                rows.append((submitted, rep.rep_id, serial, row))
                serial += 1
    rows.sort(key=lambda item: item[:3])
    return [{"response_id": f"S{i + 1:06d}", **row} for i, (_, _, _, row) in enumerate(rows)]


def _make_notes(rng: random.Random, reps: list[_Rep], last: tuple[int, int]) -> list[dict[str, str | None]]:
    """Six manager notes for the last period: four in English, two in Chinese."""
    active = [r for r in reps if _active(r, last)]
    english = rng.sample([r for r in active if not r.china], 4)
    chinese = rng.sample([r for r in active if r.china], 2)
    picks = [(r, _EN_NOTES[i]) for i, r in enumerate(english)]
    picks += [(r, _CN_NOTES[i]) for i, r in enumerate(chinese)]
    picks.sort(key=lambda pick: pick[0].rep_id)
    return [{"rep_id": r.rep_id, "period": _period(last), "note": note} for r, note in picks]


def _make_skill_ratings(
    rng: random.Random, reps: list[_Rep], periods: list[tuple[int, int]]
) -> list[dict[str, str | None]]:
    """Ratings 1-5 on every skill for the last two periods; three reps miss one skill."""
    rated = [r for r in reps if _active(r, periods[-1])]
    gaps = {(r.rep_id, rng.choice(periods), rng.choice(SKILLS)) for r in rng.sample(rated, 3)}
    rows = []
    for rep in rated:
        base = {s: 3.4 + 0.6 * rep.skill + rng.gauss(0.0, 0.45) for s in SKILLS}
        for ym in periods:
            if not _active(rep, ym):
                continue
            for skill in SKILLS:
                base[skill] += rng.choice((-0.5, 0.0, 0.0, 0.5)) * (ym == periods[-1])
                if (rep.rep_id, ym, skill) in gaps:
                    continue
                rows.append(
                    {
                        "rep_id": rep.rep_id,
                        "period": _period(ym),
                        "skill": skill,
                        "rating": _half_step(base[skill], 1, 5),
                    }
                )
    return rows


def _inject_bad_rows(
    opportunities: list[dict[str, str | None]],
    leads: list[dict[str, str | None]],
    surveys: list[dict[str, str | None]],
    as_of: date,
) -> None:
    """Break a few rows on purpose (and force the comma/quote comments), in place."""
    bad = BAD_OPPORTUNITY_ROWS
    opportunities[bad["negative_amount"]]["amount"] = "-50.00"
    opportunities[bad["three_decimals"]]["amount"] = "12.345"
    opportunities[bad["unknown_stage"]].update(stage="pending", close_date=None)
    opportunities[bad["unknown_rep"]]["rep_id"] = UNKNOWN_REP_ID
    opportunities[bad["won_without_close_date"]].update(stage="won", close_date=None)
    first = opportunities[bad["duplicate_id"]]
    copy = dict(first)
    cents = int(str(first["amount"]).replace(".", "")) * 11 // 10
    copy["amount"] = _money(cents)
    opportunities[bad["duplicate_id"] + 1] = copy

    lost = leads[BAD_LEAD_ROWS["unknown_status"]]
    created = date.fromisoformat(str(lost["created_date"]))
    lost.update(
        status="lost",
        closed_date=lost["closed_date"] or min(created + timedelta(5), as_of).isoformat(),
    )
    early = leads[BAD_LEAD_ROWS["closed_before_created"]]
    created = date.fromisoformat(str(early["created_date"]))
    early.update(
        status="disqualified",
        closed_date=(created - timedelta(days=2)).isoformat(),
        first_contact_date=None,
    )

    surveys[BAD_SURVEY_ROWS["score_above_scale"]].update(score="12", scale_max="10")
    surveys[COMMA_SURVEY_ROW]["comment"] = _COMMA_COMMENT
    surveys[QUOTE_SURVEY_ROW]["comment"] = _QUOTE_COMMENT


def _make_fx_rates(rng: random.Random, first: date, last: date) -> list[dict[str, str | None]]:
    """A rate per foreign currency and calendar day from `first` to `last`: CNY for one unit, 4 decimals."""
    rows = []
    for code, level, drift in FOREIGN_CURRENCIES:
        rate = level
        for ordinal in range(first.toordinal(), last.toordinal() + 1):
            rate = _clip(rate * (1 + rng.gauss(0, drift)), level * 0.9, level * 1.1)
            rows.append({"currency": code, "rate_date": _iso_day(ordinal), "rate": f"{rate:.4f}"})
    return rows


def _share_and_convert(
    rng: random.Random,
    opportunities: list[dict[str, str | None]],
    reps: list[_Rep],
    fx_rates: list[dict[str, str | None]],
) -> list[dict[str, str | None]]:
    """Put some international deals in USD or EUR (same worth in CNY) and split some deals; return the splits."""
    rates = {(r["currency"], r["rate_date"]): float(r["rate"] or 0) for r in fx_rates}
    china = {team for team, _, _, _, is_china, _ in _TEAMS if is_china}
    team_of = {rep.rep_id: rep.team for rep in reps}
    teammates: dict[str, list[str]] = {}
    for rep in reps:
        teammates.setdefault(rep.team, []).append(rep.rep_id)
    splits: list[dict[str, str | None]] = []
    for row in opportunities:
        row["currency"] = None
        team = team_of.get(str(row["rep_id"]))
        if team is None or not str(row["amount"]).replace(".", "").isdigit():
            continue  # the deliberately bad rows stay as they are
        value_day = row["close_date"] if row["stage"] != "open" else row["created_date"]
        if team not in china and rng.random() < 0.03:
            code = rng.choice([c for c, _, _ in FOREIGN_CURRENCIES])
            rate = rates.get((code, value_day))
            if rate:
                row["currency"] = code
                row["amount"] = _money(round(float(str(row["amount"])) * 100 / rate))
        if rng.random() < 0.02:
            others = [r for r in teammates[team] if r != row["rep_id"]]
            names = [str(row["rep_id"]), *rng.sample(others, k=min(len(others), rng.choice([1, 1, 2])))]
            shares = ["0.5000", "0.5000"] if len(names) == 2 else ["0.3333", "0.3333", "0.3334"]
            if len(names) == 2 and rng.random() < 0.5:
                shares = ["0.6000", "0.4000"]
            splits += [
                {"opportunity_id": row["opportunity_id"], "rep_id": name, "share": share}
                for name, share in zip(names, shares, strict=True)
            ]
    if splits:  # one split that does not add up, to show its quarantine
        first = splits[0]["opportunity_id"]
        for split in splits:
            if split["opportunity_id"] == first:
                split["share"] = "0.4500"
    return splits


def _reps_rows(reps: list[_Rep]) -> list[dict[str, str | None]]:
    managers = {team: (manager, email) for team, manager, email, _, _, _ in _TEAMS}
    return [
        {
            "rep_id": rep.rep_id,
            "rep_name": rep.name,
            "email": f"{rep.rep_id.lower()}@example.com",
            "team": rep.team,
            "manager_name": managers[rep.team][0],
            "manager_email": managers[rep.team][1],
            "hire_date": _iso(rep.hire),
            "locale": rep.locale,
        }
        for rep in reps
    ]


def _write(out_dir: Path, table: str, rows: list[dict[str, str | None]]) -> int:
    columns = COLUMNS[table]
    frame = pl.DataFrame(
        {column: [row[column] for row in rows] for column in columns},
        schema={column: pl.String for column in columns},
    )
    frame.write_csv(out_dir / f"{table}.csv")
    return frame.height


def generate_demo_inputs(out_dir: Path, last_period: str, seed: int = 7) -> dict[str, int]:
    """Write a realistic, seeded sample of the canonical input tables as CSV files into out_dir; return rows written per table.

    The data covers the 18 months ending with `last_period` (YYYY-MM, the latest
    complete month); opportunities are also created in the two months before, and
    the extract is dated three days after the period, so some deals and leads are
    still open. Same seed and period give byte-identical files. A few rows break
    the input rules on purpose (see the module docstring for their ids).
    """  # noqa: E501
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    offsets = range(-(WINDOW_MONTHS + PRE_WINDOW_MONTHS - 1), 1)
    months = [_month(last_period, k) for k in offsets]
    window = months[PRE_WINDOW_MONTHS:]
    last_end = _month_end(window[-1])
    as_of = last_end + timedelta(days=AS_OF_LAG_DAYS)

    reps = _make_reps(rng, last_end)
    accounts = _make_accounts(rng, len(months))
    opportunities = _make_opportunities(rng, reps, accounts, months, as_of)
    targets = _make_targets(rng, reps, window)
    leads = _make_leads(rng, reps, window, as_of)
    surveys = _make_surveys(rng, reps, accounts, window)
    notes = _make_notes(rng, reps, window[-1])
    skill_ratings = _make_skill_ratings(rng, reps, window[-2:])
    _inject_bad_rows(opportunities, leads, surveys, as_of)

    extra = random.Random(f"{seed}-shared-and-foreign")
    fx_rates = _make_fx_rates(extra, _month_start(months[0]), as_of)
    splits = _share_and_convert(extra, opportunities, reps, fx_rates)
    tables = {
        "reps": _reps_rows(reps),
        "opportunities": opportunities,
        "targets": targets,
        "leads": leads,
        "surveys": surveys,
        "manager_notes": notes,
        "skill_ratings": skill_ratings,
        "opportunity_splits": splits,
        "fx_rates": fx_rates,
    }
    return {table: _write(out_dir, table, rows) for table, rows in tables.items()}
