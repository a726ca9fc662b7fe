"""Amazon SNS: one publish per message, through boto3."""

from __future__ import annotations

import json
import logging

from dq_checks.alerts.messages import Notification
from dq_resources.notify.base import Notifier, NotifierError

MESSAGE_LIMIT = 250_000
"""SNS takes messages up to 256 KiB."""
SUBJECT_LIMIT = 99
"""SNS subjects must be ASCII, without line breaks, and shorter than 100 characters."""


def sns_subject(subject: str) -> str:
    """The subject as SNS accepts it: ASCII only, one line, under 100 characters."""
    text = " ".join(subject.split()).encode("ascii", "replace").decode("ascii")
    return text if len(text) <= SUBJECT_LIMIT else text[: SUBJECT_LIMIT - 3] + "..."


class SnsNotifier(Notifier):
    """Publishes to `topic_arn`; subscribers (email, SQS, Lambda, chat) receive the text or the JSON."""

    topic_arn: str
    region_name: str | None = None
    endpoint_url: str | None = None
    timeout_seconds: int = 15

    def send(self, notification: Notification, log: logging.Logger) -> None:
        """Publish with the subject, the text as the default body and the JSON payload for SQS/Lambda."""
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError

        region = self.region_name or self.topic_arn.split(":")[3]
        # bounded, so that an unreachable endpoint cannot outlast the sensor tick
        limits = Config(connect_timeout=5, read_timeout=self.timeout_seconds, retries={"max_attempts": 2})
        client = boto3.client("sns", region_name=region, endpoint_url=self.endpoint_url, config=limits)
        body = json.dumps(
            {
                "default": notification.text[:MESSAGE_LIMIT],
                "sqs": json.dumps(notification.payload(), default=str)[:MESSAGE_LIMIT],
            }
        )
        try:
            response = client.publish(
                TopicArn=self.topic_arn,
                Subject=sns_subject(notification.subject),
                Message=body,
                MessageStructure="json",
                MessageAttributes={
                    "table": {"DataType": "String", "StringValue": notification.table},
                    "message_id": {"DataType": "String", "StringValue": notification.message_id},
                },
            )
        except (BotoCoreError, ClientError) as error:
            raise NotifierError(f"sns {self.topic_arn}: {error}") from error
        log.info(f"sent {notification.message_id} to sns {self.topic_arn} as {response.get('MessageId')}")
