"""events-worker.

Events: consumes order events, retries with backoff, dead-letters poison messages
"""

DESCRIPTION = (__doc__ or "").split("\n", 2)[-1].strip()
