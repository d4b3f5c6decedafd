"""e2e on Docker: the service image with real dependencies, an OTLP receiver and Prometheus."""
