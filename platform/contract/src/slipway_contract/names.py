"""The DNS-1123 label rule every service name follows (Kubernetes object names)."""

from __future__ import annotations

import re

DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
DNS1123_LABEL_HELP = (
    "must be a DNS-1123 label: lowercase letters, digits and '-', "
    "starting and ending with a letter or digit, at most 63 characters"
)
_LABEL = re.compile(DNS1123_LABEL)


def is_dns1123_label(name: str) -> bool:
    """True when `name` may be a Kubernetes Service / namespace name."""
    return _LABEL.match(name) is not None
