"""Load gate: locust (headless) against the running service, judged by slo.yaml `load:`."""
