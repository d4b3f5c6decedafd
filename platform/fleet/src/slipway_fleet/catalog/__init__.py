"""`slipway-fleet catalog`: a static HTML site of the fleet (no server, no JavaScript).

collect.py reads each member's answers file, slo.yaml, fleet status and the GitOps
tree; budget.py asks a Prometheus for the remaining error budgets; site.py renders
the Jinja2 templates (index + one page per service) and the stylesheet.
"""

from slipway_fleet.catalog.collect import ServiceEntry, collect_service
from slipway_fleet.catalog.site import write_site

__all__ = ["ServiceEntry", "collect_service", "write_site"]
