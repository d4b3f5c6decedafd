"""slipway-contract: the facts Slipway's parts meet at, and the plumbing they share.

One module per concern; import from the module (`from slipway_contract.metrics
import DURATION_BUCKETS`). platform/CONTRACTS.md documents the same facts and a
test (tests/test_contracts_md.py) keeps the two equal.
"""
