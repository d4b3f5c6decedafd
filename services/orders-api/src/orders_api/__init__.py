"""orders-api.

Orders: create and read the items of an order
"""
