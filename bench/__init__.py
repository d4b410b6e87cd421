"""The benchmark: a dataset at a chosen scale, the portal served as in production, and a load generator."""
