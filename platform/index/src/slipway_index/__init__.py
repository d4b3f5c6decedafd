"""Slipway's private package index: serve it (pypiserver), publish the platform packages to it."""

from slipway_index.packages import PlatformPackage, platform_closure
from slipway_index.publish import PublishError, build_wheels, upload
from slipway_index.server import IndexServer

__all__ = [
    "IndexServer",
    "PlatformPackage",
    "PublishError",
    "build_wheels",
    "platform_closure",
    "upload",
]
