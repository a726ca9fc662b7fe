"""Behaviour of the alerting settings: `alerts.yaml`, table `alerts:` routing, and `path:line` problems."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dq_checks.alerts.model import AlertSeverity
from dq_checks.config.alerting import (
    AlertingConfig,
    LogChannelSpec,
    SlackChannelSpec,
    SnsChannelSpec,
    WebhookChannelSpec,
)
from dq_checks.config.alerting_loader import (
    ALERTS_CONFIG_ENV,
    LoadedAlerting,
    alerting_config_path,
    load_alerting,
)
from dq_checks.config.loader import ConfigError, ConfigProblem, load_table_specs
from dq_checks.config.models import AlertRouting

MINIMAL_TABLE = "table: t\nsource: {type: iceberg, catalog: demo, identifier: ns.t}\n"
OTHER_TABLE = "table: u\nsource: {type: iceberg, catalog: demo, identifier: ns.u}\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_with(path: Path, needle: str) -> int:
    """The 1-based line of the single line of `path` that contains `needle` (the test's own oracle)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [n for n, line in enumerate(lines, start=1) if needle in line]
    assert len(hits) == 1, f"{needle!r} must occur on exactly one line of {path}, found {hits}"
    return hits[0]


def root_with_table(tmp_path: Path, table_text: str = MINIMAL_TABLE) -> Path:
    """`<root>/tables/t.yaml`; returns `<root>`."""
    write(tmp_path / "tables" / "t.yaml", table_text)
    return tmp_path


def load(root: Path) -> LoadedAlerting:
    """Load the tables of `<root>/tables` (which must be valid) and then `<root>/alerts.yaml`."""
    tables = load_table_specs(root / "tables")
    assert tables.problems == (), [str(p) for p in tables.problems]
    return load_alerting(root / "alerts.yaml", tables.tables)


def problems_of(loaded: LoadedAlerting) -> list[str]:
    return [str(problem) for problem in loaded.problems]


# --- no file -----------------------------------------------------------------------------------


def test_without_alerts_yaml_the_defaults_apply(tmp_path: Path):
    root = root_with_table(tmp_path)

    loaded = load(root)

    assert loaded.problems == ()
    assert loaded.path == root / "alerts.yaml"
    assert loaded.config == AlertingConfig()
    assert loaded.config.channels == {}
    assert loaded.config.channel_specs() == {"log": LogChannelSpec(type="log")}
    assert loaded.config.default == AlertRouting()
    assert loaded.config.default.channels == ("log",)
    assert loaded.config.default.min_severity is AlertSeverity.WARN
    assert loaded.config.renotify_after_hours == 24
    assert loaded.routing_by_table == {}
    assert loaded.routing_for("t") == AlertRouting(channels=("log",), min_severity=AlertSeverity.WARN)
    loaded.raise_for_problems()  # no problems: must not raise


def test_an_empty_alerts_yaml_means_the_defaults(tmp_path: Path):
    root = root_with_table(tmp_path)
    write(root / "alerts.yaml", "# nothing configured yet\n")

    loaded = load(root)

    assert loaded.problems == ()
    assert loaded.config == AlertingConfig()


# --- a valid file ------------------------------------------------------------------------------


def test_valid_alerts_yaml_parses_into_channel_specs(tmp_path: Path):
    root = root_with_table(tmp_path)
    write(
        root / "alerts.yaml",
        """
        channels:
          data-team:
            type: slack
            channel: "#data-alerts"
            token_env: DQ_SLACK_TOKEN
          pager:
            type: sns
            topic_arn: arn:aws:sns:eu-west-1:123456789012:dq-alerts
            region: eu-west-1
          hook:
            type: webhook
            url: https://hooks.example.com/dq
            secret_env: DQ_HOOK_SECRET
            timeout_seconds: 5
          audit:
            type: log
        default:
          channels: [data-team, log]
          min_severity: error
        renotify_after_hours: 6
        store:
          url_env: DQ_ALERTS_DB
        """,
    )

    loaded = load(root)

    assert loaded.problems == ()
    channels = loaded.config.channels
    assert list(channels) == ["data-team", "pager", "hook", "audit"]
    assert channels["data-team"] == SlackChannelSpec(
        type="slack", channel="#data-alerts", token_env="DQ_SLACK_TOKEN"
    )
    assert channels["data-team"].api_url == "https://slack.com/api/"
    assert channels["pager"] == SnsChannelSpec(
        type="sns", topic_arn="arn:aws:sns:eu-west-1:123456789012:dq-alerts", region="eu-west-1"
    )
    assert channels["hook"] == WebhookChannelSpec(
        type="webhook", url="https://hooks.example.com/dq", secret_env="DQ_HOOK_SECRET", timeout_seconds=5
    )
    assert isinstance(channels["audit"], LogChannelSpec)
    assert set(loaded.config.channel_specs()) == {"log", "data-team", "pager", "hook", "audit"}
    assert loaded.config.default == AlertRouting(
        channels=("data-team", "log"), min_severity=AlertSeverity.ERROR
    )
    assert loaded.config.renotify_after_hours == 6
    assert loaded.config.store.url_env == "DQ_ALERTS_DB"
    assert loaded.routing_for("t") == loaded.config.default


def test_slack_token_env_defaults_to_slack_bot_token(tmp_path: Path):
    root = root_with_table(tmp_path)
    write(root / "alerts.yaml", "channels:\n  ops: {type: slack, channel: '#ops'}\n")

    loaded = load(root)

    assert loaded.problems == ()
    assert loaded.config.channels["ops"] == SlackChannelSpec(
        type="slack", channel="#ops", token_env="SLACK_BOT_TOKEN"
    )


# --- problems in alerts.yaml, with their lines -------------------------------------------------


def test_unknown_top_level_key_is_reported_at_its_line(tmp_path: Path):
    root = root_with_table(tmp_path)
    path = write(
        root / "alerts.yaml",
        """
        # alerting
        default:
          channels: [log]
        renotify_every: 2h
        """,
    )

    loaded = load(root)

    assert problems_of(loaded) == [
        f"{path}:{line_with(path, 'renotify_every')}: unknown key 'renotify_every'; "
        "did you mean 'renotify_after_hours'?"
    ]
    assert loaded.problems[0].line == 4
    assert loaded.config == AlertingConfig()


def test_unknown_key_inside_a_channel_is_reported_at_its_own_line(tmp_path: Path):
    root = root_with_table(tmp_path)
    path = write(
        root / "alerts.yaml",
        """
        channels:
          ops:
            type: slack
            channel: "#ops"
            colour: red
        """,
    )

    loaded = load(root)

    assert problems_of(loaded) == [f"{path}:{line_with(path, 'colour')}: unknown key 'channels.ops.colour'"]
    assert loaded.problems[0].line == 5


def test_bad_channel_type_is_reported_at_the_channel(tmp_path: Path):
    root = root_with_table(tmp_path)
    path = write(
        root / "alerts.yaml",
        """
        channels:
          log2:
            type: log
          pager:
            type: pagerduty
        """,
    )

    loaded = load(root)

    assert len(loaded.problems) == 1
    problem = loaded.problems[0]
    assert (problem.path, problem.line) == (path, line_with(path, "pager:"))
    assert problem.line == 4
    assert problem.message.startswith("channels.pager: Input tag 'pagerduty'")
    assert "'log', 'slack', 'sns', 'webhook'" in problem.message


def test_bad_sns_arn_is_reported_at_its_line(tmp_path: Path):
    root = root_with_table(tmp_path)
    path = write(
        root / "alerts.yaml",
        """
        channels:
          pager:
            type: sns
            region: eu-west-1
            topic_arn: arn:aws:sqs:eu-west-1:123456789012:not-a-topic
        """,
    )

    loaded = load(root)

    assert len(loaded.problems) == 1
    problem = loaded.problems[0]
    assert (problem.path, problem.line) == (path, line_with(path, "topic_arn"))
    assert problem.line == 5
    assert problem.message.startswith("channels.pager.topic_arn: String should match pattern")


def test_webhook_url_without_http_is_reported_at_its_line(tmp_path: Path):
    root = root_with_table(tmp_path)
    path = write(
        root / "alerts.yaml",
        """
        channels:
          hook:
            type: webhook
            url: hooks.example.com/dq
        """,
    )

    loaded = load(root)

    assert problems_of(loaded) == [
        f"{path}:{line_with(path, 'url:')}: channels.hook.url: String should match pattern '^https?://'"
    ]
    assert loaded.problems[0].line == 4


def test_several_problems_are_all_reported_with_their_own_lines(tmp_path: Path):
    root = root_with_table(tmp_path)
    path = write(
        root / "alerts.yaml",
        """
        channels:
          ops:
            type: slack
            channel: "#ops"
            colour: red
          pager:
            type: pagerduty
          topic:
            type: sns
            topic_arn: not-an-arn
          hook:
            type: webhook
            url: ftp://example.com/hook
        """,
    )

    loaded = load(root)

    assert [(p.path, p.line) for p in loaded.problems] == [
        (path, line_with(path, "colour")),
        (path, line_with(path, "pager:")),
        (path, line_with(path, "topic_arn")),
        (path, line_with(path, "ftp://")),
    ]
    assert [p.line for p in loaded.problems] == [5, 6, 10, 13]
    with pytest.raises(ConfigError) as raised:
        loaded.raise_for_problems()
    assert raised.value.problems == loaded.problems


def test_bad_channel_name_is_a_problem(tmp_path: Path):
    root = root_with_table(tmp_path)
    path = write(root / "alerts.yaml", "# channels\nchannels:\n  9ops: {type: log}\n")

    loaded = load(root)

    assert len(loaded.problems) == 1
    assert loaded.problems[0].path == path
    assert loaded.problems[0].line == 2
    assert "channel name '9ops'" in loaded.problems[0].message


def test_alerts_yaml_that_is_not_a_mapping_is_a_problem(tmp_path: Path):
    root = root_with_table(tmp_path)
    path = write(root / "alerts.yaml", "- log\n- slack\n")

    loaded = load(root)

    assert loaded.problems == (ConfigProblem(path, 1, "alerts.yaml must be a YAML mapping"),)
    assert loaded.config == AlertingConfig()


def test_broken_yaml_is_a_problem_naming_the_line(tmp_path: Path):
    root = root_with_table(tmp_path)
    path = write(
        root / "alerts.yaml",
        """
        # alerting
        channels:
          ops: type: log
        default:
          channels: [log]
        """,
    )

    loaded = load(root)

    assert len(loaded.problems) == 1
    problem = loaded.problems[0]
    assert problem.path == path
    assert problem.line == line_with(path, "ops: type: log")
    assert problem.line == 3
    assert str(problem) == f"{path}:3: invalid YAML: mapping values are not allowed here"
    assert loaded.config == AlertingConfig()


def test_broken_yaml_names_the_line_of_a_bad_indent(tmp_path: Path):
    root = root_with_table(tmp_path)
    path = write(
        root / "alerts.yaml",
        """
        default:
          channels: [log]
         min_severity: warn
        """,
    )

    loaded = load(root)

    assert len(loaded.problems) == 1
    assert loaded.problems[0].path == path
    assert loaded.problems[0].line == line_with(path, "min_severity")
    assert loaded.problems[0].message.startswith("invalid YAML: ")


# --- routing against the known channels --------------------------------------------------------


def test_table_routing_to_an_unknown_channel_is_a_problem_on_the_table_file(tmp_path: Path):
    table_path = tmp_path / "tables" / "t.yaml"
    root = root_with_table(
        tmp_path,
        MINIMAL_TABLE + "alerts:\n  channels:\n    - log\n    - nope\n  min_severity: error\n",
    )
    write(tmp_path / "tables" / "u.yaml", OTHER_TABLE)
    write(root / "alerts.yaml", "channels:\n  ops: {type: log}\n")

    loaded = load(root)

    assert problems_of(loaded) == [
        f"{table_path}:{line_with(table_path, '- nope')}: alerts: unknown channel 'nope'; channels: log, ops"
    ]
    assert loaded.problems[0].line == 6
    assert loaded.routing_for("t") == AlertRouting(channels=("log", "nope"), min_severity=AlertSeverity.ERROR)
    assert loaded.routing_for("u") == AlertRouting()
    assert loaded.routing_for("not_a_table") == loaded.config.default
    assert set(loaded.routing_by_table) == {"t"}


def test_table_routing_in_flow_style_is_reported_at_its_line(tmp_path: Path):
    table_path = tmp_path / "tables" / "t.yaml"
    root = root_with_table(tmp_path, "# t\n" + MINIMAL_TABLE + "alerts: {channels: [nope]}\n")

    loaded = load(root)

    assert problems_of(loaded) == [f"{table_path}:4: alerts: unknown channel 'nope'; channels: log"]
    assert loaded.routing_for("t") == AlertRouting(channels=("nope",))


def test_table_routing_to_known_channels_overrides_the_default(tmp_path: Path):
    root = root_with_table(tmp_path, MINIMAL_TABLE + "alerts: {channels: [ops], min_severity: error}\n")
    write(tmp_path / "tables" / "u.yaml", OTHER_TABLE)
    write(
        root / "alerts.yaml",
        "channels:\n  ops: {type: log}\ndefault: {channels: [log, ops], min_severity: warn}\n",
    )

    loaded = load(root)

    assert loaded.problems == ()
    assert loaded.routing_for("t") == AlertRouting(channels=("ops",), min_severity=AlertSeverity.ERROR)
    assert loaded.routing_for("u") == AlertRouting(channels=("log", "ops"), min_severity=AlertSeverity.WARN)


def test_default_routing_to_an_unknown_channel_is_a_problem_at_its_line(tmp_path: Path):
    root = root_with_table(tmp_path)
    path = write(
        root / "alerts.yaml",
        """
        channels:
          ops:
            type: log
        default:
          channels:
            - ops
            - missing
        """,
    )

    loaded = load(root)

    assert problems_of(loaded) == [
        f"{path}:{line_with(path, '- missing')}: alerts: unknown channel 'missing'; channels: log, ops"
    ]
    assert loaded.problems[0].line == 7


def test_table_routing_with_an_unknown_key_is_a_table_problem(tmp_path: Path):
    path = write(tmp_path / "tables" / "t.yaml", MINIMAL_TABLE + "alerts:\n  channel: [log]\n")

    tables = load_table_specs(tmp_path / "tables")

    assert [str(p) for p in tables.problems] == [
        f"{path}:4: unknown key 'alerts.channel'; did you mean 'channels'?"
    ]


# --- where the file is -------------------------------------------------------------------------


def test_alerts_yaml_sits_beside_the_tables_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(ALERTS_CONFIG_ENV, raising=False)
    tables = tmp_path / "config" / "tables"
    tables.mkdir(parents=True)

    assert alerting_config_path(tables) == (tmp_path / "config").resolve() / "alerts.yaml"


def test_env_variable_overrides_the_alerts_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    elsewhere = write(tmp_path / "elsewhere" / "my-alerts.yaml", "default: {min_severity: error}\n")
    root = root_with_table(tmp_path / "root")
    monkeypatch.setenv(ALERTS_CONFIG_ENV, str(elsewhere))

    path = alerting_config_path(root / "tables")
    loaded = load_alerting(path, load_table_specs(root / "tables").tables)

    assert ALERTS_CONFIG_ENV == "DQ_ALERTS_CONFIG"
    assert path == elsewhere
    assert loaded.path == elsewhere
    assert loaded.problems == ()
    assert loaded.config.default.min_severity is AlertSeverity.ERROR


# --- hostile YAML ------------------------------------------------------------------------------


def test_anchors_and_aliases_in_alerts_yaml_are_refused_and_the_defaults_apply(tmp_path: Path):
    root = root_with_table(tmp_path)
    path = write(
        root / "alerts.yaml",
        """
        # planted: one channel's settings reused by alias for a second
        channels:
          ops: &hook {type: webhook, url: "https://hooks.example.com/dq"}
          ops2: *hook
        """,
    )

    loaded = load(root)

    assert problems_of(loaded) == [f"{path}:3: YAML anchors and aliases are not allowed"]
    assert loaded.config == AlertingConfig()


def test_an_alerts_yaml_in_latin1_names_its_byte_and_line(tmp_path: Path):
    root = root_with_table(tmp_path)
    path = root / "alerts.yaml"
    # planted: 'équipe' in latin-1 on line 2
    path.write_bytes("default: {channels: [log]}\n# \xe9quipe data\n".encode("latin-1"))

    assert problems_of(load(root)) == [f"{path}: not UTF-8 (byte 0xe9 at line 2)"]
