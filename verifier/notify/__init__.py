"""Alert delivery for drift checks: webhooks (Slack, Teams, JSON) and e-mail (SMTP).

    config = load_config(default_config_path())
    deliveries = deliver(Alert(title, text, payload), config, log=print_to_stderr)

See docs/alerts.md for the config file.
"""

from verifier.notify.alert import Alert, DeliveryFailure
from verifier.notify.config import (
    DEFAULT_CONFIG_ENV,
    EmailChannel,
    NotifyConfig,
    RetryPolicy,
    Secret,
    WebhookChannel,
    default_config_path,
    load_config,
)
from verifier.notify.deliver import Delivery, all_delivered, deliver

__all__ = [
    "DEFAULT_CONFIG_ENV",
    "Alert",
    "Delivery",
    "DeliveryFailure",
    "EmailChannel",
    "NotifyConfig",
    "RetryPolicy",
    "Secret",
    "WebhookChannel",
    "all_delivered",
    "default_config_path",
    "deliver",
    "load_config",
]
