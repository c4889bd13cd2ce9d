"""The Reports section: funnel, velocity, sources, hand-off quality, time and money."""
