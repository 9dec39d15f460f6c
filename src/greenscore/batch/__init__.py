"""The batch layer: a year's table assessed (every row accounted for), calibrated and written."""
