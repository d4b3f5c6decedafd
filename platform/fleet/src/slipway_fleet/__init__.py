"""Roll a Slipway template release out to a fleet of service repositories."""
