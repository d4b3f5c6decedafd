"""SLO specs to Prometheus rules, dashboards and alerting configs."""
