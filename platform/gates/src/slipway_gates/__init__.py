"""Slipway quality gates: security scans, load-test judging, e2e helpers."""
