"""Each alert channel in alerts.yaml has the secret it names in the environment.

The sensors read a channel's variable at every tick, and a channel whose variable is unset fails
its deliveries (they wait and retry) without any other sign: here is where that shows up first.
"""

from __future__ import annotations

import os

from dq_assets.doctor.context import DoctorContext
from dq_assets.doctor.model import Finding, error, ok
from dq_checks.config.alerting import ChannelSpec, LogChannelSpec, SlackChannelSpec, SnsChannelSpec
from dq_resources.source_contract import redact


def check_channels(context: DoctorContext) -> list[Finding]:
    """One finding per channel, the built-in `log` included."""
    path = context.alerting.path
    return [_channel(name, spec, str(path)) for name, spec in context.alerting.config.channel_specs().items()]


def _channel(name: str, spec: ChannelSpec, path: str) -> Finding:
    check = f"channel {name}"
    if isinstance(spec, LogChannelSpec):
        return ok(check, "log: the sensor tick's log (stderr for `dq alerts sync`)")
    if isinstance(spec, SlackChannelSpec):
        if not os.environ.get(spec.token_env):
            return error(
                check,
                f"slack {spec.channel}: {spec.token_env} (token_env) is not set",
                f"export {spec.token_env}=xoxb-... (a bot token with chat:write, invited to {spec.channel})",
            )
        return ok(check, f"slack {spec.channel}: token in {spec.token_env}")
    if isinstance(spec, SnsChannelSpec):
        return ok(check, f"sns {spec.topic_arn} (AWS credentials from the usual chain; needs sns:Publish)")
    url = redact(spec.url)
    if spec.secret_env is not None and not os.environ.get(spec.secret_env):
        return error(
            check,
            f"webhook {url}: {spec.secret_env} (secret_env) is not set",
            f"export {spec.secret_env}=<the receiver's signing secret>, "
            f"or drop secret_env from {name} in {path}",
        )
    signed = f"signed with {spec.secret_env}" if spec.secret_env else "unsigned"
    return ok(check, f"webhook {url} ({signed})")
