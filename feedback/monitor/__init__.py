"""Civil-society monitors: resolved tickets to check in the field, follows, a feed."""
