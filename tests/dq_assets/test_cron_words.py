"""Crons in words for job and schedule names: the common shapes read, the rest falls back, none collide."""

from __future__ import annotations

import re

import pytest
from croniter import croniter

from dq_assets.cron_words import cron_words
from dq_assets.job_names import QualityNames, namespace_for


@pytest.mark.parametrize(
    ("cron", "words"),
    [
        ("* * * * *", "every_minute"),
        ("*/1 * * * *", "every_minute"),
        ("*/30 * * * *", "every_30_minutes"),
        ("0 * * * *", "hourly"),
        ("15 * * * *", "hourly_at_minute_15"),
        ("0 */2 * * *", "every_2_hours"),
        ("30 */6 * * *", "every_6_hours_at_minute_30"),
        ("0 6 * * *", "daily_at_06_00"),
        ("15 2 * * *", "daily_at_02_15"),
        ("0 6 * * 1-5", "weekdays_at_06_00"),
        ("0 6 * * mon-fri", "weekdays_at_06_00"),
        ("0 6 * * 6,0", "weekends_at_06_00"),
        ("0 6 * * 1", "mondays_at_06_00"),
        ("0 6 * * 1,3,5", "mondays_wednesdays_fridays_at_06_00"),
        ("0 6 * * 0-6", "daily_at_06_00"),
        ("0 6 1 * *", "monthly_on_day_1_at_06_00"),
    ],
)
def test_common_crons_read_as_words(cron: str, words: str) -> None:
    assert cron_words(cron) == words


@pytest.mark.parametrize(
    ("cron", "words"),
    [
        # */45 fires at :00 and :45, not every 45 minutes: no words would be true
        ("*/45 * * * *", "cron_every45_x_x_x_x"),
        ("0 */5 * * *", "cron_0_every5_x_x_x"),
        ("0 6,18 * * *", "cron_0_6and18_x_x_x"),
        ("*/30 9-17 * * 1-5", "cron_every30_9to17_x_x_1to5"),
        ("0 6 * 1 *", "cron_0_6_x_1_x"),
    ],
)
def test_other_crons_fall_back_to_a_literal_spelling(cron: str, words: str) -> None:
    assert cron_words(cron) == words


def test_the_same_meaning_reads_the_same_and_different_meanings_never_collide() -> None:
    assert cron_words("0 6 * * 0") == cron_words("0 6 * * 7") == cron_words("00 06 * * sun")
    # '#' and '/' have no spelling: a short hash of the cron keeps the two names apart
    assert cron_words("0 6 * * 1#2") != cron_words("0 6 * * 1/2")
    crons = [f"{m} {h} * * {d}" for m in (0, 15, "*/5") for h in (0, 6, "*", "*/2") for d in ("*", 1, "1-5")]
    crons += ["0 6 1 * *", "0 6 2 * *", "*/15 * * * *", "0 */3 * * *"]
    names = {cron_words(c) for c in crons if croniter.is_valid(c)}
    assert len(names) == len(crons)
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", name) for name in names)


def test_names_start_with_the_namespace() -> None:
    names = QualityNames(namespace_for("data-quality"))
    assert names.checks_job == "data_quality_checks"
    assert names.scheduled_job("sql", "0 6 * * *") == "data_quality_sql_daily_at_06_00"
    assert names.schedule("data_quality_sql_daily_at_06_00") == "data_quality_sql_daily_at_06_00_schedule"
    assert names.freshness_sensor == "data_quality_freshness_sensor"
    assert names.propose_job == "data_quality_propose_rules"
    assert names.proposal_store_key == "dq_proposal_store_data_quality"
    # the standalone location keeps the names people and scripts already use
    standalone = QualityNames()
    assert (standalone.propose_job, standalone.proposal_store_key) == ("propose_rules", "dq_proposal_store")
