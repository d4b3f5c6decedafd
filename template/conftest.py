"""Test plumbing for {{ service_name }}.

The `requires(...)` marker comes with the chassis (its slipway-contract
dependency registers a pytest plugin), so no code is copied here:

    @pytest.mark.requires("docker")
    def test_against_real_postgres(): ...

A test that needs an external tool declares it. Without the tool it is skipped
with a message naming what was NOT checked; under CI=true it fails instead,
because CI provides the tool and a skip there would hide an unchecked gate.
"""
