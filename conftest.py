"""Repository-wide pytest plumbing.

The `requires(...)` marker comes from slipway-contract's pytest plugin
(platform/contract/src/slipway_contract/pytest_plugin.py, a pytest11 entry point
loaded wherever the package is installed):

    @pytest.mark.requires("docker", "helm")
    def test_something(): ...

A missing tool skips the test locally with a message naming what was NOT
checked; under CI=true it fails, because CI provisions every tool
(scripts/provision.sh) and a skip there would hide an unchecked gate.
"""
