"""The plan's main indicators, their targets, baselines and observations."""
