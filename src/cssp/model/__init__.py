"""The plan's entities: communities and their facilities and staff, and the plan itself."""
