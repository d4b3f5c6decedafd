"""orders-api.

Orders: create and read the items of an order
"""

DESCRIPTION = (__doc__ or "").split("\n", 2)[-1].strip()
