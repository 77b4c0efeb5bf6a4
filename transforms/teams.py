"""Team rollups: one summary row per team, for its manager."""

from __future__ import annotations

import polars as pl

from scorecards.transforms.attainment import attainment


def team_summary(scorecards: pl.DataFrame) -> pl.DataFrame:
    """Per team: manager, reps on the roster, Σ won_amount, Σ target_amount, attainment and locale.

    The team's target is the sum over reps that have one (null when none
    does); attainment is the won amount of the reps whose target is above 0
    over it, null when that target is null or 0: a rep without a target, or
    with a target of 0 (whose own attainment is N/A, SPEC §3), adds nothing to
    either side. `won_without_target` is what those reps won (null when every
    rep has a target above 0), shown on its own line.
    `locale` is the one most of the team's reps use (null on a tie): the data
    names no manager locale, and a team's manager usually reads its language.
    """
    counted = (pl.col("target_amount") > 0).fill_null(False)  # the reps the team's attainment counts
    return (
        scorecards.group_by("team")
        .agg(
            manager_name=pl.col("manager_name").first(),
            manager_email=pl.col("manager_email").first(),
            reps=pl.len().cast(pl.Int64),
            won_amount=pl.col("won_amount").sum(),
            won_counted=pl.col("won_amount").filter(counted).sum(),
            won_without_target=pl.when((~counted).any()).then(pl.col("won_amount").filter(~counted).sum()),
            target_amount=pl.when(pl.col("target_amount").is_not_null().any()).then(pl.col("target_amount").sum()),
            locale=pl.when(pl.col("locale").mode().len() == 1).then(pl.col("locale").mode().first()),
        )
        .with_columns(attainment=attainment(won="won_counted"))
        .drop("won_counted")
        .sort("team")
    )


def teams_with_several_managers(reps: pl.DataFrame) -> pl.DataFrame:
    """The teams whose reps name more than one manager e-mail (compared trimmed and in any case, as messages are
    addressed): per team and address, the reps that name it, sorted. A team's rollup shows all its reps, so such a
    team can be mailed to none of them."""
    address = pl.col("manager_email").str.strip_chars(" \t").str.to_lowercase()
    named = (
        reps.filter(pl.col("manager_email").is_not_null())
        .group_by("team", address.alias("manager_email"))
        .agg(pl.col("rep_id").sort())
    )
    several = named.group_by("team").len().filter(pl.col("len") > 1).select("team")
    return named.join(several, on="team").sort("team", "manager_email")
