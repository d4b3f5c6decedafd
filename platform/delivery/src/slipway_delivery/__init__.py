"""Slipway delivery: versioning, release, SBOM, GitOps promotion, smoke checks."""
