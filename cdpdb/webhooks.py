"""Verify requests to Data Cloud webhook data action targets (see docs/webhooks.md)."""

from cdpdb.backends.salesforce.webhooks import (
    DEFAULT_TOLERANCE,
    SIGNATURE_HEADER,
    WebhookVerificationError,
    sign,
    verify,
)

__all__ = ["DEFAULT_TOLERANCE", "SIGNATURE_HEADER", "WebhookVerificationError", "sign", "verify"]
