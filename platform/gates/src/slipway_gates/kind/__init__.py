"""e2e on a kind cluster: the command plan, and its runner where kind exists."""
