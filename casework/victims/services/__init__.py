"""The only writers of the victim pathway: ``plans`` (agreeing a new version of the safety plan)
and ``messages`` (writing to the person, checked against the plan's safe-contact terms)."""
