"""Security gates: checkov, SAST, dependency vulnerabilities, licences, secrets, hadolint."""
