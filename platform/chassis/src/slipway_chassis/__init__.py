"""The service chassis every Slipway service imports."""
