"""events-worker.

Events: consumes order events, retries with backoff, dead-letters poison messages
"""
