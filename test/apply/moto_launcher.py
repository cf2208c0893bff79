#!/usr/bin/env python3
"""Start moto on a loopback port with skiff's patches for its gaps, and serve until stopped.

    python3 test/apply/moto_launcher.py --port-file PATH [--port N]

Writes the chosen port to PATH once the server accepts connections, then serves until
SIGTERM or SIGINT. Each patch below makes moto behave as AWS documents it; test/README.md
lists them with their reasons and sources. Patches change moto's behaviour only where AWS
differs from it, never to make skiff pass.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading


def patch_sqs_redrive_allow_policy() -> None:
    """Store and return a queue's RedriveAllowPolicy attribute.

    moto 5.2 accepts the attribute on CreateQueue/SetQueueAttributes but neither returns it
    from GetQueueAttributes nor accepts its name there, so the AWS provider's
    aws_sqs_queue_redrive_allow_policy waits forever for the value it set.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
    """
    from moto.sqs.models import Queue

    if "RedriveAllowPolicy" not in Queue.BASE_ATTRIBUTES:
        Queue.BASE_ATTRIBUTES.append("RedriveAllowPolicy")
    # Queues that never set it report nothing, as AWS does.
    Queue.redrive_allow_policy = None  # type: ignore[attr-defined]

    original_set = Queue._set_attributes

    def _set_attributes(self, attributes, now=None):  # type: ignore[no-untyped-def]
        original_set(self, attributes, now)
        if "RedriveAllowPolicy" in attributes:
            # SetQueueAttributes with "" removes the policy.
            self.redrive_allow_policy = attributes["RedriveAllowPolicy"] or None

    Queue._set_attributes = _set_attributes  # type: ignore[method-assign]


def patch_sqs_set_attributes_keeps_policy() -> None:
    """SetQueueAttributes changes only the attributes it names.

    moto 5.2 sets the queue's Policy to whatever the call carries, so setting any other
    attribute (RedriveAllowPolicy, say) silently deletes the access policy, and the
    provider's aws_sqs_queue_policy waits forever for it to appear.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
    """
    from moto.sqs.models import Queue

    original_set = Queue._set_attributes

    def _set_attributes(self, attributes, now=None):  # type: ignore[no-untyped-def]
        previous = getattr(self, "policy", None)
        original_set(self, attributes, now)
        if "Policy" not in attributes:
            self.policy = previous
        elif attributes["Policy"] == "":
            # An empty string removes the policy.
            self.policy = None

    Queue._set_attributes = _set_attributes  # type: ignore[method-assign]


def patch_sqs_redrive_policy_json() -> None:
    """Return RedrivePolicy as compact JSON, as SQS does.

    moto 5.2 re-serialises the stored policy with spaces after ':' and ','; SQS returns
    {"deadLetterTargetArn":"...","maxReceiveCount":5}. The provider compares the string
    and reports a change on every plan.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue.html
    """
    import json

    from moto.sqs.models import Queue

    original = Queue.attributes.fget

    def attributes(self):  # type: ignore[no-untyped-def]
        result = original(self)
        if self.redrive_policy:
            result["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
        return result

    Queue.attributes = property(attributes)  # type: ignore[method-assign,assignment]


def patch_sqs_queue_url() -> None:
    """Return queue URLs as SQS does: https://sqs.<region>.amazonaws.com/<account>/<name>.

    moto 5.2 builds the URL from the request's own host (http://127.0.0.1:PORT/...). skiff's
    modules validate that a queue URL is https://, as SQS's always are; clients still reach
    moto through their endpoint setting, and moto finds a queue by the URL's last segment.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html
    """
    from moto.sqs.models import Queue

    def url(self, request_url):  # type: ignore[no-untyped-def]
        return f"https://sqs.{self.region}.amazonaws.com/{self.account_id}/{self.name}"

    Queue.url = url  # type: ignore[method-assign]


def patch_sqs_no_lambda_triggers() -> None:
    """Do not run Lambda event source mappings inside moto.

    On every SendMessage to a queue with a mapping, moto 5.2 receives the queue's visible
    messages and invokes the function, which needs Docker; without it the invocation fails
    and the messages are made visible again, each receive counted. A few sends move every
    message to the dead-letter queue although no consumer ever saw it. AWS's pollers
    receive a message once per delivery attempt; the deployed-configuration scenario polls
    as they do (test/apply/deployed.ts).
    https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
    """
    from moto.sqs.models import Queue

    original_add = Queue.add_message

    def add_message(self, message):  # type: ignore[no-untyped-def]
        mappings = self.lambda_event_source_mappings
        self.lambda_event_source_mappings = {}
        try:
            original_add(self, message)
        finally:
            self.lambda_event_source_mappings = mappings

    Queue.add_message = add_message  # type: ignore[method-assign]


# SSM Parameter Store value limits by tier, in characters.
# https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
SSM_VALUE_LIMITS = {"Standard": 4096, "Advanced": 8192, "Intelligent-Tiering": 8192}


def patch_ssm_value_size() -> None:
    """Reject a parameter value larger than its tier allows.

    moto 5.2 stores values of any size; SSM rejects a Standard-tier value over 4 KB with a
    ValidationException, and skiff stores JIT configs as Standard SecureStrings.
    """
    from moto.ssm.exceptions import ValidationException
    from moto.ssm.models import SimpleSystemManagerBackend

    original_put = SimpleSystemManagerBackend.put_parameter

    def put_parameter(self, name, description, value, parameter_type, allowed_pattern, keyid, overwrite, tags, data_type, tier, policies):  # type: ignore[no-untyped-def]  # noqa: E501
        previous = self._parameters.get(name) if name in self._parameters else None
        effective = tier or (previous[-1].tier if previous else None) or self.default_parameter_tier or "Standard"
        limit = SSM_VALUE_LIMITS.get(effective, SSM_VALUE_LIMITS["Standard"])
        if value is not None and len(value) > limit:
            if effective == "Standard":
                raise ValidationException(
                    "Standard tier parameters support a maximum parameter value of 4096 characters. "
                    "To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier."
                )
            raise ValidationException(
                f"1 validation error detected: Value at 'value' failed to satisfy constraint: "
                f"Member must have length less than or equal to {limit}."
            )
        return original_put(self, name, description, value, parameter_type, allowed_pattern, keyid, overwrite, tags, data_type, tier, policies)

    SimpleSystemManagerBackend.put_parameter = put_parameter  # type: ignore[method-assign]


PATCHES = [
    patch_sqs_redrive_allow_policy,
    patch_sqs_set_attributes_keeps_policy,
    patch_sqs_redrive_policy_json,
    patch_sqs_queue_url,
    patch_sqs_no_lambda_triggers,
    patch_ssm_value_size,
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--port-file", required=True, help="where to write the chosen port")
    args = parser.parse_args()

    for patch in PATCHES:
        patch()

    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    _, port = server.get_host_and_port()

    # Written last and renamed into place: a reader never sees a partial port.
    tmp = f"{args.port_file}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(f"{port}\n")
    os.replace(tmp, args.port_file)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
